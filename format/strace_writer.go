package format

import (
	"bufio"
	"io"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// StraceWriter writes the strace format: each event's lines (Strace.Append)
// with their newline.
type StraceWriter struct {
	s    *Strace
	w    *bufio.Writer
	line []byte
}

// NewStraceWriter returns the strace format's writer on w; a w that is
// already a *bufio.Writer of 256 KiB or more is written to directly (see
// NewHexWriter).
func NewStraceWriter(w io.Writer, tab *syscalls.Table, o StraceOptions) *StraceWriter {
	s := NewStrace(tab, o)
	s.restart.on = true
	return &StraceWriter{s: s, w: bufio.NewWriterSize(w, 256<<10)}
}

func (x *StraceWriter) Start() error { return nil }
func (x *StraceWriter) Event(ev *event.Event) error {
	x.line = x.s.Append(x.line[:0], ev)
	if len(x.line) == 0 {
		return nil
	}
	x.line = append(x.line, '\n')
	_, err := x.w.Write(x.line)
	return err
}
func (x *StraceWriter) Idle() error   { return x.release() }
func (x *StraceWriter) Finish() error { return x.release() }

// release writes the line Strace keeps back, if any, and flushes.
func (x *StraceWriter) release() error {
	if x.line = x.s.Release(x.line[:0]); len(x.line) > 0 {
		x.line = append(x.line, '\n')
		if _, err := x.w.Write(x.line); err != nil {
			return err
		}
	}
	return x.Flush()
}
func (x *StraceWriter) Flush() error { return flush(x.w) }
