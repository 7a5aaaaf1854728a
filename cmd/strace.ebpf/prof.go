package main

import (
	"os"
	"runtime/pprof"
)

func init() {
	if p := os.Getenv("STRACE_EBPF_CPUPROFILE"); p != "" && os.Getenv("STRACE_EBPF_EXEC_CHILD") == "" {
		f, _ := os.Create(p)
		pprof.StartCPUProfile(f)
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	}
}
