package engine

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// A lossless trace by cgroup never pauses the tracer: a target that holds
// the tracer's own cgroup is refused, naming it.
func TestTargetFreezerSparesTheTracer(t *testing.T) {
	own, err := tracerCgroup()
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	_, err = newTargetFreezer([]Cgroup{{Dir: own}}, 1<<20, 1<<19, func(string, ...any) {}, func(string, ...any) {})
	if !errors.Is(err, ErrLossless) || !strings.Contains(err.Error(), "the tracer itself is in cgroup "+own) {
		t.Errorf("the tracer's own cgroup as the target: %v", err)
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/sys/fs/cgroup`:     "/sys/fs/cgroup",
		`/mnt/with\040space`: "/mnt/with space",
		`/a\134b`:            `/a\b`,
		`/trailing\04`:       `/trailing\04`,
		`/not\089octal`:      `/not\089octal`,
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWaitCgroupsRunning: a unit's or a container's cgroup (Running when
// resolved) found empty once tracing starts has ended, as when its last
// process exits during the tracer's start-up; a plain cgroup empty from
// the start is waited for.
func TestWaitCgroupsRunning(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a cgroup")
	}
	parent, err := tracerCgroup()
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	dir, err := os.MkdirTemp(parent, "wait-test-")
	if err != nil {
		t.Skipf("cgroup v2 not writable: %v", err)
	}
	defer os.Remove(dir)
	for _, running := range []bool{true, false} {
		ended, stop := make(chan struct{}), make(chan struct{})
		go waitCgroups([]Cgroup{{Dir: dir, Running: running}}, ended, stop)
		select {
		case <-ended:
			if !running {
				t.Errorf("an empty cgroup not running when resolved: ended at once, want a wait for its first process")
			}
		case <-time.After(500 * time.Millisecond):
			if running {
				t.Errorf("a unit's cgroup empty when tracing starts: still waited for after 500ms")
			}
		}
		close(stop)
		<-ended
	}
}
