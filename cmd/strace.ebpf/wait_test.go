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
	sc := syscalls.Native().ByName(name)
	if sc == nil {
		t.Fatalf("no syscall %s", name)
	}
	want := strconv.Itoa(sc.Nr) + " "
	deadline := time.Now().Add(waitLimit)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/syscall")
		if err == nil && strings.HasPrefix(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d not in %s after %v: /proc/%d/syscall %q (%v)", pid, name, waitLimit, pid, b, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitChildInSyscall waits until a child of process pid (the tracer's
// launched command, not its keeper) is blocked in the system call named
// name, and returns its pid.
func waitChildInSyscall(t *testing.T, pid int, name string) int {
	t.Helper()
	sc := syscalls.Native().ByName(name)
	if sc == nil {
		t.Fatalf("no syscall %s", name)
	}
	want := strconv.Itoa(sc.Nr) + " "
	deadline := time.Now().Add(waitLimit)
	for {
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
			for _, f := range strings.Fields(string(b)) {
				if c, err := os.ReadFile("/proc/" + f + "/syscall"); err == nil && strings.HasPrefix(string(c), want) {
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
