package format

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestStraceGolden replays recorded events (sh running ls, a failing cat,
// a python script with a loopback socket, then killing itself with
// SIGUSR1; recorded on amd64 with -f) through the strace format.
func TestStraceGolden(t *testing.T) {
	testStraceGolden(t, "strace_events.jsonl", "strace.golden")
}

// TestStraceArraysGolden replays the poll, ppoll, readv, writev, preadv,
// pwritev, ioctl (TCGETS, TIOCSWINSZ, TIOCGWINSZ), epoll_ctl,
// epoll_wait, sendmsg, recvmsg and pselect6 calls of
// testdata/syscaller.c's poll, iov, ioctl, epoll, msg and select modes (recorded on amd64 with -w and -e trace=...): arrays captured at
// enter and exit, iovec buffers, ioctl structs, failures.
func TestStraceArraysGolden(t *testing.T) {
	testStraceGolden(t, "strace_arrays.jsonl", "strace_arrays.golden")
}

func testStraceGolden(t *testing.T, events, goldenName string) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", events))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewStrace(tab, StraceOptions{PIDPrefix: PrefixFile})
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev event.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		line := s.Append(nil, &ev)
		if len(line) > 0 {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	golden := filepath.Join("testdata", goldenName)
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")); d != "" {
		t.Errorf("strace format (-want +got):\n%s", d)
	}
}

func TestQuoted(t *testing.T) {
	for _, tc := range []struct {
		in   string
		hex  bool
		want string
	}{
		{"abc", false, `"abc"`},
		{"a\"b\\c\n\t\r\v\f", false, `"a\"b\\c\n\t\r\v\f"`},
		{"\x7fELF\x02\x01", false, `"\177ELF\2\1"`},
		{"\x001", false, `"\0001"`},
		{"\x08x", false, `"\10x"`},
		{"\xe4\x01", true, `"\xe4\x01"`},
	} {
		if got := string(appendQuoted(nil, []byte(tc.in), tc.hex)); got != tc.want {
			t.Errorf("appendQuoted(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestStraceLines(t *testing.T) {
	tab, _ := syscalls.ForArch("amd64")
	openat := int32(tab.ByName("openat").Nr)
	for _, tc := range []struct {
		name string
		ev   event.Event
		o    StraceOptions
		want string
	}{
		{"enoent", event.Event{Kind: event.Syscall, Nr: openat, Args: [6]uint64{0xffffff9c, 1, 0x80000}, Ret: -2,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/nonexistent")}}}, StraceOptions{},
			`openat(AT_FDCWD, "/nonexistent", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)`},
		{"unknown", event.Event{Kind: event.Syscall, Nr: 0x3e7, Args: [6]uint64{1, 2}, Ret: -38}, StraceOptions{},
			`syscall_0x3e7(0x1, 0x2, 0, 0, 0, 0)     = -1 ENOSYS (Function not implemented)`},
		{"exit_group", event.Event{Kind: event.Syscall, Nr: int32(tab.ByName("exit_group").Nr), Flags: event.NoReturn}, StraceOptions{},
			`exit_group(0)                           = ?`},
		{"killed", event.Event{Kind: event.Exit, TID: 7, Ret: 9}, StraceOptions{PIDPrefix: PrefixFile},
			`7     +++ killed by SIGKILL +++`},
		{"exited", event.Event{Kind: event.Exit, TID: 12345, Ret: 3 << 8}, StraceOptions{PIDPrefix: PrefixFile},
			`12345 +++ exited with 3 +++`},
		{"T", event.Event{Kind: event.Syscall, Nr: int32(tab.ByName("getpid").Nr), Ret: 5, Duration: 1234567}, StraceOptions{SyscallTime: true},
			`getpid()                                = 5 <0.001234>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(AppendStrace(nil, &tc.ev, tab, tc.o))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// BenchmarkStraceRead renders dd's read(0, buf, 512) = 512.
func BenchmarkStraceRead(b *testing.B) {
	tab, _ := syscalls.ForArch("amd64")
	ev := event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: 0, Args: [6]uint64{0, 0x7f0000, 512}, Ret: 512,
		Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: bytes.Repeat([]byte{0}, 32)}}}
	s := NewStrace(tab, StraceOptions{})
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst = s.Append(dst[:0], &ev)
	}
}
