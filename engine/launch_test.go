package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLauncherCgroup: the launcher is made in the lossless cgroup when the
// kernel allows it (no move, no RCU grace period at start-up), and is
// started all the same, outside, when it does not.
func TestLauncherCgroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a cgroup")
	}
	parent, err := tracerCgroup()
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	dir, err := os.MkdirTemp(parent, "launch-test-")
	if err != nil {
		t.Skipf("cgroup v2 not writable: %v", err)
	}
	defer os.Remove(dir)
	out := filepath.Join(t.TempDir(), "cgroup")
	argv := []string{"sh", "-c", "cat /proc/self/cgroup > " + out}
	path, err := ResolveCommand(argv)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		in        bool
	}{
		{"cgroup", dir, true},
		// Not a cgroup: clone3 refuses it, and the launcher starts anyway.
		{"not a cgroup", t.TempDir(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := startChild(path, &Config{Command: argv}, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			if c.inCgroup != tc.in {
				t.Errorf("inCgroup %v, want %v", c.inCgroup, tc.in)
			}
			if err := c.release(); err != nil {
				t.Fatal(err)
			}
			<-c.done
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// The v2 line ("0::/PATH"), whatever the tracer's own path.
			rel := "/" + filepath.Base(dir) + "\n"
			if got := strings.Contains(string(b), rel); got != tc.in {
				t.Errorf("the command's cgroups:\n%s\nin %s: %v, want %v", b, dir, got, tc.in)
			}
		})
	}
}
