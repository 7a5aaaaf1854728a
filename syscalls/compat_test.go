package syscalls

import (
	"errors"
	"testing"
)

// TestCompatTable: amd64's 32-bit calls have i386's numbers, 4-byte
// pointers and longs, and no argument whose capture or printing assumes a
// 64-bit layout; arm64 has no such calls.
func TestCompatTable(t *testing.T) {
	amd64, err := ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	i386 := amd64.Compat()
	if i386.Arch() != "i386" || amd64.Personality(true) != i386 || amd64.Personality(false) != amd64 {
		t.Fatalf("Compat() is %q", i386.Arch())
	}
	for name, nr := range map[string]int{"restart_syscall": 0, "exit": 1, "open": 5, "execve": 11, "mmap2": 192, "stat64": 195, "socketcall": 102, "clock_gettime64": 403, "openat": 295} {
		if sc := i386.ByName(name); sc == nil || sc.Nr != nr {
			t.Errorf("i386 %s: %+v, want number %d", name, sc, nr)
		}
	}
	if sc := i386.ByName("open"); sc.Args[0].Kind != Path || sc.Args[0].Width != 4 {
		t.Errorf("i386 open's path: %+v", sc.Args[0])
	}
	if sc := i386.ByName("lseek"); sc.Args[1].Width != 4 || !sc.Args[1].Signed {
		t.Errorf("i386 lseek's off_t: %+v, want 4 signed bytes", sc.Args[1])
	}
	layoutFree := map[Kind]bool{Int: true, Fd: true, Dirfd: true, Path: true, Str: true, BufIn: true, BufOut: true, Ptr: true, Flags: true}
	for _, sc := range i386.All() {
		for _, a := range sc.Args {
			if !layoutFree[a.Kind] {
				t.Errorf("i386 %s %s: kind %v assumes a layout", sc.Name, a.Name, a.Kind)
			}
			if a.Width == 8 && (a.Type == "unsigned long" || a.Type == "long" || a.Type == "size_t") {
				t.Errorf("i386 %s %s: %s of 8 bytes", sc.Name, a.Name, a.Type)
			}
		}
	}
	if sc := i386.ByName("clone"); sc.Args[3].Name != "tls" {
		t.Errorf("i386 clone passes tls fourth (CONFIG_CLONE_BACKWARDS): %+v", sc.Args)
	}

	arm64, _ := ForArch("arm64")
	if n := len(arm64.Compat().All()); n != 0 {
		t.Errorf("arm64's Compat() has %d syscalls", n)
	}
	if _, err := ForArch("i386"); !errors.Is(err, ErrUnknownArch) {
		t.Errorf("ForArch(i386): %v: no trace is of that architecture", err)
	}
}
