package format

import "github.com/strace-ebpf/strace.ebpf/internal/event"

// restartHold keeps back the line of a call that returned one of the
// kernel's ERESTART* errors until the thread's next event says how it
// ends. A thread killed in a call (SIGKILL, or a fatal signal turned into
// one, or another thread's exit_group or execve) still passes the kernel's
// sys_exit with ERESTART*, then its SIGKILL delivery: strace, which never
// sees that exit (ptrace stops no dying thread), prints "= ?"; a thread
// that goes on prints "= ? ERESTARTSYS (...)" as strace does. Other
// threads' lines go on meanwhile (strace too prints the "?" when it sees
// the thread die).
type restartHold struct {
	on   bool                 // StraceWriter holds; AppendStrace and scripts print at once
	held map[uint32]*heldCall // by thread
	free []*heldCall          // released, for reuse

	// prev is each thread's last call other than restart_syscall, which
	// restart_syscall resumes (strace's s_prev_ent).
	prev map[uint32]string
}

// heldCall is a copy of a call kept back, its Data deep-copied (the
// caller reuses the event's memory).
type heldCall struct {
	ev   event.Event
	data []event.Data
	buf  []byte
}

// Append appends the lines of ev without the final newline; a call
// interrupted by another thread's line comes out as two lines, the
// "<unfinished ...>" and the "<... resumed>" one. It appends nothing for an
// event that makes no line (a process no longer shown with -b execve, the
// kernel's SIGKILL). A writer's Strace (StraceWriter) keeps back a call
// that returned ERESTART* until its thread's next event (see
// restartHold): that event's Append, or Release, appends it.
func (s *Strace) Append(dst []byte, ev *event.Event) []byte {
	s.notePrev(ev)
	if !s.restart.on {
		return s.appendEvent(dst, ev)
	}
	start := len(dst)
	if ev.Kind == event.Lost {
		dst = s.releaseAll(dst)
	} else if h := s.restart.held[ev.TID]; h != nil {
		killed := ev.Kind == event.Signal && !s.signalShown(ev)
		dst = s.release(dst, h, killed)
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

// Release appends the lines kept back, if any, without the final newline
// (the writer's Idle and Finish: the stream pauses or ends).
func (s *Strace) Release(dst []byte) []byte {
	start := len(dst)
	return trimNewline(s.releaseAll(dst), start)
}

// releaseAll appends every line kept back, oldest first, each with its
// newline.
func (s *Strace) releaseAll(dst []byte) []byte {
	for len(s.restart.held) > 0 {
		var first *heldCall
		for _, h := range s.restart.held {
			if first == nil || h.ev.TS < first.ev.TS || (h.ev.TS == first.ev.TS && h.ev.TID < first.ev.TID) {
				first = h
			}
		}
		dst = s.release(dst, first, false)
	}
	return dst
}

// release appends the line kept back h and a newline; killed: the thread
// died in the call, which strace shows returning "?".
func (s *Strace) release(dst []byte, h *heldCall, killed bool) []byte {
	delete(s.restart.held, h.ev.TID)
	s.restart.free = append(s.restart.free, h)
	if killed {
		h.ev.Flags |= event.NoReturn
	}
	n := len(dst)
	dst = s.appendEvent(dst, &h.ev)
	if len(dst) > n {
		dst = append(dst, '\n')
	}
	return dst
}

// hold keeps a copy of ev back (its thread has none held: its previous
// one was released by this event).
func (s *Strace) hold(ev *event.Event) {
	var h *heldCall
	if n := len(s.restart.free); n > 0 {
		h, s.restart.free = s.restart.free[n-1], s.restart.free[:n-1]
	} else {
		h = &heldCall{}
	}
	if s.restart.held == nil {
		s.restart.held = map[uint32]*heldCall{}
	}
	s.restart.held[ev.TID] = h
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
