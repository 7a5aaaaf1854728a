package engine

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/cilium/ebpf/ringbuf"
)

// Abandon is the user's second Ctrl-C (or SIGTERM, SIGHUP): stop now, in
// whatever state the session is. It may be called from any goroutine while
// Run runs. The traced processes are thawed for good at once, before
// anything else (a lossless pause must not wait for a reader that is
// behind); Run then stops at the next record: it detaches, and the records
// still queued are counted (Result.Unread), not handed to the handler.
// Cancel Run's context too, so that it does not wait for the command.
func (s *Session) Abandon() {
	s.abandoned.Store(true)
	if f := s.freezer; f != nil {
		f.release()
	}
}

// abandon ends Run after Abandon: the programs detached, the queue
// counted and dropped, the command left running.
func (s *Session) abandon(ctx context.Context, res Result) (Result, error) {
	s.detach()
	if s.freezer != nil {
		s.freezer.release()
	}
	var rec ringbuf.Record
	s.reader.SetDeadline(time.Now())
	for {
		err := s.reader.ReadInto(&rec)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, ringbuf.ErrFlushed) {
				s.debugf("abandoning: reading the ring buffer: %v", err)
			}
			break
		}
		res.Unread++
	}
	s.debugf("abandoned: %d queued records not delivered", res.Unread)
	return s.finish(ctx, res, nil)
}
