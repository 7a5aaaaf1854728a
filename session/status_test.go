package session

import (
	"bytes"
	"testing"
	"time"
)

func TestStatusLineText(t *testing.T) {
	var st Status
	st.events.Store(1234)
	st.written.Store(3 << 20)
	st.SetLost(7)
	now := time.Unix(100, 0)
	if got, want := st.line(512, now), "strace.ebpf: 512 events/s, 1234 events, 3.0M written, 7 lost"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	// The engine's lossless pauses: two done (1.5s), one on for 2s.
	st.SetPaused(2, 1500*time.Millisecond, now.Add(-2*time.Second))
	if got, want := st.line(0, now), "strace.ebpf: 0 events/s, 1234 events, 3.0M written, 7 lost, paused now 3.5s in 2"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	st.SetPaused(3, 3500*time.Millisecond, time.Time{})
	if got, want := st.line(0, now), "strace.ebpf: 0 events/s, 1234 events, 3.0M written, 7 lost, paused 3.5s in 3"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

// The line waits for the delay, yields to the trace's own writes on the
// same terminal, and is erased at the end.
func TestStatusLineDraw(t *testing.T) {
	var buf bytes.Buffer
	var st Status
	l := newStatusLine(&st, &buf, nil)
	l.delay, l.every = 10*time.Millisecond, 10*time.Millisecond
	l.start()
	time.Sleep(50 * time.Millisecond)
	l.end()
	got := buf.String()
	if !bytes.Contains(buf.Bytes(), []byte("\r\x1b[Kstrace.ebpf: ")) || got[len(got)-4:] != "\r\x1b[K" {
		t.Errorf("drawn %q: want lines, the last erased", got)
	}
}
