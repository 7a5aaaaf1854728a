package format

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAppendDateFraction checks strace's sprinttime_ex rule: the fraction
// of a second only when it is not zero (stat's st_mtime of a file with a
// whole-second time, as -v prints it).
func TestAppendDateFraction(t *testing.T) {
	saved := dateZone
	dateZone = time.UTC
	defer func() { dateZone = saved }()
	for _, tc := range []struct {
		frac int64
		want string
	}{
		{0, " /* 2026-04-27T20:14:33+0000 */"},
		{5, " /* 2026-04-27T20:14:33.000000005+0000 */"},
		{407868084, " /* 2026-04-27T20:14:33.407868084+0000 */"},
	} {
		if d := cmp.Diff(tc.want, string(appendDate(nil, 1777320873, tc.frac, 9))); d != "" {
			t.Errorf("frac %d (-want +got):\n%s", tc.frac, d)
		}
	}
}
