package format

import "github.com/strace-ebpf/strace.ebpf/internal/event"

// restartHold keeps back the line of a call that returned one of the
// kernel's ERESTART* errors until the thread's next event says how it
// ends. A thread killed in a call (SIGKILL, or a fatal signal turned into
// one, or another thread's exit_group) still passes the kernel's
// sys_exit with ERESTART*, then its SIGKILL delivery: strace, which
// never sees that exit (ptrace stops no dying thread), prints "= ?";
// a thread that goes on prints "= ? ERESTARTSYS (...)" as strace does.
type restartHold struct {
	on   bool         // StraceWriter holds; AppendStrace and scripts print at once
	held bool         // ev is a call kept back
	ev   event.Event  // its copy, Data deep-copied
	data []event.Data // ev.Data's storage
	buf  []byte       // the bytes of ev.Data

	// prev is each thread's last call other than restart_syscall, which
	// restart_syscall resumes (strace's s_prev_ent).
	prev map[uint32]string
}

// Append appends the lines of ev without the final newline; a call
// interrupted by another thread's line comes out as two lines, the
// "<unfinished ...>" and the "<... resumed>" one. It appends nothing for an
// event that makes no line (a process no longer shown with -b execve, the
// kernel's SIGKILL). A writer's Strace (StraceWriter) keeps back a call
// that returned ERESTART* until the next event (see restartHold): that
// event's Append, or Release, appends it.
func (s *Strace) Append(dst []byte, ev *event.Event) []byte {
	s.notePrev(ev)
	if !s.restart.on {
		return s.appendEvent(dst, ev)
	}
	start := len(dst)
	if s.restart.held {
		killed := ev.Kind == event.Signal && ev.TID == s.restart.ev.TID && !s.signalShown(ev)
		dst = s.release(dst, killed)
	}
	if ev.Kind == event.Syscall && ev.Flags&event.Entered == 0 && !s.detached[ev.PID] {
		if e := ev.Errno(); e >= 512 && e <= 530 {
			s.hold(ev)
			return trimNewline(dst, start)
		}
	}
	n := len(dst)
	dst = s.appendEvent(dst, ev)
	if len(dst) == n {
		return trimNewline(dst, start)
	}
	return dst
}

// Release appends the line kept back, if any, without the final newline
// (the writer's Idle and Finish: the stream pauses or ends).
func (s *Strace) Release(dst []byte) []byte {
	if !s.restart.held {
		return dst
	}
	start := len(dst)
	return trimNewline(s.release(dst, false), start)
}

// release appends the line kept back and a newline; killed: the thread
// died in the call, which strace shows returning "?".
func (s *Strace) release(dst []byte, killed bool) []byte {
	s.restart.held = false
	ev := &s.restart.ev
	if killed {
		ev.Flags |= event.NoReturn
	}
	n := len(dst)
	dst = s.appendEvent(dst, ev)
	if len(dst) > n {
		dst = append(dst, '\n')
	}
	return dst
}

// hold copies ev, whose memory the caller reuses.
func (s *Strace) hold(ev *event.Event) {
	h := &s.restart
	h.held = true
	h.ev = *ev
	h.data = append(h.data[:0], ev.Data...)
	size := 0
	for _, d := range ev.Data {
		size += len(d.Bytes)
	}
	if cap(h.buf) < size {
		h.buf = make([]byte, 0, size)
	}
	h.buf = h.buf[:0]
	for i := range h.data {
		off := len(h.buf)
		h.buf = append(h.buf, h.data[i].Bytes...)
		h.data[i].Bytes = h.buf[off:len(h.buf):len(h.buf)]
	}
	h.ev.Data = h.data
}

// trimNewline drops the newline release left after the lines from start
// when nothing follows it.
func trimNewline(dst []byte, start int) []byte {
	if len(dst) > start && dst[len(dst)-1] == '\n' {
		return dst[:len(dst)-1]
	}
	return dst
}

// notePrev records the call a thread's restart_syscall resumes: its last
// other call.
func (s *Strace) notePrev(ev *event.Event) {
	switch ev.Kind {
	case event.Syscall:
		if ev.Flags&event.Entered != 0 {
			return
		}
		name := s.tab.Personality(ev.Flags&event.Compat != 0).Name(int(ev.Nr))
		if name == "" || name == "restart_syscall" {
			return
		}
		if s.restart.prev == nil {
			s.restart.prev = map[uint32]string{}
		}
		s.restart.prev[ev.TID] = name
	case event.Exit:
		delete(s.restart.prev, ev.TID)
	}
}

// restartSyscall prints what restart_syscall resumes, as strace:
// "<... resuming interrupted clock_nanosleep ...>".
func (c *call) restartSyscall() {
	c.addf(false, func(d []byte) []byte {
		name, ok := c.s.restart.prev[c.ev.TID]
		if !ok {
			name = "system call"
		}
		d = append(d, "<... resuming interrupted "...)
		d = append(d, name...)
		return append(d, " ...>"...)
	})
}
