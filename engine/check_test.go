package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cilium/ebpf"
)

func TestCheckKernelWithoutBTF(t *testing.T) {
	defer func(p string) { kernelBTF = p }(kernelBTF)
	kernelBTF = "/nonexistent/vmlinux"
	err := CheckKernel()
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("CheckKernel without BTF: %v, want ErrNotSupported", err)
	}
	want := "checking kernel: no BTF at /nonexistent/vmlinux (needs CONFIG_DEBUG_INFO_BTF): not supported by this kernel"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// A kernel without one of the probed features is refused with one line
// naming it and the minimum version.
func TestCheckKernelMissingFeature(t *testing.T) {
	defer func(f func() error) { haveTaskBTF = f }(haveTaskBTF)
	haveTaskBTF = func() error { return fmt.Errorf("probing: %w", ebpf.ErrNotSupported) }
	err := CheckKernel()
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("CheckKernel without bpf_get_current_task_btf: %v, want ErrNotSupported", err)
	}
	want := "checking kernel: no bpf_get_current_task_btf (needs Linux 5.11 or later): not supported by this kernel"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
