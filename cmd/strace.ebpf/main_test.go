package main

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestMain runs the engine's helpers: the tests launch commands as copies
// of this test binary.
func TestMain(m *testing.M) { testutil.Main(m) }
