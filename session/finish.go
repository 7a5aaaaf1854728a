package session

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/strace-ebpf/strace.ebpf/script"
)

// finish ends the outputs after the source stopped, however it stopped:
// the end of the trace or the recording, a signal, a bad recording, a
// script's error or an output's. Each writer gets its end (json's "]}",
// the recording's end record) and the scripts' on_exit run, so what they
// gathered is printed. It returns the error to report when the run itself
// succeeded; after a failed run, that failure is the one reported, and
// what finishing added (an on_exit that failed too) is said on lines of
// its own.
func (s *Session) finish(runErr error) error {
	finErr := s.sink.Finish()
	var recErr *errRecording
	if runErr == nil || errors.As(runErr, &recErr) || finErr == nil {
		return finErr
	}
	var se *script.Error
	if !errors.As(runErr, &se) {
		// An output failed: finishing it fails the same way, and says
		// nothing new.
		return nil
	}
	for _, err := range leaves(finErr) {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		fmt.Fprintf(s.plan.Stderr, "strace.ebpf: finishing after the error: %s\n", msg)
	}
	return nil
}

// finishStart ends the outputs when starting them failed: after a
// script's on_start, as after any script error, the outputs are finished
// and every on_exit runs; otherwise (a file that could not be made) what
// started is flushed.
func (s *Session) finishStart(err error) {
	var se *script.Error
	if errors.As(err, &se) {
		s.finish(err)
		return
	}
	s.sink.Flush()
}

// outputError is a failed write to the trace's destination (-o, or
// stdout or stderr).
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// ReaderGone says err is the trace's reader going away (strace.ebpf ... |
// head -1): a write of the trace into a pipe nobody reads any more, which
// tools end on without a message.
func ReaderGone(err error) bool {
	var oe *outputError
	return errors.As(err, &oe) && errors.Is(oe, syscall.EPIPE)
}

// leaves flattens joined errors.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// warn says what a script's error stopped when the trace goes on
// (--script-errors=stop-script or skip-event).
func (b *built) warn(msg string) {
	fmt.Fprintf(b.plan.Stderr, "strace.ebpf: %s\n", msg)
}
