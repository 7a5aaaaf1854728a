package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A program the verifier refuses (it reads an uninitialised register) is
// reported as the verifier's refusal of that program, with its reason and
// the request to report it, never as "permission denied".
func TestLoadErrorNamesTheVerifier(t *testing.T) {
	testutil.RequireBPF(t)
	_, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:    "bad",
		Type:    ebpf.RawTracepoint,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.Mov.Reg(asm.R0, asm.R3), // R3 is never written
			asm.Return(),
		},
	})
	if err == nil {
		t.Fatal("the verifier accepted a program that reads an uninitialised register")
	}
	// As cilium/ebpf's collection loader wraps it.
	got := engine.LoadError(fmt.Errorf("field SysExit: program sys_exit: load program: %w", err))
	var vr *engine.VerifierRejected
	if !errors.As(got, &vr) {
		t.Fatalf("not a VerifierRejected: %v", got)
	}
	msg := got.Error()
	for _, want := range []string{"verifier rejected program sys_exit", "R3 !read_ok", "report it with the output of -d"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "permission denied") {
		t.Errorf("%q says permission denied", msg)
	}
	// Other failures keep their own words.
	if got := engine.LoadError(errors.New("map events: no memory")); got.Error() != "loading BPF programs: map events: no memory" {
		t.Errorf("other error: %v", got)
	}
}
