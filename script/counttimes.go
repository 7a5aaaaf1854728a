package script

import (
	"bytes"
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/stdlib"
)

// namesTimes says a script's source names the counts' times: time_ns (in
// kernel_counts(), kernel_procs() and kernel_fds()) or kernel_hist. A
// counting script that names neither is counted without a clock.
func namesTimes(src []byte) bool {
	return bytes.Contains(src, []byte("time_ns")) || bytes.Contains(src, []byte("kernel_hist"))
}

// AddStdlibArgs is AddStdlib with arguments for the stage's arg().
func (p *Pipeline) AddStdlibArgs(name string, args map[string]string) error {
	src, err := stdlib.Files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("loading stock script %s: no such script", name)
	}
	return p.addStage("stdlib/"+name, src, args, "", true)
}
