package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// STRACE_EBPF_CPUPROFILE=FILE writes a CPU profile of the tracer itself to
// FILE, for `go tool pprof` (see README, Performance).
func init() {
	p := os.Getenv("STRACE_EBPF_CPUPROFILE")
	if p == "" {
		return
	}
	f, err := os.Create(p)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "strace.ebpf: profiling to %s: %v\n", p, err)
		return
	}
	stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
}
