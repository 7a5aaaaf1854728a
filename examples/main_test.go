package examples

import (
	"os"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// TestMain runs the engine's helpers: the live tests launch commands as
// copies of this test binary.
func TestMain(m *testing.M) {
	engine.RunHelper()
	os.Exit(m.Run())
}
