package format

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// The kernel side's sizes and marks this package decodes by are the ones
// bpf/tracer.h declares (enum shared_limits, shared_bits).
func TestKernelContract(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"arrayMax", arrayMax, uint64(bpf.TracerSharedLimitsARRAY_MAX)},
		{"fprogMax", fprogMax, uint64(bpf.TracerSharedLimitsFPROG_MAX)},
		{"sockaddrMax", sockaddrMax, uint64(bpf.TracerSharedLimitsSOCKADDR_MAX)},
		{"mmsgIovMark", mmsgIovMark, uint64(bpf.TracerSharedBitsMMSG_IOV_MARK)},
		{"iovCaptured", iovCaptured, 1 << uint64(bpf.TracerSharedBitsIOV_CAPTURED_BIT)},
	} {
		if c.got != c.want {
			t.Errorf("%s is %#x, bpf/tracer.h says %#x", c.name, c.got, c.want)
		}
	}
}
