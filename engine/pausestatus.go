package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pauseStatusAfter is how long the command stays paused before the status
// line shows.
const pauseStatusAfter = time.Second

// watchPauses keeps a status line on w (a terminal, Config.PauseStatus), or
// feeds Config.OnPause,
// while the traced processes have been paused for more than a second: for
// how long, how much the reader has still to read, how many records the
// kernel lost. The line is rewritten in place and cleared at the thaw. It
// returns when stop is closed.
func (s *Session) watchPauses(w io.Writer, f *freezer, stop <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var since time.Time
	shown := false
	var pauses int
	var total time.Duration
	clear := func() {
		if !since.IsZero() {
			total += time.Since(since)
			since = time.Time{}
			if s.cfg.OnPause != nil {
				s.cfg.OnPause(pauses, total, since)
			}
		}
		if shown {
			fmt.Fprint(w, "\r\033[K")
			shown = false
		}
	}
	for {
		select {
		case <-stop:
			clear()
			return
		case <-t.C:
		}
		b, err := os.ReadFile(filepath.Join(f.dir, "cgroup.freeze"))
		if err != nil || strings.TrimSpace(string(b)) != "1" {
			clear()
			continue
		}
		if since.IsZero() {
			since = time.Now()
			pauses++
		}
		if s.cfg.OnPause != nil {
			s.cfg.OnPause(pauses, total, since)
			continue
		}
		d := time.Since(since)
		if d < pauseStatusAfter {
			continue
		}
		lost, _ := s.Lost()
		fmt.Fprintf(w, "\rstrace.ebpf: paused %.1fs for the trace to catch up: %s queued, %d records lost\033[K",
			d.Seconds(), byteSize(s.reader.AvailableBytes()), lost)
		shown = true
	}
}

// byteSize writes n bytes for a person.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
