package record

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// compileC builds a C program against trace.h, or skips without a compiler.
func compileC(t *testing.T, src string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skipf("no C compiler (cc) in PATH: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trace.h"), TraceH(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prog.c"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	out, err := exec.Command(cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-o", bin, filepath.Join(dir, "prog.c")).CombinedOutput()
	if err != nil {
		t.Fatalf("compiling against trace.h: %v\n%s", err, out)
	}
	return bin
}

// TestTraceHLayout checks every field offset of trace.h against the Go
// writer's layout.
func TestTraceHLayout(t *testing.T) {
	fields := []struct {
		typ, field string
		off        int
	}{
		{"trace_file_header", "magic", 0}, {"trace_file_header", "version", 8},
		{"trace_file_header", "header_size", 12}, {"trace_file_header", "boot_offset_ns", 16},
		{"trace_file_header", "audit_arch", 24},
		{"trace_meta", "type", 0}, {"trace_meta", "len", 4},
		{"trace_meta_syscall", "nr", 0}, {"trace_meta_syscall", "nargs", 4},
		{"trace_record", "size", 0}, {"trace_record", "kind", 4}, {"trace_record", "flags", 6},
		{"trace_syscall", "pid", 8}, {"trace_syscall", "tid", 12}, {"trace_syscall", "nr", 16},
		{"trace_syscall", "ndata", 20}, {"trace_syscall", "ts", 24}, {"trace_syscall", "duration", 32},
		{"trace_syscall", "args", 40}, {"trace_syscall", "ret", 88}, {"trace_syscall", "comm", 96},
		{"trace_data", "arg", 0}, {"trace_data", "kind", 1}, {"trace_data", "len", 4},
		{"trace_lost", "pid", 8}, {"trace_lost", "tid", 12}, {"trace_lost", "ts", 16}, {"trace_lost", "n", 24},
		{"trace_end", "records", 8},
		{"trace_stack", "nframes", 0},
		{"trace_frame", "addr", 0}, {"trace_frame", "offset", 8}, {"trace_frame", "symoff", 16},
		{"trace_frame", "module_len", 24}, {"trace_frame", "symbol_len", 26},
		{"trace_fd", "ino", 0}, {"trace_fd", "fd", 8}, {"trace_fd", "magic", 12}, {"trace_fd", "mode", 16},
		{"trace_fd", "flags", 18}, {"trace_fd", "family", 19}, {"trace_fd", "protocol", 20}, {"trace_fd", "type", 22},
		{"trace_fd", "sport", 24}, {"trace_fd", "dport", 26}, {"trace_fd", "rdev", 28}, {"trace_fd", "saddr", 32},
		{"trace_fd", "daddr", 48},
	}
	sizes := []struct {
		typ  string
		size int
	}{
		{"trace_file_header", fileHeaderSize}, {"trace_meta", metaHeaderSize},
		{"trace_meta_syscall", metaSyscallSize}, {"trace_record", 8},
		{"trace_syscall", syscallFixedSize}, {"trace_data", dataHeaderSize},
		{"trace_lost", lostSize}, {"trace_end", endSize},
		{"trace_stack", stackHeaderSize}, {"trace_frame", frameHeaderSize},
		{"trace_fd", event.FdInfoSize},
	}
	consts := []struct {
		name string
		val  int
	}{
		{"TRACE_VERSION", Version}, {"TRACE_SYSCALL", KindSyscall}, {"TRACE_LOST", KindLost}, {"TRACE_END", KindEnd},
		{"TRACE_EXIT", KindExit}, {"TRACE_SIGNAL", KindSignal},
		{"TRACE_FLAG_NORETURN", int(event.NoReturn)}, {"TRACE_FLAG_UNFINISHED", int(event.Unfinished)},
		{"TRACE_DATA_STR", int(event.Str)}, {"TRACE_DATA_BUF_IN", int(event.BufIn)},
		{"TRACE_DATA_BUF_OUT", int(event.BufOut)}, {"TRACE_DATA_STR_TRUNC", int(event.StrTrunc)},
		{"TRACE_DATA_STACK", DataStack}, {"TRACE_DATA_FD", DataFd},
		{"TRACE_META_ARCH", MetaArch}, {"TRACE_META_KERNEL", MetaKernel}, {"TRACE_META_ARGV", MetaArgv},
		{"TRACE_META_OPTION", MetaOption}, {"TRACE_META_SYSCALL", MetaSyscall},
		{"TRACE_COMM_LEN", commSize}, {"TRACE_MAX_RECORD", MaxRecordSize},
	}
	var src, want strings.Builder
	src.WriteString("#include <stdio.h>\n#include <stddef.h>\n#include \"trace.h\"\nint main(void) {\n")
	for _, f := range fields {
		fmt.Fprintf(&src, "\tprintf(\"%s.%s %%zu\\n\", offsetof(struct %s, %s));\n", f.typ, f.field, f.typ, f.field)
		fmt.Fprintf(&want, "%s.%s %d\n", f.typ, f.field, f.off)
	}
	for _, s := range sizes {
		fmt.Fprintf(&src, "\tprintf(\"sizeof %s %%zu\\n\", sizeof(struct %s));\n", s.typ, s.typ)
		fmt.Fprintf(&want, "sizeof %s %d\n", s.typ, s.size)
	}
	for _, c := range consts {
		fmt.Fprintf(&src, "\tprintf(\"%s %%lld\\n\", (long long)%s);\n", c.name, c.name)
		fmt.Fprintf(&want, "%s %d\n", c.name, c.val)
	}
	fmt.Fprintf(&src, "\tprintf(\"magic %%s\\n\", TRACE_MAGIC);\n\treturn 0;\n}\n")
	fmt.Fprintf(&want, "magic %s\n", Magic)
	out, err := exec.Command(compileC(t, src.String())).Output()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), string(out)); diff != "" {
		t.Errorf("trace.h layout (-want Go +got C):\n%s", diff)
	}
}

// TestTraceHReader parses a recording with a C program built only on
// trace.h (testdata/reader.c) and compares with the Go reader.
func TestTraceHReader(t *testing.T) {
	src, err := os.ReadFile("testdata/reader.c")
	if err != nil {
		t.Fatal(err)
	}
	bin := compileC(t, string(src))
	hdr := sampleHeader()
	hdr.Stacks = true
	evs := sampleEvents()
	evs[1].Stack = []event.Frame{
		{Addr: 0x7f0000f8011, Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Offset: 0xf8011, Symbol: "__open64", SymOff: 0x51},
		{Addr: 0x555500001161, Module: "/tmp/prog", Offset: 0x1161, Symbol: "main", SymOff: 0x18},
	}
	data := encode(t, hdr, evs, true)
	file := filepath.Join(t.TempDir(), "run.bin")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, file).Output()
	if err != nil {
		t.Fatalf("C reader: %v", err)
	}

	var want strings.Builder
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	fmt.Fprintf(&want, "boot %d audit %#x\narch %s\n", h.BootOffset, auditArch[h.Arch], h.Arch)
	for _, sc := range h.Syscalls {
		fmt.Fprintf(&want, "table %d %s", sc.Nr, sc.Name)
		for _, a := range sc.Args {
			fmt.Fprintf(&want, " %s", a.Name)
		}
		fmt.Fprintln(&want)
	}
	var ev event.Event
	for {
		err := r.Next(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == event.Lost {
			fmt.Fprintf(&want, "lost %d\n", ev.LostN)
			continue
		}
		fmt.Fprintf(&want, "%s %d pid %d tid %d comm %s ret %d flags %d", map[event.Kind]string{event.Syscall: "syscall", event.Exit: "exit", event.Signal: "signal"}[ev.Kind], ev.Nr, ev.PID, ev.TID, ev.Comm, ev.Ret, ev.Flags)
		for _, d := range ev.Data {
			fmt.Fprintf(&want, " data %d/%d/%d", d.Arg, d.Kind, len(d.Bytes))
		}
		for _, f := range ev.Stack {
			fmt.Fprintf(&want, " frame %s(%s+%#x) [%#x]", f.Module, f.Symbol, f.SymOff, f.Offset)
		}
		fmt.Fprintln(&want)
	}
	fmt.Fprintf(&want, "end %d\n", len(evs))
	if diff := cmp.Diff(want.String(), string(out)); diff != "" {
		t.Errorf("C reader output (-want Go reader +got C reader):\n%s", diff)
	}
}

func TestWriteTraceH(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) // plants what is already there
		written bool
		wantErr string
		want    string // trace.h content after the call ("" = no trace.h)
	}{
		{name: "empty dir", setup: func(*testing.T, string) {}, written: true, want: string(TraceH())},
		{name: "existing file kept", setup: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "trace.h"), []byte("mine"), 0o600)
		}, want: "mine"},
		{name: "dangling symlink not followed", setup: func(t *testing.T, dir string) {
			os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "trace.h"))
		}},
		{name: "symlink to file not followed", setup: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "victim"), []byte("precious"), 0o600)
			os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "trace.h"))
		}, want: "precious"},
		{name: "directory by that name", setup: func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "trace.h"), 0o755)
		}},
		{name: "no such dir", setup: func(t *testing.T, dir string) { os.Remove(dir) },
			wantErr: "creating trace.h: open DIR/trace.h: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir)
			written, err := WriteTraceH(dir)
			if diff := cmp.Diff(tt.wantErr, strings.ReplaceAll(errString(err), dir, "DIR")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if written != tt.written {
				t.Errorf("written = %v, want %v", written, tt.written)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "trace.h"))
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("trace.h content (-want +got):\n%s", diff)
			}
			if _, err := os.Lstat(filepath.Join(dir, "victim")); tt.name == "dangling symlink not followed" && err == nil {
				t.Error("the symlink target was created")
			}
			if written {
				fi, err := os.Lstat(filepath.Join(dir, "trace.h"))
				if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&^0o644 != 0 {
					t.Errorf("trace.h: %v, %v: want a regular file, mode 0644 or less", fi.Mode(), err)
				}
			}
		})
	}
}
