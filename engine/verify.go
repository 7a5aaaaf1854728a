package engine

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"time"

	"github.com/cilium/ebpf"
)

// ProgramStats is what the kernel's verifier reported for one program.
type ProgramStats struct {
	Name      string
	Insns     int           // instructions processed
	States    int           // total states
	PeakState int           // peak states
	Time      time.Duration // verification time, as the kernel measured it
}

func (p ProgramStats) String() string {
	return fmt.Sprintf("%-18s %7d insns %6d states %6d peak %9v", p.Name, p.Insns, p.States, p.PeakState, p.Time)
}

var (
	processedRe = regexp.MustCompile(`processed (\d+) insns .*?total_states (\d+) peak_states (\d+)`)
	verifTimeRe = regexp.MustCompile(`verification time (\d+) usec`)
)

// parseVerifierStats reads the statistics lines of a verifier log (BPF_LOG_STATS).
func parseVerifierStats(name, log string) ProgramStats {
	st := ProgramStats{Name: name}
	if m := processedRe.FindStringSubmatch(log); m != nil {
		st.Insns, _ = strconv.Atoi(m[1])
		st.States, _ = strconv.Atoi(m[2])
		st.PeakState, _ = strconv.Atoi(m[3])
	}
	if m := verifTimeRe.FindStringSubmatch(log); m != nil {
		us, _ := strconv.Atoi(m[1])
		st.Time = time.Duration(us) * time.Microsecond
	}
	return st
}

// Verify loads the programs with cfg's kernel configuration, as New would,
// and unloads them: nothing is attached, no command is started. It returns
// the verifier's statistics per program, or the load's error (a
// *VerifierRejected when the verifier refuses one).
func Verify(cfg Config) ([]ProgramStats, error) {
	cfg.setDefaults()
	if cfg.RingSize == 0 {
		cfg.RingSize = 1 << 20 // a small ring: nothing is sent
	}
	if err := Available(); err != nil {
		return nil, err
	}
	if err := CheckFeatures(cfg); err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, verifyOnly: true}
	defer s.Close()
	if err := s.load(); err != nil {
		return nil, err
	}
	var stats []ProgramStats
	v := reflect.ValueOf(s.objs.TracerPrograms)
	for i := 0; i < v.NumField(); i++ {
		p, ok := v.Field(i).Interface().(*ebpf.Program)
		if !ok || p == nil {
			continue
		}
		stats = append(stats, parseVerifierStats(v.Type().Field(i).Tag.Get("ebpf"), p.VerifierLog))
	}
	return stats, nil
}
