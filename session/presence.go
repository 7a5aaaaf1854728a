package session

import "github.com/strace-ebpf/strace.ebpf/internal/event"

// presenceOf finds, behind the sinks in front of it, a format writer that
// keeps track of the traced threads (the strace format's [pid N] prefix),
// and returns how to tell it of a thread whose lines filters hide; nil when
// there is none.
func presenceOf(s Sink) func(tid uint32) {
	for s != nil {
		switch w := s.(type) {
		case interface{ Present(uint32) }:
			return w.Present
		case *filterSink:
			s = w.next
		case *teeSink:
			s = w.next
		case *stripFdsSink:
			s = w.next
		case *scriptedSink:
			s = w.next
		default:
			return nil
		}
	}
	return nil
}

// presentEvent tells present of the thread of an event the filter drops.
func presentEvent(present func(uint32), ev *event.Event) {
	if present != nil && ev.Kind == event.Syscall {
		present(ev.TID)
	}
}

// markTraced tells the format of the processes traced from the start (the
// launched command, -p processes), before any of their lines.
func (s *Session) markTraced() {
	if s.live == nil || s.live.sess == nil {
		return
	}
	present := presenceOf(s.sink)
	if present == nil {
		return
	}
	if pid := s.live.sess.ChildPID(); pid != 0 {
		present(uint32(pid))
	}
	for _, pid := range s.plan.PIDs {
		present(uint32(pid))
	}
}
