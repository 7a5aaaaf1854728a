package format

import (
	"fmt"
	"testing"
)

// TestAppendHex16 checks the word-at-a-time hex digits against fmt's.
func TestAppendHex16(t *testing.T) {
	vals := []uint64{0, 1, 9, 10, 15, 16, 0xFFFFFF9C, 0x7ffd0000, 0x0123456789ABCDEF, 0xFEDCBA9876543210, ^uint64(0)}
	for i, v := 0, uint64(1); i < 64; i, v = i+1, v*3 {
		vals = append(vals, v, ^v)
	}
	for _, v := range vals {
		if got, want := string(appendHex16([]byte("x"), v)), fmt.Sprintf("x%016X", v); got != want {
			t.Errorf("appendHex16(%#x) = %q, want %q", v, got, want)
		}
	}
}
