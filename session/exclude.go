package session

import (
	"fmt"
	"os"
	"slices"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// outputReaders are the processes a system-wide trace leaves out besides
// the tracer: those reading the pipes it writes to (the trace on stdout,
// notes and script output on stderr), as the cat of "strace.ebpf | cat",
// whose reads of the trace would otherwise fill it.
func outputReaders(p *Plan) []int {
	var pids []int
	for _, w := range []any{p.Stdout, p.Stderr} {
		if f, ok := w.(*os.File); ok {
			for _, pid := range engine.OutputReaders(f) {
				if !slices.Contains(pids, pid) {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

// excludedNote tells which processes the system-wide trace leaves out.
func excludedNote(pids []int) string {
	switch len(pids) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(", except PID %d, which reads its output", pids[0])
	}
	return fmt.Sprintf(", except PIDs %v, which read its output", pids)
}
