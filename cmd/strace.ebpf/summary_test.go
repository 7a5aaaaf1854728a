package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestSummaryReplay prints -c's table for a recording and checks it
// against the recording's own events, read back as JSON: the calls and
// errors per syscall, the total, strace's layout and its order (time, then
// syscall number).
func TestSummaryReplay(t *testing.T) {
	t.Parallel()
	rec := filepath.Join(testutil.Root(), "examples", "testdata", "workload.bin")
	dir := t.TempDir()
	table, _ := tracerIn(t, dir, "-i", rec, "-c")
	events, _ := tracerIn(t, dir, "-i", rec, "-l", "json")

	type stat struct{ calls, errors, ns, nr int64 }
	want := map[string]*stat{}
	var total stat
	for _, l := range strings.Split(strings.TrimSpace(events), "\n") {
		var ev struct {
			Kind, Name          string
			Nr, Dur, Ret, Errno int64
			Noreturn            bool
			Unfinished          bool
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind != "syscall" || ev.Noreturn || ev.Unfinished {
			continue
		}
		s := want[ev.Name]
		if s == nil {
			s = &stat{nr: ev.Nr}
			want[ev.Name] = s
		}
		s.calls++
		s.ns += ev.Dur
		total.calls++
		total.ns += ev.Dur
		if ev.Errno != 0 {
			s.errors++
			total.errors++
		}
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := want[names[i]], want[names[j]]
		if a.ns != b.ns {
			return a.ns > b.ns
		}
		return a.nr < b.nr
	})
	errs := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	var wantRows []string
	for _, n := range names {
		s := want[n]
		wantRows = append(wantRows, fmt.Sprintf("%d %s %s", s.calls, errs(s.errors), n))
	}
	wantRows = append(wantRows, fmt.Sprintf("%d %s total", total.calls, errs(total.errors)))

	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	dashes := "------ ----------- ----------- --------- --------- ----------------"
	if lines[0] != "% time     seconds  usecs/call     calls    errors syscall" || lines[1] != dashes || lines[len(lines)-2] != dashes {
		t.Fatalf("not strace's layout:\n%s", table)
	}
	row := regexp.MustCompile(`^ *([0-9.]+) +([0-9]+\.[0-9]{6}) +([0-9]+) +([0-9]+) ( {9}|[ 0-9]{9}) (\S+)$`)
	var gotRows []string
	for _, l := range append(lines[2:len(lines)-2], lines[len(lines)-1]) {
		m := row.FindStringSubmatch(l)
		if m == nil || len(l) < 6+1+11+1+11+1+9+1+9+1 {
			t.Fatalf("row %q is not in strace's columns", l)
		}
		gotRows = append(gotRows, fmt.Sprintf("%s %s %s", m[4], strings.TrimSpace(m[5]), m[6]))
	}
	if diff := cmp.Diff(wantRows, gotRows); diff != "" {
		t.Errorf("calls, errors, order (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(lines[len(lines)-1], "100.00 ") {
		t.Errorf("total row %q does not start with 100.00", lines[len(lines)-1])
	}
}

// TestSummaryLive: -c on a live command prints the table only; -C after
// the strace lines.
func TestSummaryLive(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "t")
	tracerIn(t, dir, "-c", "-o", out, testutil.Syscaller(t), "basic")
	got := readFile(t, out)
	if !strings.HasPrefix(got, "% time ") || !regexp.MustCompile(`(?m)^ *[0-9.]+ +[0-9.]+ +\d+ +\d+ +\d+ openat$`).MatchString(got) {
		t.Errorf("-c: want only the table, with failed openat calls:\n%s", got)
	}
	tracerIn(t, dir, "-C", "-l", "strace", "-o", out, testutil.Syscaller(t), "basic")
	got = readFile(t, out)
	i, j := strings.Index(got, "openat(AT_FDCWD"), strings.Index(got, "% time ")
	if i < 0 || j < i || !strings.Contains(got[j:], " total\n") {
		t.Errorf("-C: want the strace lines, then the table:\n%s", got)
	}
}

func TestSummaryErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "-l", "perfetto", "true"}, "strace.ebpf: parsing options: -c prints only the summary table, not -l perfetto (use -C for both, with -l hex or -l strace)\n"},
		{[]string{"-C", "-l", "json", "true"}, "strace.ebpf: parsing options: -C prints the summary after a text trace: -l hex or -l strace, not -l json\n"},
		{[]string{"-c", "-ff", "-o", "x", "true"}, "strace.ebpf: parsing options: -c and -C sum up the whole trace: they do not go with -ff\n"},
	} {
		r := runTracer(t, tt.args...)
		if r.code != 2 || r.stderr != tt.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}
