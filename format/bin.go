package format

import (
	"fmt"
	"io"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// BinWriter writes the bin format, a recording (package record). Its
// header is written by Start, when the output is open and what the kernel
// captures is settled.
type BinWriter struct {
	out    io.Writer
	header func() record.Header
	w      *record.Writer
	// traceH: -l bin writes trace.h into the current directory at start
	// (debug, when set, says what happened there).
	traceH bool
	debug  io.Writer

	flushed time.Time // last flush by Idle
}

// NewBinWriter returns a recording writer on out, with the header header
// returns at Start. SetOutput may give out later, before Start.
func NewBinWriter(out io.Writer, header func() record.Header) *BinWriter {
	return &BinWriter{out: out, header: header}
}

// SetOutput sets the output, before Start.
func (s *BinWriter) SetOutput(out io.Writer) { s.out = out }

func (s *BinWriter) Start() error {
	if s.traceH {
		writeTraceH(s.debug)
	}
	w, err := record.NewWriter(s.out, s.header())
	if err != nil {
		return err
	}
	s.w = w
	return nil
}
func (s *BinWriter) Event(ev *event.Event) error { return s.w.Write(ev) }

// Idle flushes at most once a second: a slow trace reaches the file
// soon, a fast one in large writes.
func (s *BinWriter) Idle() error {
	if s.w == nil || time.Since(s.flushed) < time.Second {
		return nil
	}
	s.flushed = time.Now()
	return s.w.Flush()
}
func (s *BinWriter) Finish() error {
	if s.w == nil {
		return nil
	}
	return s.w.Close()
}
func (s *BinWriter) Flush() error {
	if s.w == nil {
		return nil
	}
	return s.w.Flush()
}

// writeTraceH writes trace.h into the current directory when it is
// writable and has none, as the original strace.ebpf did; debug hears
// what happened.
func writeTraceH(debug io.Writer) {
	written, err := record.WriteTraceH(".")
	if debug == nil {
		return
	}
	switch {
	case err != nil:
		fmt.Fprintf(debug, "strace.ebpf: skipping trace.h: %v\n", err)
	case !written:
		fmt.Fprintln(debug, "strace.ebpf: skipping trace.h: the current directory already has one")
	default:
		fmt.Fprintln(debug, "strace.ebpf: wrote trace.h, the C description of the bin format")
	}
}
