package engine

import (
	"reflect"
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
