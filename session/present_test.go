package session

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSplitDumps: -e read= and -e write= leave the filter expressions, as
// fd sets (-1: every other descriptor).
func TestSplitDumps(t *testing.T) {
	rest, read, write, err := SplitDumps([]string{"trace=read", "read=3,5", "write=!1", "status=failed"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"trace=read", "status=failed"}, rest); diff != "" {
		t.Errorf("rest (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]bool{-1: false, 3: true, 5: true}, read); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]bool{-1: true, 1: false}, write); diff != "" {
		t.Errorf("write (-want +got):\n%s", diff)
	}
	if _, _, w, _ := SplitDumps([]string{"write=all"}); !w[-1] {
		t.Errorf("write=all: %v", w)
	}
	for _, bad := range []string{"read=", "read=x", "write=-2"} {
		if _, _, _, err := SplitDumps([]string{bad}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
