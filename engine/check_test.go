package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// -k on a kernel without bpf_task_pt_regs is refused alone, naming the
// helper and the version; without -k nothing is refused.
func TestCheckFeaturesStackTrace(t *testing.T) {
	defer func(f func() error) { haveTaskPtRegs = f }(haveTaskPtRegs)
	haveTaskPtRegs = func() error { return fmt.Errorf("probing: %w", ebpf.ErrNotSupported) }
	if err := CheckFeatures(Config{}); err != nil {
		t.Errorf("without -k: %v", err)
	}
	err := CheckFeatures(Config{StackTrace: true})
	want := "checking kernel: -k needs bpf_task_pt_regs (Linux 5.15 or later); tracing without -k works here: not supported by this kernel"
	if err == nil || err.Error() != want {
		t.Errorf("with -k: %v, want %q", err, want)
	}
}

// New probes the kernel's features only when loading fails, and then
// says which one is missing instead of the load's error.
func TestNewNamesMissingFeature(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("BPF unavailable: %v", err)
	}
	dir := t.TempDir()
	// An object the loader refuses, as an old kernel refuses the programs.
	for _, arch := range []string{"x86", "arm64"} {
		if err := os.WriteFile(filepath.Join(dir, "tracer_"+arch+"_bpfel.o"), []byte("not ELF"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func(f func() error) { haveTaskBTF = f }(haveTaskBTF)
	haveTaskBTF = func() error { return fmt.Errorf("probing: %w", ebpf.ErrNotSupported) }
	// A launched command: its launcher, started beside the load, ends.
	_, err := New(Config{ObjectDir: dir, Command: []string{"true"}, Stderr: io.Discard})
	want := "checking kernel: no bpf_get_current_task_btf (needs Linux 5.11 or later): not supported by this kernel"
	if err == nil || err.Error() != want {
		t.Errorf("New with a load that fails on a kernel without the helper: %v, want %q", err, want)
	}
}
