package engine

import (
	"errors"
	"testing"
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
