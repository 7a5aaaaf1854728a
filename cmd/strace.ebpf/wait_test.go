package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// waitInSyscall waits until process pid is blocked in the system call
// named name (/proc/PID/syscall), for tests that attach to a process in a
// call: a fixed sleep is outlasted by a loaded machine.
func waitInSyscall(t *testing.T, pid int, name string) {
	t.Helper()
	in := inSyscall(t, name)
	deadline := time.Now().Add(waitLimit)
	for !in(strconv.Itoa(pid)) {
		if time.Now().After(deadline) {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/syscall")
			t.Fatalf("process %d not in %s after %v: /proc/%d/syscall %q (%v)", pid, name, waitLimit, pid, b, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inSyscall returns a test of whether a process (by its /proc name) is
// blocked in the system call named name.
func inSyscall(t *testing.T, name string) func(pid string) bool {
	t.Helper()
	sc := syscalls.Native().ByName(name)
	if sc == nil {
		t.Fatalf("no syscall %s", name)
	}
	want := strconv.Itoa(sc.Nr) + " "
	return func(pid string) bool {
		b, err := os.ReadFile("/proc/" + pid + "/syscall")
		return err == nil && strings.HasPrefix(string(b), want)
	}
}

// waitChildInSyscall waits until a child of process pid (the tracer's
// launched command, not its keeper) is blocked in the system call named
// name, and returns its pid.
func waitChildInSyscall(t *testing.T, pid int, name string) int {
	t.Helper()
	in := inSyscall(t, name)
	deadline := time.Now().Add(waitLimit)
	for {
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
			for _, f := range strings.Fields(string(b)) {
				if in(f) {
					child, _ := strconv.Atoi(f)
					return child
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no child of process %d in %s after %v", pid, name, waitLimit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
