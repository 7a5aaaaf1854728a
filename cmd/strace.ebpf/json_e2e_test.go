package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// -l json puts decoded values in args (a path as text, execve's argv as
// an array when -S has it captured, flags named), the registers in raw.
func TestJSONDecodedArgs(t *testing.T) {
	testutil.RequireBPF(t)
	r := runTracer(t, "-l", "json", "-S", "256", "-e", "trace=execve,openat", "cat", "/etc/hostname", "/nonexistent")
	var execve, openat bool
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var o struct {
			V    int
			Name string
			Args map[string]any
			Raw  map[string]int64
		}
		if json.Unmarshal([]byte(l), &o) != nil || o.Name == "" {
			continue
		}
		if o.V != 2 {
			t.Errorf("v %d, want 2: %s", o.V, l)
		}
		switch o.Name {
		case "execve":
			argv, _ := o.Args["argv"].([]any)
			var got []string
			for _, a := range argv {
				s, _ := a.(string)
				got = append(got, s)
			}
			execve = slices.Equal(got, []string{"cat", "/etc/hostname", "/nonexistent"}) && o.Raw["argv"] != 0
			if !execve {
				t.Errorf("execve's args.argv %v, raw %v: %s", o.Args["argv"], o.Raw, l)
			}
		case "openat":
			if o.Args["filename"] == "/nonexistent" {
				openat = o.Args["dfd"] == "AT_FDCWD" && o.Args["flags"] == "O_RDONLY" && o.Raw["dfd"] == -100
				if !openat {
					t.Errorf("openat: %s", l)
				}
			}
		}
	}
	if !execve || !openat {
		t.Errorf("no execve or openat(\"/nonexistent\") with decoded args in:\n%s", r.stderr)
	}
}
