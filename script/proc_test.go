package script

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// A pid's /proc facts are not served after its process exited: a new
// process with the same pid gets its own (here: none, as none has it yet,
// where the stale cache gave the old process's uid).
func TestProcCacheForgetsExitedPid(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a process as another user")
	}
	child := exec.Command("sleep", "30")
	child.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := child.Start(); err != nil {
		t.Skipf("cannot start a process as nobody: %v", err)
	}
	pid := uint32(child.Process.Pid)
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t), Live: true})
	defer p.Close()
	if err := p.AddSource("uid.star", []byte("def on_syscall(ev):\n    print(ev.name, ev.uid, ev.cgroup != None)\n")); err != nil {
		t.Fatal(err)
	}
	call := func(nr int32) *event.Event {
		return &event.Event{Kind: event.Syscall, PID: pid, TID: pid, Nr: nr, Comm: "sleep"}
	}
	send := func(ev *event.Event) {
		if err := p.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	// nanosleep: the uid is read from /proc, 65534.
	send(call(35))
	child.Process.Kill()
	child.Wait()
	// Cached: the trace has not shown the exit yet.
	send(call(35))
	send(&event.Event{Kind: event.Syscall, PID: pid, TID: pid, Nr: 231, Comm: "sleep", Flags: event.NoReturn})
	send(&event.Event{Kind: event.Exit, PID: pid, TID: pid, Comm: "sleep", Ret: 9})
	// The pid's next process: /proc has none now.
	send(call(0))
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	want := "nanosleep 65534 True\nnanosleep 65534 True\nexit_group 65534 True\nexit None False\nread None False\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := len(p.procs.procs); n != 1 {
		t.Errorf("%d processes cached, want 1 (the new one)", n)
	}
}

// An exec reads the facts again (a set-user-ID program changes the uid);
// clones start a child afresh; on_exit_process runs for every process that
// has a pid, reused or not; the cache stays bounded.
func TestProcCacheExecReuseBound(t *testing.T) {
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t)})
	defer p.Close()
	src := "def on_exit_process(p):\n    print('exit', p.pid, p.code)\n\ndef on_syscall(ev):\n    ev.uid\n"
	if err := p.AddSource("exit.star", []byte(src)); err != nil {
		t.Fatal(err)
	}
	send := func(ev *event.Event) {
		if err := p.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	exitGroup := func(pid uint32, code uint64) *event.Event {
		return &event.Event{Kind: event.Syscall, PID: pid, TID: pid, Nr: 231, Args: [6]uint64{code}, Flags: event.NoReturn}
	}
	send(&event.Event{Kind: event.Syscall, PID: 7, TID: 7, Nr: 0})
	p.procs.get(7).read = true
	send(&event.Event{Kind: event.Syscall, PID: 7, TID: 7, Nr: 59, Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/su")}}})
	if pi := p.procs.procs[7]; pi == nil || pi.read || pi.exe != "/bin/su" {
		t.Errorf("after an exec the cache holds %+v, want /proc to be read again", pi)
	}
	send(exitGroup(7, 1))
	send(&event.Event{Kind: event.Exit, PID: 7, TID: 7, Ret: 1 << 8}) // the same process: no second on_exit_process
	send(exitGroup(7, 2))                                             // pid 7 reused, its clone not traced
	send(&event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: 57, Ret: 7})
	send(exitGroup(7, 3)) // and again, its clone traced
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("exit 7 1\nexit 7 2\nexit 7 3\n", out.String()); diff != "" {
		t.Errorf("on_exit_process (-want +got):\n%s", diff)
	}

	for pid := uint32(1000); pid < 1000+3*maxProcs; pid++ {
		send(&event.Event{Kind: event.Syscall, PID: pid, TID: pid, Nr: 0})
	}
	if n := len(p.procs.procs); n > maxProcs {
		t.Errorf("%d processes cached, want at most %d", n, maxProcs)
	}
	if strings.Count(out.String(), "\n") != 3 {
		t.Errorf("output grew: %q", out.String())
	}
}
