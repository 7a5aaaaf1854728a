package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// injCaller compiles testdata/injcaller.c into dir.
func injCaller(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "injcaller")
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if b, err := exec.Command(cc, "-O1", "-pthread", "-o", out, filepath.Join(testutil.Root(), "testdata", "injcaller.c")).CombinedOutput(); err != nil {
		t.Fatalf("compiling testdata/injcaller.c: %v\n%s", err, b)
	}
	return out
}

// injNorm drops what differs between two runs: pids, and the signal's
// siginfo (strace injects it from ptrace, SI_KERNEL; here the tracer
// sends it, SI_TKILL with its pid).
var injNorm = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^[0-9]+ +`), ""},
	{regexp.MustCompile(`^(--- SIG[A-Z0-9]+) \{.*\} ---$`), "$1 {...} ---"},
	{regexp.MustCompile(` +=`), " ="},
	{regexp.MustCompile(`pipe:\[[0-9]+\]`), "pipe:[N]"},
	{regexp.MustCompile(`, 0x[0-9a-f]+ /\* [0-9]+ vars \*/\)`), ", ENV)"},
}

func normInject(s string, sorted bool) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		for _, n := range injNorm {
			l = n.re.ReplaceAllString(l, n.with)
		}
		out = append(out, l)
	}
	if sorted {
		sort.Strings(out)
	}
	return out
}

// injectCases are the inject forms compared with strace: each runs
// injcaller MODE under both, with the same -e expressions.
var injectCases = []struct {
	name   string
	mode   string
	exprs  []string
	follow bool // -f, lines sorted (two processes interleave)
	must   string
	opts   []string // other options, before the -e ones
}{
	{name: "error-when", mode: "files", exprs: []string{"trace=openat,write,close,umask", "inject=openat:error=ENOSPC:when=3"},
		must: `openat(AT_FDCWD, "/dev/null", O_WRONLY) = -1 ENOSPC (No space left on device) (INJECTED)`},
	{name: "enospc-path", mode: "files", exprs: []string{"trace=openat,write,close", "inject=write:error=ENOSPC:when=2..3"},
		must: `write(3, "x", 1) = -1 ENOSPC (No space left on device) (INJECTED)`},
	{name: "retval", mode: "files", exprs: []string{"trace=umask", "inject=umask:retval=42"},
		must: `umask(022) = 052 (INJECTED)`},
	{name: "fault-default", mode: "files", exprs: []string{"trace=close", "fault=close:when=2..3"},
		must: `close(3) = -1 ENOSYS (Function not implemented) (INJECTED)`},
	{name: "fault-step", mode: "files", exprs: []string{"trace=openat", "fault=openat:error=EACCES:when=3+2"},
		must: `openat(AT_FDCWD, "/dev/null", O_WRONLY) = -1 EACCES (Permission denied) (INJECTED)`},
	{name: "two-sets", mode: "files", exprs: []string{"trace=openat,umask", "inject=openat:error=ENOENT:when=4", "inject=umask:retval=7:when=2", "inject=openat:error=EPERM:when=5"},
		must: `openat(AT_FDCWD, "/dev/null", O_WRONLY) = -1 EPERM (Operation not permitted) (INJECTED)`},
	{name: "signal", mode: "signal", exprs: []string{"trace=umask", "inject=umask:signal=SIGUSR1:when=2"},
		must: `--- SIGUSR1 {...} ---`},
	{name: "signal-error", mode: "signal", exprs: []string{"trace=umask", "inject=umask:signal=USR1:error=EPERM:when=2"},
		must: `umask(022) = -1 EPERM (Operation not permitted) (INJECTED)`},
	{name: "delay", mode: "signal", exprs: []string{"trace=umask", "inject=umask:delay_enter=50ms:when=2"},
		must: `umask(022) = 022 (DELAYED)`},
	{name: "untraced-set", mode: "files", exprs: []string{"trace=write", "inject=openat:error=ENOENT:when=3"}},
	{name: "follow", mode: "fork", follow: true, exprs: []string{"trace=umask", "inject=umask:error=EPERM:when=2"},
		must: `umask(022) = -1 EPERM (Operation not permitted) (INJECTED)`},
	{name: "threads", mode: "threads", follow: true, exprs: []string{"trace=umask", "inject=umask:error=EPERM:when=2"},
		must: `umask(022) = -1 EPERM (Operation not permitted) (INJECTED)`},
	{name: "poke", mode: "files", exprs: []string{"trace=write", "inject=write:poke_enter=@arg2=7a:when=2"},
		must: `write(3, "z", 1) = 1 (INJECTED: args)`},
	{name: "poke-error", mode: "files", exprs: []string{"trace=write", "inject=write:poke_enter=@arg2=7a:error=EIO:when=2"},
		must: `write(3, "z", 1) = -1 EIO (Input/output error) (INJECTED: args, retval)`},
	{name: "decode-fds", mode: "files", opts: []string{"-y"}, exprs: []string{"trace=write,close", "inject=write:error=ENOSPC:when=2"},
		must: `write(3</dev/null>, "x", 1) = -1 ENOSPC (No space left on device) (INJECTED)`},
	{name: "trace-path", mode: "files", opts: []string{"-P", "/dev/null"}, exprs: []string{"trace=write,openat,close", "inject=write:error=ENOSPC:when=2"},
		must: `write(3, "x", 1) = -1 ENOSPC (No space left on device) (INJECTED)`},
	// strace neither counts nor tampers with the launch's own execve.
	{name: "launch-execve", mode: "files", exprs: []string{"trace=execve,umask", "inject=execve:error=ENOENT:when=1", "inject=umask:retval=1:when=1"},
		must: `umask(022) = 001 (INJECTED)`},
	{name: "network", mode: "net", exprs: []string{"trace=connect", "inject=connect:error=ETIMEDOUT:when=2"},
		must: `connect(3, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 ETIMEDOUT (Connection timed out) (INJECTED)`},
}

// TestInjectLikeStrace runs injcaller under the system's strace and under
// strace.ebpf with the same -e inject= and -e fault= expressions: the
// traces and the program's own output must be the same.
func TestInjectLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := injCaller(t, dir)
	tracer := testutil.Tracer(t)
	for _, tc := range injectCases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string(nil), tc.opts...)
			if tc.follow {
				args = append(args, "-f")
			}
			for _, e := range tc.exprs {
				args = append(args, "-e", e)
			}
			st, se := filepath.Join(dir, tc.name+".strace"), filepath.Join(dir, tc.name+".se")
			run := func(name string, argv ...string) (string, int) {
				cmd := exec.Command(name, argv...)
				cmd.Dir = dir
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if errb.Len() > 0 && code != 0 && !strings.Contains(errb.String(), "exited") {
					t.Logf("%s stderr: %s", name, errb.String())
				}
				return out.String(), code
			}
			wantOut, wantCode := run("strace", append(append([]string{"-o", st}, args...), prog, tc.mode)...)
			gotOut, gotCode := run(tracer, append(append([]string{"-l", "strace", "-o", se}, args...), prog, tc.mode)...)
			if wantCode != gotCode {
				t.Errorf("exit code: strace %d, strace.ebpf %d", wantCode, gotCode)
			}
			if diff := cmp.Diff(normInject(wantOut, tc.follow), normInject(gotOut, tc.follow)); diff != "" {
				t.Errorf("the program's output (-strace +strace.ebpf):\n%s", diff)
			}
			want, got := normInject(readFile(t, st), tc.follow), normInject(readFile(t, se), tc.follow)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("trace (-strace +strace.ebpf):\n%s", diff)
			}
			if tc.must != "" && !strings.Contains(strings.Join(got, "\n"), tc.must) {
				t.Errorf("strace.ebpf's trace lacks %q", tc.must)
			}
		})
	}
}

// TestInjectJSONAndSummary checks that json marks injected calls and that
// -c counts injected errors as errors.
func TestInjectJSONAndSummary(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := injCaller(t, dir)
	out := filepath.Join(dir, "t.json")
	res := runTracer(t, "-l", "json", "-o", out, "-e", "trace=openat", "-e", "inject=openat:error=EACCES:when=3..4", prog, "files")
	if res.code != 0 {
		t.Fatalf("json: exit %d: %s", res.code, res.stderr)
	}
	injected := 0
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, out)), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			continue
		}
		if ev["injected"] == true {
			injected++
			if ev["errname"] != "EACCES" {
				t.Errorf("injected call: errname %v, want EACCES: %s", ev["errname"], l)
			}
		}
	}
	if injected != 2 {
		t.Errorf("json: %d injected calls, want 2", injected)
	}
	sum := filepath.Join(dir, "sum")
	res = runTracer(t, "-c", "-o", sum, "-e", "inject=umask:error=EPERM", prog, "files")
	if res.code != 0 {
		t.Fatalf("-c: exit %d: %s", res.code, res.stderr)
	}
	re := regexp.MustCompile(`(?m)^\s*\S+\s+\S+\s+\S+\s+2\s+2\s+umask$`)
	if !re.MatchString(readFile(t, sum)) {
		t.Errorf("-c: want umask's 2 calls counted as 2 errors:\n%s", readFile(t, sum))
	}
}

// TestInjectScript: a script's inject() and on_inject decide, and only the
// declared calls reach on_inject.
func TestInjectScript(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := injCaller(t, dir)
	script := filepath.Join(dir, "inj.star")
	os.WriteFile(script, []byte(`
inject(syscalls = ["openat"])
inject(syscalls = ["umask"], fault = "retval=7:when=2")
seen = {}

def on_inject(ev):
    seen[ev.name] = seen.get(ev.name, 0) + 1
    if ev.path == "/dev/null" and seen[ev.name] % 2 == 0:
        return "error=EACCES"
    return None

def on_syscall(ev):
    if ev.injected:
        print("injected", ev.name, ev.ret)

def on_exit():
    print("on_inject saw", seen)
`), 0o644)
	res := runTracer(t, "-s", script, "-o", filepath.Join(dir, "out"), prog, "files")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := readFile(t, filepath.Join(dir, "out"))
	// openat: ld.so.cache, libc, then four /dev/null: the 2nd and 4th
	// calls to the hook are /dev/null's 1st and 3rd.
	want := "injected openat -13\ninjected openat -13\ninjected umask 7\non_inject saw {\"openat\": 6}\n"
	if got != want {
		t.Errorf("script output:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(res.stdout, "open -1 EACCES") || !strings.Contains(res.stdout, "umask 7") {
		t.Errorf("the program's output lacks the faults:\n%s", res.stdout)
	}
}

// TestInjectRefusals: what seccomp cannot do is refused in one line.
func TestInjectRefusals(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "1", "-e", "inject=openat:error=EIO"}, "seccomp cannot be given to a running process"},
		{[]string{"-e", "inject=openat:error=EIO", "-o", "/dev/null"}, "seccomp cannot be given to a running process"},
		{[]string{"-e", "inject=umask:delay_exit=1s", "true"}, "delay_exit= is not supported"},
		{[]string{"-e", "inject=umask", "true"}, "no error=, retval=, signal=, delay_enter= or poke_enter="},
		{[]string{"-e", "inject=write:poke_exit=@arg2=00", "true"}, "poke_exit= is not supported"},
		{[]string{"-e", "fault=umask:retval=1", "true"}, "retval= is not a fault= token"},
	} {
		res := runTracer(t, tc.args...)
		if res.code == 0 || !strings.Contains(res.stderr, tc.want) || strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", tc.args, res.code, res.stderr, tc.want)
		}
	}
}

// TestInjectTracerKilled kills the tracer with SIGKILL while a call waits
// in it (delay_enter=): the kernel fails the waiting call, and every later
// one the filter names, with ENOSYS, and the command runs to its end.
func TestInjectTracerKilled(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := injCaller(t, dir)
	outPath := filepath.Join(dir, "prog.out")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(testutil.Tracer(t), "-o", "/dev/null", "-e", "inject=umask:delay_enter=30s", prog, "slow", "20")
	cmd.Stdout = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first umask comes after 1 ms, and waits in its delay.
	waitChildInSyscall(t, cmd.Process.Pid, "umask")
	if b, _ := os.ReadFile(outPath); len(b) > 0 {
		t.Fatalf("the command finished before the tracer was killed: %s", b)
	}
	cmd.Process.Kill()
	cmd.Wait()
	b := waitDone(t, outPath)
	if strings.Contains(b, "bad 0") {
		t.Errorf("no call failed after the tracer died: %q (want ENOSYS)", b)
	}
}

// waitDone waits for injcaller slow's last line.
func waitDone(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), "done 20") {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command is still blocked 10 s after the tracer went (output %q)", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestInjectInterrupted: Ctrl-C detaches from a command that ignores it
// (the first goes to the command, the second stops the tracer) while a
// call waits in a delay: the call runs at once, and the later named calls
// run too (a helper answers them), none fails.
func TestInjectInterrupted(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := injCaller(t, dir)
	outPath := filepath.Join(dir, "prog.out")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(testutil.Tracer(t), "-o", "/dev/null", "-e", "inject=umask:delay_enter=30s",
		"sh", "-c", "trap '' INT; exec "+prog+" slow 20")
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitChildInSyscall(t, cmd.Process.Pid, "umask") // the first umask waits in its delay
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(300 * time.Millisecond) // two Ctrl-C, not one received twice
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if b := waitDone(t, outPath); !strings.Contains(b, "bad 0") {
		t.Errorf("calls failed after the tracer detached: %q", b)
	}
}

// TestInjectOutlived: a child that outlives the session (traced without
// -f) keeps the filter; its named calls must run, not fail with ENOSYS
// (a helper answers them until it exits).
func TestInjectOutlived(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := injCaller(t, dir)
	out := filepath.Join(dir, "bg.out")
	script := "(sleep 0.5; " + prog + " files > " + out + " 2>&1) & exit 0"
	res := runTracer(t, "-o", "/dev/null", "-e", "inject=openat:error=EIO:when=4", "sh", "-c", script)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(out)
		if strings.Contains(string(b), "getppid 1") {
			if strings.Contains(string(b), "-1") {
				t.Errorf("the outliving child's calls failed:\n%s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outliving child did not finish: %q", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestInjectUserDrop: the launcher drops to -u's user with the filter in
// place, and its own calls are never injected: faking setuid's result
// must not leave the command running as root.
func TestInjectUserDrop(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("id"); err != nil {
		t.Skip("no id")
	}
	res := runTracer(t, "-o", "/dev/null", "-u", "65534", "-e", "inject=setuid,setgid,setgroups,setresuid,setresgid:retval=0", "id", "-u")
	if res.code != 0 || strings.TrimSpace(res.stdout) != "65534" {
		t.Errorf("exit %d, id -u printed %q; want 65534\nstderr: %s", res.code, res.stdout, res.stderr)
	}
}
