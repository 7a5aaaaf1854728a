package script

import "bytes"

// namesTimes says a script's source names the counts' times: time_ns (in
// kernel_counts(), kernel_procs() and kernel_fds()) or kernel_hist. A
// counting script that names neither is counted without a clock.
func namesTimes(src []byte) bool {
	return bytes.Contains(src, []byte("time_ns")) || bytes.Contains(src, []byte("kernel_hist"))
}
