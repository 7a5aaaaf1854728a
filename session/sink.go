package session

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/script"
)

// Sink is where events end: a format's writer, or a combination (the
// scripts in front of a writer, tee, per-process split, the filter).
type Sink = format.Writer

var _ Sink = (*script.Pipeline)(nil)

// scriptedSink runs the scripts in front of a format's writer: the syscalls
// every stage keeps go on to it (script.Pipeline.SetSink). A stage that
// drops an event or prints its own line (a string return) ends the
// pipeline for that event. Other events (exits, signals, lost counts)
// reach the format whatever the scripts do, after the scripts saw them.
// With a text format the scripts print into the format's own buffer
// (shared), in the order of the events; next to json, perfetto and bin
// they print to their own channel, flushed before each record so that the
// two streams interleave in order.
type scriptedSink struct {
	pipe   *script.Pipeline
	next   Sink
	shared bool
}

// newScripted puts pipe in front of next; nil next: the scripts are the
// whole output (-c).
func newScripted(pipe *script.Pipeline, next Sink, shared bool) Sink {
	if next == nil {
		return pipe
	}
	s := &scriptedSink{pipe: pipe, next: next, shared: shared}
	pipe.SetSink(func(ev *event.Event) error {
		if ev.Kind != event.Syscall {
			return nil // passed on by Event below
		}
		return s.pass(ev)
	})
	return s
}

// pass hands ev to the format, after what the scripts printed.
func (s *scriptedSink) pass(ev *event.Event) error {
	if !s.shared {
		if err := s.pipe.Flush(); err != nil {
			return err
		}
	}
	return s.next.Event(ev)
}

// Start runs on_start, then starts the format: that too when on_start
// failed, so that the outputs can be finished (Session.finish).
func (s *scriptedSink) Start() error {
	err := s.pipe.Start()
	return errors.Join(err, s.next.Start())
}

func (s *scriptedSink) Event(ev *event.Event) error {
	if err := s.pipe.Event(ev); err != nil {
		return err
	}
	if ev.Kind != event.Syscall {
		return s.pass(ev)
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
	rec  *format.BinWriter
	file *os.File
	next Sink
}

// Start creates the recording file (mode 0600, like -o) and starts both.
func (t *teeSink) Start() error {
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("opening recording: %w", err)
	}
	t.file = f
	t.rec.SetOutput(f)
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
	sel     *Selection
	next    Sink
	present func(tid uint32) // presenceOf(next)
}

func (f *filterSink) Event(ev *event.Event) error {
	if !f.sel.Keep(ev) {
		presentEvent(f.present, ev)
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
