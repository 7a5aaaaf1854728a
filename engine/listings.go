package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// tracefsDir finds tracefs, mounting it when it is not mounted. (Tracing
// needs no tracefs: only -L and -R read it.)
func tracefsDir() (string, error) {
	for _, d := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "available_events")); err == nil {
			return d, nil
		}
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		return "", fmt.Errorf("mounting tracefs: %w (run: mount -t tracefs tracefs /sys/kernel/tracing)", err)
	}
	return "/sys/kernel/tracing", nil
}

// KernelSyscalls are the names of the syscalls the running kernel has
// tracepoints for (-L), sorted, as the kernel names them (newstat for
// stat).
func KernelSyscalls() ([]string, error) {
	dir, err := tracefsDir()
	if err != nil {
		return nil, fmt.Errorf("listing kernel syscalls: %w", err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "events", "syscalls"))
	if err != nil {
		return nil, fmt.Errorf("listing kernel syscalls: %w", err)
	}
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutPrefix(e.Name(), "sys_enter_"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// LowLevelList opens the list of the kernel functions tracefs can trace
// (-R). Where the kernel does not let us read it (ftrace restricts the list;
// kernels without a function tracer have none), it opens the kernel's
// tracepoints instead, what this tool attaches to, and instead says why.
func LowLevelList() (list io.ReadCloser, instead error, err error) {
	dir, err := tracefsDir()
	if err != nil {
		return nil, nil, fmt.Errorf("listing traceable functions: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, "available_filter_functions"))
	if err == nil {
		return f, nil, nil
	}
	instead = fmt.Errorf("listing traceable functions: %w", err)
	f, err = os.Open(filepath.Join(dir, "available_events"))
	if err != nil {
		return nil, nil, fmt.Errorf("listing tracepoints: %w", err)
	}
	return f, instead, nil
}
