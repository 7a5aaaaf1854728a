package session

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Of several -e trace= the last one wins, as in strace; other qualifiers
// do not reset it.
func TestTraceLastWins(t *testing.T) {
	for _, tc := range []struct {
		exprs []string
		want  []string
	}{
		{[]string{"trace=openat", "trace=close"}, []string{"close"}},
		{[]string{"openat", "close"}, []string{"close"}},
		{[]string{"trace=openat,read", "status=failed", "t=!close"}, []string{"!close"}},
		{[]string{"trace=%file"}, []string{"%file"}},
	} {
		f, err := ParseFilter(tc.exprs)
		if err != nil {
			t.Fatalf("%q: %v", tc.exprs, err)
		}
		if diff := cmp.Diff(tc.want, f.Trace); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.exprs, diff)
		}
	}
}
