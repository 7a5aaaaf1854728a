package session

import (
	"fmt"
	"io"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// noteRecordedBuffers says, before a replay, when the format would show
// buffers and structs the recording does not hold (it was made without -S,
// or in a format that shows none): they print as addresses, and a replay
// reads nothing from this machine. As for -y and -P.
func noteRecordedBuffers(p *Plan, f *format.Format, rs *recordingSource) {
	if p.Summary == SummaryOnly {
		return
	}
	need := f.Needs(&p.Show).Buffers
	held, _ := strconv.Atoi(rs.hdr.Options["buffers"])
	switch {
	case need > 0 && held == 0:
		fmt.Fprintln(p.Stderr, "strace.ebpf: the recording holds no buffer or struct contents (it was made without -S, or in a format that shows none); they print as addresses")
	case p.Show.StrSizeSet && need > held && held > 0:
		fmt.Fprintf(p.Stderr, "strace.ebpf: -S %d: the recording holds at most %d bytes of each buffer (it was made with -S %d)\n", p.Show.StrSize, held, held)
	}
}

// noteNoStacks says, after a replay with -k, that the recording held no
// stack (it was made without -k): no call showed one.
func noteNoStacks(w io.Writer, rs *recordingSource, sawStack bool, events uint64) {
	if rs.stacks && !sawStack && events > 0 {
		fmt.Fprintln(w, "strace.ebpf: -k: the recording holds no stacks (it was made without -k); none is shown")
	}
}
