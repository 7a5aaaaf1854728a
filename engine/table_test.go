package engine

import (
	"math/bits"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestDescribeArrays checks the capture kinds of the array, iovec, ioctl
// and in-out struct arguments on amd64.
func TestDescribeArrays(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	type capt struct {
		Arg           int
		Kind          bpf.TracerCapKind
		SizeArg, Size int
	}
	for _, tc := range []struct {
		name  string
		want  []capt
		flags bpf.TracerScFlags
	}{
		{"poll", []capt{{0, capArrayIn, 1, 8}}, scHasEnterCap | scHasExitCap},
		{"ppoll", []capt{{0, capArrayIn, 1, 8}, {2, capStructIO, 0, 16}, {3, capStructIn, 0, 8}}, scHasEnterCap | scHasExitCap},
		{"epoll_wait", []capt{{1, capArrayOut, 0, 12}}, scHasExitCap},
		{"readv", []capt{{1, capIovOut, 2, 0}}, scHasExitCap},
		{"writev", []capt{{1, capIovIn, 2, 0}}, scHasEnterCap},
		{"pwritev2", []capt{{1, capIovIn, 2, 0}}, scHasEnterCap},
		{"ioctl", []capt{{2, capIoctl, 1, 0}}, scHasEnterCap | scHasExitCap},
		{"pselect6", []capt{{1, capFdsets, 0, 0}, {4, capStructIO, 0, 16}, {5, capDeref, 0, 16}}, scHasEnterCap | scHasExitCap},
		{"clone3", []capt{{0, capClone, 1, 88}}, scHasEnterCap | scHasExitCap | scChildRet},
		{"mincore", []capt{{2, capPageVec, 1, bits.TrailingZeros(uint(os.Getpagesize()))}}, scHasExitCap},
		{"sendmmsg", []capt{{1, capMmsg, 0, 0}}, scHasExitCap},
		{"prctl", []capt{{1, capPrctl, 0, 0}}, scHasEnterCap | scHasExitCap},
		{"nanosleep", []capt{{0, capStructIn, 0, 16}, {1, capStructErr, 0, 16}}, scHasEnterCap | scHasExitCap | scErrCap},
		{"getsockopt", []capt{{3, capSockaddr, 4, 0}}, scHasEnterCap | scHasExitCap},
		{"getgroups", []capt{{1, capArrayOut, 0, 4}}, scHasExitCap},
		{"setgroups", []capt{{1, capArrayIn, 0, 4}}, scHasEnterCap | scHasExitCap},
		{"sched_getaffinity", []capt{{2, capBufOut, 0, cpuSetMax}}, scHasExitCap},
		{"sched_setaffinity", []capt{{2, capBufIn, 1, cpuSetMax}}, scHasEnterCap},
		{"sendmsg", []capt{{1, capMsghdrIn, 0, 0}}, scHasEnterCap | scSockFd},
		{"recvmsg", []capt{{1, capMsghdrOut, 0, 0}}, scHasEnterCap | scHasExitCap | scSockFd},
		{"sendto", []capt{{1, capBufIn, 2, 0}, {4, capBufIn, 5, sockaddrMax}}, scHasEnterCap | scSockFd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := describe(tab.ByName(tc.name), true)
			var got []capt
			for i, c := range d.Cap {
				if c.Kind != 0 {
					got = append(got, capt{i, c.Kind, int(c.SizeArg), int(c.Size)})
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
			// (scFd0, a descriptor first, is the table's own fact: tested below.)
			if d.Flags&^scFd0 != tc.flags {
				t.Errorf("flags = %#x, want %#x", d.Flags&^scFd0, tc.flags)
			}
			if fd0 := d.Flags&scFd0 != 0; fd0 != (tab.ByName(tc.name).Args[0].Kind == syscalls.Fd) {
				t.Errorf("SC_FD0 is %v, first argument %s", fd0, tab.ByName(tc.name).Args[0].Kind)
			}
			if off := describe(tab.ByName(tc.name), false); off.Flags&(scHasEnterCap|scHasExitCap) != 0 {
				t.Errorf("captures without CaptureBuffers: %+v", off)
			}
		})
	}
}
