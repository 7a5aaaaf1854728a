package engine

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
)

// ErrNotSupported is returned when the kernel lacks something the tracer needs.
var ErrNotSupported = errors.New("not supported by this kernel")

// ErrPermission is returned when the process may not load BPF programs.
var ErrPermission = errors.New("permission denied")

const (
	capPerfmon = 38
	capBPF     = 39
	capSysAdm  = 21
)

// CheckPrivileges reports whether this process may load and attach the
// tracer: root, CAP_SYS_ADMIN, or CAP_BPF together with CAP_PERFMON.
func CheckPrivileges() error {
	eff, err := effectiveCaps()
	if err != nil {
		return fmt.Errorf("checking privileges: %w", err)
	}
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	if has(capSysAdm) || (has(capBPF) && has(capPerfmon)) {
		return nil
	}
	return fmt.Errorf("checking privileges: need root, or CAP_BPF and CAP_PERFMON: %w", ErrPermission)
}

func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff in /proc/self/status")
}

// kernelBTF is where the kernel exposes its BTF (a variable for tests).
var kernelBTF = "/sys/kernel/btf/vmlinux"

// minKernel is the oldest Linux the tracer runs on: the first with
// bpf_get_current_task_btf, which the programs (tp_btf and raw tracepoints)
// call for the task's name.
const minKernel = "5.11"

// Feature probes (variables for tests).
var (
	haveRingBuf  = func() error { return features.HaveMapType(ebpf.RingBuf) }
	haveTaskBTF  = func() error { return features.HaveProgramHelper(ebpf.RawTracepoint, asm.FnGetCurrentTaskBtf) }
	kernelProbes = []struct {
		what  string
		probe *func() error
	}{
		{"the BPF ring buffer", &haveRingBuf},
		{"bpf_get_current_task_btf", &haveTaskBTF},
	}
)

// CheckKernel reports whether the running kernel has what the tracer needs:
// BTF for CO-RE, the BPF ring buffer and bpf_get_current_task_btf (Linux
// 5.11). A missing one is named in one line.
func CheckKernel() error {
	if err := checkBTF(); err != nil {
		return err
	}
	return probeKernel()
}

// checkBTF is CheckKernel's first part, the one New does before loading.
func checkBTF() error {
	if _, err := os.Stat(kernelBTF); err != nil {
		return fmt.Errorf("checking kernel: no BTF at %s (needs CONFIG_DEBUG_INFO_BTF): %w", kernelBTF, ErrNotSupported)
	}
	return nil
}

// probeKernel is CheckKernel's second part: it loads a probe per feature
// (3-9 ms), so New runs it only when loading failed, to say why in terms
// of the kernel's version.
func probeKernel() error {
	for _, p := range kernelProbes {
		if err := (*p.probe)(); err != nil {
			if errors.Is(err, ebpf.ErrNotSupported) {
				return fmt.Errorf("checking kernel: no %s (needs Linux %s or later): %w", p.what, minKernel, ErrNotSupported)
			}
			return fmt.Errorf("checking kernel: probing %s: %w", p.what, err)
		}
	}
	return nil
}

// haveTaskPtRegs probes bpf_task_pt_regs (Linux 5.15), which -k uses to
// read an execve's new stack at its exit (a variable for tests).
var haveTaskPtRegs = func() error { return features.HaveProgramHelper(ebpf.RawTracepoint, asm.FnTaskPtRegs) }

// CheckFeatures refuses, in one line, the one feature of cfg that the
// running kernel lacks; the rest of the tracer works there.
func CheckFeatures(cfg Config) error {
	if cfg.StackTrace {
		if err := haveTaskPtRegs(); err != nil {
			if errors.Is(err, ebpf.ErrNotSupported) {
				return fmt.Errorf("checking kernel: -k needs bpf_task_pt_regs (Linux 5.15 or later); tracing without -k works here: %w", ErrNotSupported)
			}
			return fmt.Errorf("checking kernel: probing bpf_task_pt_regs: %w", err)
		}
	}
	return nil
}

// Available reports why BPF tracing cannot run here, or nil when it can.
func Available() error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	return CheckKernel()
}
