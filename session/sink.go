package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Sink is where events end: the script pipeline with a text format, a
// native writer, or a combination (tee, per-process split).
type Sink interface {
	Event(ev *event.Event) error // an event, live or replayed
	Idle() error                 // a pause: flush
	Start() error                // before the first event
	Finish() error               // after the last event: on_exit hooks, end of document, flush
	Flush() error                // flush after a failure, without finishing
}

var _ Sink = (*script.Pipeline)(nil)

type jsonSink struct {
	w   *bufio.Writer
	tab *syscalls.Table
	buf []byte
}

func (s *jsonSink) Start() error { return nil }
func (s *jsonSink) Event(ev *event.Event) error {
	s.buf = format.AppendJSON(s.buf[:0], ev, s.tab)
	s.buf = append(s.buf, '\n')
	_, err := s.w.Write(s.buf)
	return err
}
func (s *jsonSink) Idle() error   { return s.Flush() }
func (s *jsonSink) Finish() error { return s.Flush() }
func (s *jsonSink) Flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing trace: %w", err)
	}
	return nil
}

type perfettoSink struct {
	p   *format.Perfetto
	w   *bufio.Writer
	tab *syscalls.Table
}

func (s *perfettoSink) Start() error {
	s.p = format.NewPerfetto(s.tab)
	return s.p.Begin(s.w)
}
func (s *perfettoSink) Event(ev *event.Event) error { return s.p.Event(ev) }
func (s *perfettoSink) Idle() error                 { return s.Flush() }
func (s *perfettoSink) Finish() error {
	if err := s.p.End(); err != nil {
		return err
	}
	return s.Flush()
}
func (s *perfettoSink) Flush() error {
	if s.p != nil {
		if err := s.p.Flush(); err != nil {
			return err
		}
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing trace: %w", err)
	}
	return nil
}

// binSink writes a recording. Its header is written by Start, when the
// output is open.
type binSink struct {
	out io.Writer
	hdr record.Header
	w   *record.Writer
	// traceH: -l bin writes trace.h into the current directory at start
	// (-d says what happened there).
	traceH bool
	debug  io.Writer

	flushed time.Time // last flush by Idle
}

func (s *binSink) Start() error {
	if s.traceH {
		writeTraceH(s.debug)
	}
	w, err := record.NewWriter(s.out, s.hdr)
	if err != nil {
		return err
	}
	s.w = w
	return nil
}
func (s *binSink) Event(ev *event.Event) error { return s.w.Write(ev) }

// Idle flushes at most once a second: a slow trace reaches the file
// soon, a fast one in large writes.
func (s *binSink) Idle() error {
	if s.w == nil || time.Since(s.flushed) < time.Second {
		return nil
	}
	s.flushed = time.Now()
	return s.w.Flush()
}
func (s *binSink) Finish() error {
	if s.w == nil {
		return nil
	}
	return s.w.Close()
}
func (s *binSink) Flush() error {
	if s.w == nil {
		return nil
	}
	return s.w.Flush()
}

// scriptedSink runs the scripts in front of a native format: the syscalls
// every stage keeps go on to it (script.Pipeline.SetSink). A stage that
// drops an event or prints its own line (a string return) ends the
// pipeline for that event, as with the stock formats. Other events (exits,
// signals, lost counts) reach the native format whatever the scripts do.
// What the scripts print goes to their own text channel, never into the
// native format's stream.
type scriptedSink struct {
	pipe *script.Pipeline
	next Sink
}

func newScripted(pipe *script.Pipeline, next Sink) *scriptedSink {
	pipe.SetSink(func(ev *event.Event) error {
		if ev.Kind != event.Syscall {
			return nil // passed on by Event below
		}
		// Scripts' output first, then the format's record of the event.
		if err := pipe.Flush(); err != nil {
			return err
		}
		return next.Event(ev)
	})
	return &scriptedSink{pipe: pipe, next: next}
}

func (s *scriptedSink) Start() error {
	if err := s.pipe.Start(); err != nil {
		return err
	}
	return s.next.Start()
}

func (s *scriptedSink) Event(ev *event.Event) error {
	if err := s.pipe.Event(ev); err != nil {
		return err
	}
	if ev.Kind != event.Syscall {
		if err := s.pipe.Flush(); err != nil {
			return err
		}
		return s.next.Event(ev)
	}
	return nil
}

func (s *scriptedSink) Idle() error { return errors.Join(s.pipe.Idle(), s.next.Idle()) }
func (s *scriptedSink) Finish() error {
	err := s.pipe.Finish()
	return errors.Join(err, s.next.Finish())
}
func (s *scriptedSink) Flush() error {
	err := s.pipe.Flush()
	return errors.Join(err, s.next.Flush())
}

// teeSink records every event (--record) before handing it to the format.
type teeSink struct {
	path string
	rec  *binSink
	file *os.File
	next Sink
}

// Start creates the recording file (mode 0600, like -o) and starts both.
func (t *teeSink) Start() error {
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("opening recording: %w", err)
	}
	t.file, t.rec.out = f, f
	if err := t.rec.Start(); err != nil {
		return err
	}
	return t.next.Start()
}
func (t *teeSink) Event(ev *event.Event) error {
	if err := t.rec.Event(ev); err != nil {
		return err
	}
	return t.next.Event(ev)
}
func (t *teeSink) Idle() error { return errors.Join(t.rec.Idle(), t.next.Idle()) }
func (t *teeSink) Finish() error {
	return errors.Join(t.next.Finish(), t.closeRec(t.rec.Finish()))
}
func (t *teeSink) Flush() error {
	return errors.Join(t.next.Flush(), t.closeRec(t.rec.Flush()))
}

func (t *teeSink) closeRec(err error) error {
	if t.file == nil {
		return err
	}
	if cerr := t.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing recording: %w", cerr)
	}
	t.file = nil
	return err
}

// filterSink holds events to the selection before the next sink: one
// place for every filter the kernel did not apply, live or replayed.
type filterSink struct {
	sel  *Selection
	next Sink
}

func (f *filterSink) Event(ev *event.Event) error {
	if !f.sel.Keep(ev) {
		return nil
	}
	return f.next.Event(ev)
}
func (f *filterSink) Idle() error   { return f.next.Idle() }
func (f *filterSink) Start() error  { return f.next.Start() }
func (f *filterSink) Finish() error { return f.next.Finish() }
func (f *filterSink) Flush() error  { return f.next.Flush() }

// stripFdsSink drops the fd descriptions -P needed, when -y did not ask
// to show them.
type stripFdsSink struct{ next Sink }

func (f *stripFdsSink) Event(ev *event.Event) error {
	dropFds(ev)
	return f.next.Event(ev)
}
func (f *stripFdsSink) Idle() error   { return f.next.Idle() }
func (f *stripFdsSink) Start() error  { return f.next.Start() }
func (f *stripFdsSink) Finish() error { return f.next.Finish() }
func (f *stripFdsSink) Flush() error  { return f.next.Flush() }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
