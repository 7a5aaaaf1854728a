package main

import (
	"os"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// TestMain runs the engine's helpers, as main does: the in-process tests
// (run) launch commands as copies of this test binary.
func TestMain(m *testing.M) {
	engine.RunHelper()
	os.Exit(m.Run())
}
