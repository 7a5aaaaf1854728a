package engine

import (
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// Capture kinds' properties (enum cap_props in bpf/tracer.h), short names.
const (
	atEnter = bpf.TracerCapPropsCAP_AT_ENTER
	atExit  = bpf.TracerCapPropsCAP_AT_EXIT
	errOnly = bpf.TracerCapPropsCAP_ERR_ONLY
	retry   = bpf.TracerCapPropsCAP_RETRY
	buffers = bpf.TracerCapPropsCAP_BUFFERS
)

// capKinds is the one table of what each capture kind is: when the kernel
// reads it (describe derives a syscall's SC_HAS_ENTER_CAP, SC_HAS_EXIT_CAP
// and SC_ERR_CAP from it), whether a failed read at enter is tried again at
// exit (the kernel looks that up in cap_table, which load writes from this
// table), whether it needs buffer capture.
var capKinds = map[bpf.TracerCapKind]bpf.TracerCapProps{
	capStr:       atEnter | retry,
	capBufIn:     atEnter | retry | buffers,
	capBufOut:    atExit | buffers,
	capStructIn:  atEnter | retry | buffers,
	capStructOut: atExit | buffers,
	capArgv:      atEnter | retry | buffers,
	capCount:     atEnter | buffers,
	capSockaddr:  atEnter | atExit | buffers,
	capSigmask:   atEnter | buffers,
	capDirents:   atExit | buffers,
	capArrayIn:   atEnter | atExit | retry | buffers,
	capArrayOut:  atExit | buffers,
	capIovIn:     atEnter | retry | buffers,
	capIovOut:    atExit | buffers,
	capIoctl:     atEnter | atExit | buffers,
	capStructIO:  atEnter | atExit | retry | buffers,
	capMsghdrIn:  atEnter | retry | buffers,
	capMsghdrOut: atEnter | atExit | buffers,
	capFdsets:    atEnter | atExit | buffers,
	capDeref:     atEnter | retry | buffers,
	capStructErr: atExit | errOnly | buffers,
	capMmsg:      atExit | buffers,
	capPrctl:     atEnter | atExit | retry | buffers,
	capClone:     atEnter | atExit | retry | buffers,
	capPageVec:   atExit | buffers,
	capEnvp:      atEnter | retry | buffers,
	capSeccomp:   atEnter | atExit | retry | buffers,
	capOp:        atEnter | atExit | retry | buffers,
}

// phaseFlags are the sc_desc flags a capture of kind k sets.
func phaseFlags(k bpf.TracerCapKind) bpf.TracerScFlags {
	var f bpf.TracerScFlags
	p := capKinds[k]
	if p&atEnter != 0 {
		f |= scHasEnterCap
	}
	if p&atExit != 0 {
		f |= scHasExitCap
	}
	if p&errOnly != 0 {
		f |= scErrCap
	}
	return f
}

// writeCapTable writes capKinds into the kernel's cap_table.
func (s *Session) writeCapTable() error {
	for k, p := range capKinds {
		if err := s.objs.CapTable.Put(uint32(k), p); err != nil {
			return fmt.Errorf("writing the capture kinds' table (kind %d): %w", k, err)
		}
	}
	return nil
}
