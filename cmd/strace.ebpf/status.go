package main

// The live status line's switch: -q turns it off; only on a terminal.

import (
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/session"
)

// isTerminal says w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// setStatus turns the status line on where it belongs: on stderr when it
// is a terminal, not with -q.
func (o *options) setStatus(p *session.Plan, stderr io.Writer) {
	if o.quiet > 0 || !isTerminal(stderr) {
		return
	}
	p.StatusLine = stderr
}
