package main

// The original strace.ebpf's options: -F/-FF/-FFF, -fff, -n/--filenames,
// -N/--ebpf-src-dir, -R.

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestFastFollow checks that -F follows the command's children and not
// their children (the kernel does not add them), where -f follows both;
// -FF writes one file per process.
func TestFastFollow(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	const marker = "grandchild-marker"
	res := runTracer(t, "-l", "strace", "-f", "-e", "trace=openat,clone", sc, "fork")
	if !strings.Contains(res.stderr, marker) {
		t.Fatalf("-f lacks the grandchild's %s:\n%s", marker, res.stderr)
	}
	res = runTracer(t, "-l", "strace", "-F", "-e", "trace=openat,clone", sc, "fork")
	if res.code != 0 || strings.Contains(res.stderr, marker) {
		t.Errorf("-F: exit %d, shows the grandchild:\n%s", res.code, res.stderr)
	}
	if strings.Count(res.stderr, "clone(") != 2 {
		t.Errorf("-F: want the command's and its child's clone:\n%s", res.stderr)
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "t")
	if res := runTracer(t, "-l", "strace", "-FF", "-o", base, "-e", "trace=openat,clone", sc, "fork"); res.code != 0 {
		t.Fatalf("-FF: exit %d: %s", res.code, res.stderr)
	}
	files, _ := filepath.Glob(base + ".*")
	if len(files) != 2 {
		t.Errorf("-FF wrote %v, want the command's and its child's files", files)
	}
	for _, f := range files {
		if strings.Contains(readFile(t, f), marker) {
			t.Errorf("-FF: %s has the grandchild's call", f)
		}
	}
}

// TestSplitThreads checks -fff: one file per thread, named FILE.TID.PID as
// the original strace.ebpf named them; the second thread's call is in its
// own file.
func TestSplitThreads(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	for _, opt := range []string{"-fff", "-FFF"} {
		base := filepath.Join(t.TempDir(), "t")
		res := runTracer(t, "-l", "strace", opt, "-o", base, "-e", "trace=openat", sc, "threads")
		if res.code != 0 {
			t.Fatalf("%s: exit %d: %s", opt, res.code, res.stderr)
		}
		files, _ := filepath.Glob(base + ".*")
		sort.Strings(files)
		if len(files) != 2 {
			t.Fatalf("%s wrote %v, want a file per thread", opt, files)
		}
		var pids []string
		for _, f := range files {
			parts := strings.Split(strings.TrimPrefix(f, base+"."), ".")
			if len(parts) != 2 {
				t.Fatalf("%s: file %s is not FILE.TID.PID", opt, f)
			}
			for _, p := range parts {
				if _, err := strconv.Atoi(p); err != nil {
					t.Fatalf("%s: file %s is not FILE.TID.PID", opt, f)
				}
			}
			pids = append(pids, parts[1])
		}
		if pids[0] != pids[1] {
			t.Errorf("%s: the threads' files name processes %v, want one", opt, pids)
		}
		n := 0
		for _, f := range files {
			if strings.Contains(readFile(t, f), "thread-marker") {
				n++
				if strings.HasPrefix(filepath.Base(f), "t."+pids[0]+".") {
					t.Errorf("%s: the second thread's call is in the main thread's file %s", opt, f)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d files hold the thread's marker, want 1", opt, n)
		}
	}
}

// TestFilenames checks -n's modes: how much of a path the kernel reads.
func TestFilenames(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	long := "/nonexistent/" + strings.Repeat("p", 1200)
	for _, tc := range []struct {
		mode string
		show int // bytes of the path printed
	}{
		{"fast", 127}, {"name_max", 255}, {"2", 510}, {"full", len(long)},
	} {
		res := runTracer(t, "-l", "strace", "-n", tc.mode, "-e", "trace=openat", "cat", long)
		want := `openat(AT_FDCWD, "` + long[:tc.show] + `"`
		if tc.show < len(long) {
			want += `..., O_RDONLY)`
		} else {
			want += `, O_RDONLY)`
		}
		if !strings.Contains(res.stderr, want) {
			t.Errorf("-n %s: want the path's first %d bytes:\n%s", tc.mode, tc.show, res.stderr)
		}
	}
	if res := runTracer(t, "-n", "0", "true"); res.code != 2 || !strings.Contains(res.stderr, "parsing -n 0:") {
		t.Errorf("-n 0: exit %d: %s", res.code, res.stderr)
	}
}

// TestObjectDir checks -N: the kernel object built from the sources with
// clang loads from the directory; one that does not fit, or none, is one
// clear error.
func TestObjectDir(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	clang, err := exec.LookPath("clang-16")
	if err != nil {
		t.Skip("no clang-16 to build the object")
	}
	dir := t.TempDir()
	src := filepath.Join(testutil.Root(), "bpf", "tracer.bpf.c")
	arch := strings.Split(engine.ObjectName(), "_")[1] // tracer_x86_bpfel.o
	build := exec.Command(clang, "-O2", "-g", "-Wall", "-Werror", "-target", "bpfel", "-D__TARGET_ARCH_"+arch, "-c", src, "-o", filepath.Join(dir, engine.ObjectName()))
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the object: %v\n%s", err, b)
	}
	res := runTracer(t, "-N", dir, "-l", "strace", "-y", "-e", "trace=close", "cat", "/etc/hostname")
	if res.code != 0 || !strings.Contains(res.stderr, "close(3</etc/hostname>)") {
		t.Errorf("-N %s: exit %d:\n%s", dir, res.code, res.stderr)
	}
	// An object with a map of another size.
	bad := t.TempDir()
	fd, err := os.ReadFile(filepath.Join(testutil.Root(), "bpf", "fd.bpf.h"))
	if err != nil {
		t.Fatal(err)
	}
	fd = []byte(strings.Replace(string(fd), "__type(value, u16); /* bit i", "__type(value, u32); /* bit i", 1))
	fd = []byte(strings.Replace(string(fd), "u16 *m = bpf_map_lookup_elem(&fd_args", "u32 *m = bpf_map_lookup_elem(&fd_args", 1))
	os.MkdirAll(filepath.Join(bad, "include"), 0o755)
	sources, err := filepath.Glob(filepath.Join(testutil.Root(), "bpf", "*.h"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range sources {
		sources[i] = filepath.Base(f)
	}
	for _, f := range append(sources, "tracer.bpf.c", "include/vmlinux_min.h", "include/fd_min.h") {
		if f == "fd.bpf.h" {
			continue // written changed below
		}
		b, err := os.ReadFile(filepath.Join(testutil.Root(), "bpf", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(bad, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(bad, "fd.bpf.h"), fd, 0o644)
	build = exec.Command(clang, "-O2", "-g", "-Wall", "-Werror", "-target", "bpfel", "-D__TARGET_ARCH_"+arch, "-c", filepath.Join(bad, "tracer.bpf.c"), "-o", filepath.Join(bad, engine.ObjectName()))
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the changed object: %v\n%s", err, b)
	}
	for _, d := range []string{bad, t.TempDir()} {
		res := runTracer(t, "-N", d, "true")
		lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
		if res.code == 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "strace.ebpf: loading BPF object "+filepath.Join(d, engine.ObjectName())+": ") {
			t.Errorf("-N %s: exit %d, stderr:\n%s", d, res.code, res.stderr)
		}
	}
	if !strings.Contains(runTracer(t, "-N", bad, "true").stderr, "map fd_args is Array 4/4 bytes, want Array 4/2") {
		t.Errorf("-N with a changed map: the error does not say which")
	}
}

// TestLowLevelList checks -R: the kernel's traceable functions, or where
// the kernel withholds them (lockdown, no function tracer) a note and its
// tracepoints, among them the ones this tool attaches to.
func TestLowLevelList(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	res := runTracer(t, "-R")
	if res.code != 0 || len(strings.Split(res.stdout, "\n")) < 100 {
		t.Fatalf("-R: exit %d, %d bytes; stderr %s", res.code, len(res.stdout), res.stderr)
	}
	if strings.Contains(res.stderr, "listing the kernel's tracepoints instead") {
		if !strings.Contains(res.stdout, "raw_syscalls:sys_enter\n") {
			t.Errorf("-R's tracepoints lack raw_syscalls:sys_enter")
		}
	} else if !strings.Contains(res.stdout, "do_sys_openat2") {
		t.Errorf("-R's functions lack do_sys_openat2:\n%.300s", res.stdout)
	}
}
