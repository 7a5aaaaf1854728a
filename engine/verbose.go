package engine

import (
	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// fullEnv makes execve's envp captured as its strings (CAP_ENVP), as argv
// is, instead of counted: strace -v prints the environment.
func fullEnv(sc *syscalls.Syscall, d *bpf.TracerScDesc) {
	for i, a := range sc.Args {
		if i < len(d.Cap) && a.Capture == syscalls.CaptureEnvCount {
			d.Cap[i].Kind = bpf.TracerCapKindCAP_ENVP
		}
	}
}
