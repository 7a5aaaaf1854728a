package engine

import (
	"os"
	"testing"
)

// TestMain runs the engine's helpers: the tests launch commands and
// lossless keepers as copies of this test binary.
func TestMain(m *testing.M) {
	RunHelper()
	os.Exit(m.Run())
}
