package engine

import (
	"errors"
	"strings"
	"testing"
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
