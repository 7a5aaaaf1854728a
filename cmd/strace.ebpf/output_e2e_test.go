package main

import (
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A newline in the command line does not move the hex header off line 2.
func TestHexTitleNewline(t *testing.T) {
	testutil.RequireBPF(t)
	_, log := traceFile(t, "sh", "-c", "true\ntrue")
	lines := strings.Split(log, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "PID\tERR\tRES\tSYSCALL") || !strings.HasSuffix(lines[0], "sh\t-c\ttrue\\ntrue") {
		t.Errorf("hex title and header:\n%s", strings.Join(lines[:min(3, len(lines))], "\n"))
	}
}
