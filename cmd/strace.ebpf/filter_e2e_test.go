package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// outcomes reads a trace in any format and returns, per shown syscall, "ok",
// "fail" or "unfinished".
func outcomes(t *testing.T, format, out string) []string {
	t.Helper()
	var got []string
	add := func(failed, unfinished bool) {
		switch {
		case unfinished:
			got = append(got, "unfinished")
		case failed:
			got = append(got, "fail")
		default:
			got = append(got, "ok")
		}
	}
	switch format {
	case "hex":
		_, rows := parseHex(t, out, "\t")
		for _, r := range rows {
			add(r["ERR"] != hex16(0), r["RES"] == "?")
		}
	case "strace":
		re := regexp.MustCompile(`^(?:\d+ +)?(?:<\.\.\. )?[a-z0-9_]+(?:\(| resumed>).* += (-1|\?)?`)
		for _, l := range strings.Split(out, "\n") {
			if m := re.FindStringSubmatch(l); m != nil {
				add(m[1] == "-1", m[1] == "?")
			}
		}
	case "json", "bin":
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var o struct {
				Kind  string
				Errno int
				Ret   *int64
			}
			if json.Unmarshal([]byte(l), &o) != nil || o.Kind != "syscall" {
				continue
			}
			add(o.Errno != 0, o.Ret == nil)
		}
	case "perfetto":
		var doc struct {
			TraceEvents []struct {
				Cat  string
				Args map[string]any
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("perfetto JSON: %v\n%s", err, out)
		}
		for _, e := range doc.TraceEvents {
			if e.Cat == "syscall" {
				_, failed := e.Args["errno"]
				_, ret := e.Args["ret"]
				add(failed, !failed && !ret)
			}
		}
	}
	return got
}

// TestStatusFiltersLive: -z, -Z and status=!successful hold, live, in every
// format family (the replay tests in package session cover every option on
// a recording).
func TestStatusFiltersLive(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	filters := []struct {
		args  []string
		allow map[string]bool
	}{
		{[]string{"-z"}, map[string]bool{"ok": true}},
		{[]string{"-Z"}, map[string]bool{"fail": true}},
		{[]string{"-e", "status=!successful"}, map[string]bool{"fail": true, "unfinished": true}},
	}
	for _, format := range []string{"hex", "strace", "json", "perfetto", "bin"} {
		for _, f := range filters {
			t.Run(format+" "+strings.Join(f.args, " "), func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "out")
				args := append([]string{"-f", "-l", format, "-o", out}, f.args...)
				res := runTracer(t, append(args, sc, "basic")...)
				if res.code != 0 {
					t.Fatalf("exit %d: %s", res.code, res.stderr)
				}
				text := readFile(t, out)
				if format == "bin" {
					text = runTracer(t, "-i", out, "-l", "json").stdout
				}
				got := outcomes(t, format, text)
				if len(got) == 0 {
					t.Fatalf("nothing shown:\n%s", text)
				}
				for _, o := range got {
					if !f.allow[o] {
						t.Fatalf("a call with outcome %q passed %v:\n%s", o, f.args, text)
					}
				}
			})
		}
	}
}
