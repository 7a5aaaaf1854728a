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
