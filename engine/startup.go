package engine

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
)

// debugVerifier prints (-d) what the verifier did for each program: the
// instructions it processed and the time it took, as the kernel measured
// them, and their sum: the part of start-up the configuration decides.
func (s *Session) debugVerifier() {
	if s.cfg.Debug == nil {
		return
	}
	var insns int
	var total time.Duration
	v := reflect.ValueOf(s.objs.TracerPrograms)
	for i := 0; i < v.NumField(); i++ {
		p, ok := v.Field(i).Interface().(*ebpf.Program)
		if !ok || p == nil || p.VerifierLog == "" {
			continue
		}
		st := parseVerifierStats(v.Type().Field(i).Tag.Get("ebpf"), p.VerifierLog)
		insns += st.Insns
		total += st.Time
		s.debugf("verifier %s: %d insns processed, %d states, in %v", st.Name, st.Insns, st.States, st.Time)
	}
	s.debugf("verifier: %d insns processed in all, in %v", insns, total)
}

// processStart is about when the tracer began: package initialisation
// runs a few milliseconds after its exec.
var processStart = time.Now()

// startupMarks are the moments of start-up (-d prints them as one line),
// from the goroutines that load in parallel too.
type startupMarks struct {
	mu    sync.Mutex
	marks []startupMark
}

type startupMark struct {
	what string
	at   time.Duration
}

// mark notes that what is done, now.
func (s *Session) mark(what string) {
	at := time.Since(processStart)
	s.startup.mu.Lock()
	s.startup.marks = append(s.startup.marks, startupMark{what, at})
	s.startup.mu.Unlock()
}

// debugStartup prints (-d) start-up's moments in the order they came, in
// milliseconds since the tracer began.
func (s *Session) debugStartup() {
	if s.cfg.Debug == nil {
		return
	}
	s.startup.mu.Lock()
	marks := slices.Clone(s.startup.marks)
	s.startup.mu.Unlock()
	slices.SortStableFunc(marks, func(a, b startupMark) int { return cmp.Compare(a.at, b.at) })
	var b strings.Builder
	for i, m := range marks {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.1f", m.what, float64(m.at.Microseconds())/1000)
	}
	s.debugf("start-up, ms since the tracer began: %s", b.String())
}
