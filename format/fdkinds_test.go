package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func TestParseFdKinds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want FdKinds
		err  bool
	}{
		{in: "path", want: FdPath},
		{in: "socket,dev", want: FdSocket | FdDev},
		{in: "pidfd", want: FdPidfd},
		{in: "all", want: FdAll},
		{in: "none", want: 0},
		{in: "!path", want: FdSocket | FdDev | FdPidfd},
		{in: "!all", want: 0},
		{in: "", err: true},
		{in: "paths", err: true},
		{in: "eventfd", err: true},
		{in: "path,signalfd", err: true},
	} {
		got, err := ParseFdKinds(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseFdKinds(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil {
			continue
		}
		// The keywords read back (recordings keep them as words).
		if back, err := ParseFdKinds(got.String()); err != nil || back != got {
			t.Errorf("ParseFdKinds(%q.String() = %q) = %v, %v", tc.in, got.String(), back, err)
		}
	}
	if FdKindsOfLevel(1) != FdPath || FdKindsOfLevel(2) != FdAll || FdKindsOfLevel(0) != 0 {
		t.Error("FdKindsOfLevel: -y is path, -yy all")
	}
	if FdPath.Level() != 1 || FdPidfd.Level() != 2 || FdKinds(0).Level() != 0 {
		t.Error("Level: path alone needs -y, any other kind -yy")
	}
}

// TestStraceFdKinds prints the same calls under each --decode-fds set:
// a file, a device, a socket, a pidfd (its pid learned from the
// pidfd_open that returned it, pidfs or anon inode alike), as strace 6.1
// prints them.
func TestStraceFdKinds(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	const pid = 1 << 30
	clos, pfo := int32(tab.ByName("close").Nr), int32(tab.ByName("pidfd_open").Nr)
	file := fdItem(0, 3, 0, 0o100644, 0xef53, 12, "passwd\x00etc\x00")
	dev := fdItem(0, 3, 0, 0o020666, 0x1021994, 5, "null\x00dev\x00")
	binaryPutRdev(dev.Bytes, 1<<20|3)
	sock := fdItem(0, 3, 0, 0o140777, sockfsMagic, 777, "")
	pidfd := fdItem(0, 3, event.FdAtExit, 0o100700, pidfsMagic, 4242, "")
	pidfdArg := fdItem(0, 3, 0, 0o100700, pidfsMagic, 4242, "")
	// Before pidfs, pidfds share one anon inode: the pid is known by the
	// descriptor's number, until it is closed.
	oldPidfd := fdItem(0, 3, event.FdPseudo, 0o600, anonInodeMagic, 1, "[pidfd]")
	oldPidfdRet := fdItem(0, 3, event.FdPseudo|event.FdAtExit, 0o600, anonInodeMagic, 1, "[pidfd]")
	evs := []event.Event{
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: clos, Args: [6]uint64{3}, Data: []event.Data{file}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: clos, Args: [6]uint64{3}, Data: []event.Data{dev}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: clos, Args: [6]uint64{3}, Data: []event.Data{sock}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: pfo, Args: [6]uint64{99}, Ret: 3, Data: []event.Data{pidfd}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: clos, Args: [6]uint64{3}, Data: []event.Data{pidfdArg}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: pfo, Args: [6]uint64{98}, Ret: 3, Data: []event.Data{oldPidfdRet}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: clos, Args: [6]uint64{3}, Data: []event.Data{oldPidfd}},
	}
	for _, tc := range []struct {
		set  string
		want []string
	}{
		{"path", []string{"close(3</etc/passwd>)", "close(3</dev/null>)", "close(3<socket:[777]>)", "pidfd_open(99, 0) = 3<anon_inode:[pidfd]>", "close(3<anon_inode:[pidfd]>)", "pidfd_open(98, 0) = 3<anon_inode:[pidfd]>", "close(3<anon_inode:[pidfd]>)"}},
		{"socket", []string{"close(3)", "close(3)", "close(3<socket:[777]>)", "pidfd_open(99, 0) = 3", "close(3)", "pidfd_open(98, 0) = 3", "close(3)"}},
		{"dev", []string{"close(3)", "close(3</dev/null<char 1:3>>)", "close(3)", "pidfd_open(99, 0) = 3", "close(3)", "pidfd_open(98, 0) = 3", "close(3)"}},
		{"pidfd", []string{"close(3)", "close(3)", "close(3)", "pidfd_open(99, 0) = 3<pid:99>", "close(3<pid:99>)", "pidfd_open(98, 0) = 3<pid:98>", "close(3<pid:98>)"}},
		{"all", []string{"close(3</etc/passwd>)", "close(3</dev/null<char 1:3>>)", "close(3<socket:[777]>)", "pidfd_open(99, 0) = 3<pid:99>", "close(3<pid:99>)", "pidfd_open(98, 0) = 3<pid:98>", "close(3<pid:98>)"}},
		{"none", []string{"close(3)", "close(3)", "close(3)", "pidfd_open(99, 0) = 3", "close(3)", "pidfd_open(98, 0) = 3", "close(3)"}},
	} {
		k, err := ParseFdKinds(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		s := NewStrace(tab, StraceOptions{FdKinds: k, DecodeFds: k != 0, KernelFds: true})
		var got []string
		for i := range evs {
			l := strings.TrimRight(string(s.Append(nil, &evs[i])), "\n")
			got = append(got, strings.Join(strings.Fields(strings.Replace(l, " = ", " ~ ", 1)), " "))
		}
		for i := range got {
			got[i] = strings.Replace(strings.TrimSuffix(got[i], " ~ 0"), " ~ ", " = ", 1)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("--decode-fds=%s (-want +got):\n%s", tc.set, diff)
		}
	}
}

// TestStracePidfdReaped: a pidfd of a process a wait reaped prints by its
// path, as strace prints it (its fdinfo says Pid: -1); clone3's pidfd is
// one of the process it returns.
func TestStracePidfdReaped(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	const pid = 1 << 30
	nr := func(n string) int32 { return int32(tab.ByName(n).Nr) }
	args := make([]byte, 88)
	args[1] = 0x10 // CLONE_PIDFD
	args[9] = 0x10 // pidfd=0x1000
	args[32] = 17  // SIGCHLD
	pidfd := fdItem(0, 3, 0, 0o100700, pidfsMagic, 4242, "")
	evs := []event.Event{
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: nr("clone3"), Args: [6]uint64{0x1000, 88}, Ret: 77,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: args}, {Arg: 0, Kind: event.BufOut, Bytes: []byte{3, 0, 0, 0}}}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: nr("fcntl"), Args: [6]uint64{3, 1}, Data: []event.Data{pidfd}},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: nr("wait4"), Args: [6]uint64{77}, Ret: 77},
		{Kind: event.Syscall, PID: pid, TID: pid, Nr: nr("close"), Args: [6]uint64{3}, Data: []event.Data{pidfd}},
	}
	s := NewStrace(tab, StraceOptions{FdKinds: FdAll, DecodeFds: true, KernelFds: true})
	var got []string
	for i := range evs {
		l := strings.TrimRight(string(s.Append(nil, &evs[i])), "\n")
		got = append(got, strings.Join(strings.Fields(l), " "))
	}
	want := []string{
		"clone3({flags=CLONE_PIDFD, pidfd=0x1000, exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3<pid:77>]}, 88) = 77",
		"fcntl(3<pid:77>, F_GETFD) = 0",
		"wait4(77, NULL, 0, NULL) = 77",
		"close(3<anon_inode:[pidfd]>) = 0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func binaryPutRdev(b []byte, rdev uint32) {
	b[28], b[29], b[30], b[31] = byte(rdev), byte(rdev>>8), byte(rdev>>16), byte(rdev>>24)
}
