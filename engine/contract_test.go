package engine_test

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/stack"
)

// The copies other packages keep of the kernel contract (bpf/tracer.h) match it.
func TestKernelContract(t *testing.T) {
	if stack.RawHeader != int(bpf.TracerSharedLimitsSTACK_HDR) {
		t.Errorf("stack.RawHeader is %d, STACK_HDR %d", stack.RawHeader, bpf.TracerSharedLimitsSTACK_HDR)
	}
	if script.HistSlots != int(bpf.TracerSharedLimitsHIST_SLOTS) || engine.HistSlots != int(bpf.TracerSharedLimitsHIST_SLOTS) {
		t.Errorf("script.HistSlots %d, engine.HistSlots %d, HIST_SLOTS %d", script.HistSlots, engine.HistSlots, bpf.TracerSharedLimitsHIST_SLOTS)
	}
	if engine.DefaultStackWindow != int(bpf.TracerSharedLimitsSTACK_WINDOW_MAX) {
		t.Errorf("engine.DefaultStackWindow %d, STACK_WINDOW_MAX %d", engine.DefaultStackWindow, bpf.TracerSharedLimitsSTACK_WINDOW_MAX)
	}
}
