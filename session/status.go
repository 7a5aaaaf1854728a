package session

// The live status line: while a run lasts, on a terminal, one line on
// stderr with the events per second, the events and bytes written, the
// events lost and the time paused, redrawn every second and erased at
// the end. Status holds the figures; the session counts events and
// output, reads the kernel's lost count, and the engine's lossless
// pauses feed SetPaused.

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Status is a run's live figures.
type Status struct {
	events      atomic.Uint64
	written     atomic.Uint64
	lost        atomic.Uint64
	pauses      atomic.Int64
	pausedNS    atomic.Int64
	pausedSince atomic.Int64 // UnixNano the current pause began; 0 when running
}

// SetPaused records the pauses so far (lossless tracing: the traced
// processes frozen while the reader catches up): how many, their total
// length, and when the current one began (zero time when none is on).
func (st *Status) SetPaused(pauses int, total time.Duration, since time.Time) {
	st.pauses.Store(int64(pauses))
	st.pausedNS.Store(int64(total))
	if since.IsZero() {
		st.pausedSince.Store(0)
	} else {
		st.pausedSince.Store(since.UnixNano())
	}
}

// SetLost records the events lost so far.
func (st *Status) SetLost(n uint64) { st.lost.Store(n) }

// line is the status line's text at now, rate the events per second.
func (st *Status) line(rate float64, now time.Time) string {
	s := "strace.ebpf: " + strconv.FormatFloat(rate, 'f', 0, 64) + " events/s, " +
		strconv.FormatUint(st.events.Load(), 10) + " events, " + byteSize(st.written.Load()) + " written, " +
		strconv.FormatUint(st.lost.Load(), 10) + " lost"
	if n := st.pauses.Load(); n > 0 || st.pausedSince.Load() != 0 {
		paused := time.Duration(st.pausedNS.Load())
		if since := st.pausedSince.Load(); since != 0 {
			paused += now.Sub(time.Unix(0, since))
			s += ", paused now"
		} else {
			s += ", paused"
		}
		s += " " + paused.Round(time.Millisecond).String() + " in " + strconv.FormatInt(max(n, 1), 10)
	}
	return s
}

func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fK", float64(n)/(1<<10))
	}
	return strconv.FormatUint(n, 10) + "B"
}

// statusLine draws a Status on a terminal.
type statusLine struct {
	st    *Status
	w     io.Writer // the terminal
	delay time.Duration
	every time.Duration
	lost  func() (uint64, error) // the kernel's lost count; nil on a replay

	mu        sync.Mutex
	shown     bool      // a line is on the terminal
	lastWrite time.Time // the trace's last write to the same terminal
	stop      chan struct{}
	done      chan struct{}
}

// statusDelay is how long a run goes before its status line shows.
const statusDelay = 2 * time.Second

func newStatusLine(st *Status, w io.Writer, lost func() (uint64, error)) *statusLine {
	return &statusLine{st: st, w: w, delay: statusDelay, every: time.Second, lost: lost,
		stop: make(chan struct{}), done: make(chan struct{})}
}

// start draws the line every second from the delay on, until end.
func (l *statusLine) start() {
	go func() {
		defer close(l.done)
		select {
		case <-time.After(l.delay):
		case <-l.stop:
			return
		}
		t := time.NewTicker(l.every)
		defer t.Stop()
		prevEv, prev := l.st.events.Load(), time.Now()
		for {
			now := time.Now()
			ev := l.st.events.Load()
			rate := float64(ev-prevEv) / max(now.Sub(prev).Seconds(), 1e-3)
			prevEv, prev = ev, now
			if l.lost != nil {
				if n, err := l.lost(); err == nil {
					l.st.SetLost(n)
				}
			}
			l.draw(l.st.line(rate, now), now)
			select {
			case <-t.C:
			case <-l.stop:
				return
			}
		}
	}()
}

// draw puts text on the terminal, unless the trace wrote there within
// the last second (its lines come first).
func (l *statusLine) draw(text string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastWrite) < l.every {
		return
	}
	io.WriteString(l.w, "\r\x1b[K"+text)
	l.shown = true
}

// beforeWrite erases the line before the trace writes to the same
// terminal.
func (l *statusLine) beforeWrite() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.eraseLocked()
	l.lastWrite = time.Now()
}

func (l *statusLine) eraseLocked() {
	if l.shown {
		io.WriteString(l.w, "\r\x1b[K")
		l.shown = false
	}
}

// end stops the line and erases it.
func (l *statusLine) end() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	l.eraseLocked()
	l.mu.Unlock()
}

// startStatus starts the status line of Plan.StatusLine, if any.
func (s *Session) startStatus() *statusLine {
	if s.status == nil {
		s.status = &Status{}
	}
	p := s.plan
	if p.StatusLine == nil {
		return nil
	}
	var lost func() (uint64, error)
	if s.live != nil && s.live.sess != nil {
		lost = s.live.sess.Lost
	}
	l := newStatusLine(s.status, p.StatusLine, lost)
	s.out.written = &s.status.written
	if s.out.w == p.StatusLine || (s.out.w == p.Stderr && p.Stderr == p.StatusLine) {
		s.out.line = l
	}
	l.start()
	return l
}
