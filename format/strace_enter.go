package format

import (
	"sort"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// strace prints a call's first half when it enters and the rest when it
// returns; when another thread's line comes in between, the first half
// ends with "<unfinished ...>" and the rest comes later as "<... read
// resumed>". Events come here when calls return, so a call that sleeps
// sends its enter half first (event.Entered): it waits here, and is shown
// as unfinished as soon as another thread's line is printed.

// enteredCall is a call whose enter half came and whose end has not.
type enteredCall struct {
	ev    event.Event
	shown bool // its "<unfinished ...>" line is out
}

// enter keeps the enter half of a sleeping call.
func (s *Strace) enter(ev *event.Event) {
	if s.entered == nil {
		s.entered = map[uint32]*enteredCall{}
	}
	if old := s.entered[ev.TID]; old != nil && !old.shown {
		s.hidden--
	}
	e := &enteredCall{ev: *ev}
	// The event and its Data slice are reused by the caller; the captured
	// bytes are not.
	e.ev.Data = append([]event.Data(nil), ev.Data...)
	e.ev.Flags = e.ev.Flags&^event.Entered | event.Unfinished
	s.entered[ev.TID] = e
	s.hidden++
}

// overtake prints, before a line of thread tid, the "<unfinished ...>"
// line of every other thread's sleeping call not shown yet, in the order
// they entered.
func (s *Strace) overtake(dst []byte, tid uint32) []byte {
	if s.hidden == 0 {
		return dst
	}
	var calls []*enteredCall
	for t, e := range s.entered {
		if t != tid && !e.shown {
			calls = append(calls, e)
		}
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].ev.TS < calls[j].ev.TS })
	for _, e := range calls {
		dst = s.appendSyscallMode(dst, &e.ev, enteredOnly)
		dst = append(dst, '\n')
		e.shown = true
		s.hidden--
	}
	return dst
}

// endEntered ends the sleeping call of a thread that exits without
// returning from it (another thread called exit_group, or a signal killed
// the process): strace shows it returning "?".
func (s *Strace) endEntered(dst []byte, tid uint32) []byte {
	e := s.entered[tid]
	if e == nil {
		return dst
	}
	delete(s.entered, tid)
	if !e.shown {
		s.hidden--
	}
	start := len(dst)
	if e.shown {
		dst = s.prefix(dst, tid, e.ev.TS)
		dst = append(dst, "<... "...)
		dst = append(dst, s.tab.Personality(e.ev.Flags&event.Compat != 0).Name(int(e.ev.Nr))...)
		dst = append(dst, " resumed>"...)
	} else {
		dst = s.appendSyscallMode(dst, &e.ev, enteredOnly)
	}
	dst = append(dst, ')')
	dst = padTo(dst, start, s.column())
	dst = append(dst, " = ?\n"...)
	s.lastTID, s.lastEnd = tid, e.ev.TS
	return dst
}
