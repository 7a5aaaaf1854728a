package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// straceBoth runs prog under the system's strace and strace.ebpf -l strace
// with the same options, in dir, and returns their syscall lines.
func straceBoth(t *testing.T, dir, prog string, opts ...string) (want, got []string) {
	t.Helper()
	st := filepath.Join(dir, "st")
	cmd := exec.Command("strace", append(append(append([]string{}, opts...), "-o", st), prog)...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace %q: %v\n%s", opts, err, b)
	}
	se := filepath.Join(dir, "se")
	tr := exec.Command(testutil.Tracer(t), append(append(append([]string{"-l", "strace"}, opts...), "-o", se), prog)...)
	tr.Dir = dir
	if b, err := tr.CombinedOutput(); err != nil {
		t.Fatalf("strace.ebpf %q: %v\n%s", opts, err, b)
	}
	return syscallLines(readFile(t, st)), syscallLines(readFile(t, se))
}

// TestTraceNumbersAndSuffixesLikeStrace: trace= takes syscall numbers, and
// the @64 suffix on regexes and classes, as the system's strace does.
func TestTraceNumbersAndSuffixesLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := fdCaller(t, dir)
	for _, set := range []string{
		"trace=0,3",           // read, close
		"trace=/^dup@64,1@64", // dup2, write
		"trace=%net@64,?9999", // the sockets' calls
		"trace=!/^(open|read)@64,%process,%memory,%signal,%file,%desc,%ipc,%creds,arch_prctl,prlimit64,set_tid_address,set_robust_list,rseq,getrandom",
	} {
		want, got := straceBoth(t, dir, prog, "-f", "-e", set)
		if len(want) < 3 {
			t.Fatalf("%s: strace printed only %q", set, want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-e %s (-strace +strace.ebpf):\n%s", set, diff)
		}
	}
}

// compileTestdata compiles testdata/NAME.c into dir.
func compileTestdata(t *testing.T, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if b, err := exec.Command(cc, "-O1", "-o", out, filepath.Join(testutil.Root(), "testdata", name+".c")).CombinedOutput(); err != nil {
		t.Fatalf("compiling testdata/%s.c: %v\n%s", name, err, b)
	}
	return out
}

// pidRe finds the pids of pidfds.
var pidRe = regexp.MustCompile(`(pidfd_open\(|<pid:)[0-9]+`)

// cloneRe finds the pid clone3 returns.
var cloneRe = regexp.MustCompile(`^(clone3\(.* = )[0-9]+$`)

// TestDecodeFdKindsLikeStrace: --decode-fds=SET and -e decode-fds=SET with
// each of strace 6.1's keywords and their combinations print what the
// system's strace prints (a pidfd as <pid:N>, a device with its numbers,
// a socket's protocol, nothing for the kinds not named); a recording
// replays them so, and eventfd (newer strace's) is refused.
func TestDecodeFdKindsLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := compileTestdata(t, dir, "fdkinds")
	const set = "trace=close,pidfd_open,socket,clone3"
	for _, kinds := range []string{"path", "socket", "dev", "pidfd", "path,pidfd", "socket,dev", "all", "none", "!path"} {
		for _, spelling := range [][]string{{"--decode-fds=" + kinds}, {"-e", "decode-fds=" + kinds}} {
			want, got := straceBoth(t, dir, prog, append(spelling, "-e", set)...)
			for _, l := range [][]string{want, got} {
				for i := range l {
					l[i] = cloneRe.ReplaceAllString(pidRe.ReplaceAllString(l[i], "${1}N"), "${1}N")
					l[i] = hexAddr.ReplaceAllString(l[i], "ADDR")
				}
			}
			if len(want) < 8 {
				t.Fatalf("%s: strace printed only %q", spelling, want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-strace +strace.ebpf):\n%s", spelling, diff)
			}
		}
	}

	// The recording keeps the kinds: its replay prints the same lines.
	se, rec := filepath.Join(dir, "se"), filepath.Join(dir, "rec")
	tr := exec.Command(testutil.Tracer(t), "-l", "strace", "--decode-fds=pidfd,dev", "-e", set, "-o", se, "--record", rec, prog)
	if b, err := tr.CombinedOutput(); err != nil {
		t.Fatalf("strace.ebpf: %v\n%s", err, b)
	}
	live := readFile(t, se)
	for _, must := range []string{"<pid:", "</dev/null<char 1:3>>"} {
		if !strings.Contains(live, must) {
			t.Errorf("--decode-fds=pidfd,dev lacks %q:\n%s", must, live)
		}
	}
	res := runTracer(t, "-i", rec, "-l", "strace")
	if res.code != 0 {
		t.Fatalf("replay: exit %d: %s", res.code, res.stderr)
	}
	if diff := cmp.Diff(live, res.stdout); diff != "" {
		t.Errorf("replay (-live +replay):\n%s", diff)
	}
	// The replay's own set wins over the recorded one.
	res = runTracer(t, "-i", rec, "-l", "strace", "--decode-fds=socket")
	if res.code != 0 || strings.Contains(res.stdout, "<pid:") || !strings.Contains(res.stdout, "<UDP:[") {
		t.Errorf("replay --decode-fds=socket: exit %d, want sockets only:\n%s%s", res.code, res.stdout, res.stderr)
	}

	for _, bad := range []string{"--decode-fds=eventfd", "--decode-fds=paths"} {
		res := runTracer(t, "-l", "strace", bad, prog)
		if res.code != 2 || !strings.HasPrefix(res.stderr, "strace.ebpf: ") || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, want 2 and one line: %q", bad, res.code, res.stderr)
		}
	}
}

// TestExprOptions: strace's -e spellings of options act as the options
// (-e quiet=all drops the exit lines, as the system's strace does), and
// the qualifiers with no equivalent are refused by name, in one line.
func TestExprOptions(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"kvm=vcpu", "secontext=full", "namespace=new", "quiet=foo", "quiet=!attach", "silent=", "decode-pids=bogus"} {
		res := runTracer(t, "-l", "strace", "-e", bad, "true")
		if res.code != 2 || !strings.HasPrefix(res.stderr, "strace.ebpf: parsing -e") || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("-e %s: exit %d, want 2 and one line naming it: %q", bad, res.code, res.stderr)
		}
	}
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := compileTestdata(t, dir, "fdkinds")
	for _, q := range []string{"quiet=all", "q=exit", "silent=exits"} {
		st := filepath.Join(dir, "st")
		if b, err := exec.Command("strace", "-e", q, "-e", "trace=close", "-o", st, prog).CombinedOutput(); err != nil {
			t.Fatalf("strace -e %s: %v\n%s", q, err, b)
		}
		res := runTracer(t, "-l", "strace", "-e", q, "-e", "trace=close", prog)
		if res.code != 0 {
			t.Fatalf("-e %s: exit %d: %s", q, res.code, res.stderr)
		}
		// (The child's SIGCHLD line carries its pid: rawLines leaves the
		// signals out.)
		if diff := cmp.Diff(rawLines(readFile(t, st)), rawLines(res.stderr)); diff != "" {
			t.Errorf("-e %s (-strace +strace.ebpf):\n%s", q, diff)
		}
		if strings.Contains(res.stderr, "+++ exited") || strings.Contains(readFile(t, st), "+++ exited") {
			t.Errorf("-e %s: an exit line:\n%s", q, res.stderr)
		}
	}
	res := runTracer(t, "-l", "strace", "-f", "-e", "decode-pids=comm", "-e", "trace=close", "sh", "-c", "/bin/true; /bin/true")
	if res.code != 0 || !regexp.MustCompile(`(?m)^\[pid +\d+<true>\] close\(`).MatchString(res.stderr) {
		t.Errorf("-e decode-pids=comm: exit %d, want [pid N<true>] prefixes:\n%s", res.code, res.stderr)
	}
}

// fd9 finds the strace lines of calls on descriptor 9: an argument,
// poll's and select's sets.
var fd9 = regexp.MustCompile(`^\w+\((9[,)]|.*, 9[,)]|\[\{fd=9|10, \[9\])`)

// TestTraceFdsLikeStrace: -e trace-fds=9 (and strace's fd=, and !SET)
// keeps the calls that operate on descriptor 9 as strace 6.4+ picks them
// (the system's strace 6.1 has no trace-fds=: its lines for the same calls
// are the reference), in every format and on the replay of a full
// recording.
func TestTraceFdsLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := compileTestdata(t, dir, "tracefds")
	calls := []string{"dup2", "read", "newfstatat", "lseek", "poll", "pselect6", "mmap", "epoll_ctl", "openat", "copy_file_range", "close"}
	st := filepath.Join(dir, "st")
	if b, err := exec.Command("strace", "-e", "trace="+strings.Join(calls, ","), "-o", st, prog).CombinedOutput(); err != nil {
		t.Fatalf("strace: %v\n%s", err, b)
	}
	var want []string
	for _, l := range rawLines(readFile(t, st)) {
		// (select's first argument is a count, not a descriptor.)
		if fd9.MatchString(l) && (!strings.HasPrefix(l, "pselect6(") || strings.Contains(l, "[9]")) {
			want = append(want, mmapAddr.ReplaceAllString(l, "= ADDR"))
		}
	}
	var names []string
	for _, l := range want {
		names = append(names, l[:strings.Index(l, "(")])
	}
	if diff := cmp.Diff(calls, names); diff != "" {
		t.Fatalf("strace's calls on fd 9 (-want +got):\n%s", diff)
	}
	lines := func(out string) []string {
		var got []string
		for _, l := range rawLines(out) {
			got = append(got, mmapAddr.ReplaceAllString(l, "= ADDR"))
		}
		return got
	}
	for _, expr := range []string{"trace-fds=9", "fd=9", "fds=9,42", "trace-fd=!0,1,2,3,4,8"} {
		res := runTracer(t, "-l", "strace", "-e", expr, prog)
		if res.code != 0 {
			t.Fatalf("-e %s: exit %d: %s", expr, res.code, res.stderr)
		}
		if diff := cmp.Diff(want, lines(res.stderr)); diff != "" {
			t.Errorf("-e %s (-strace +strace.ebpf):\n%s", expr, diff)
		}
	}
	// With a trace= set, both apply.
	res := runTracer(t, "-l", "strace", "-e", "trace-fds=9", "-e", "trace=read,close", prog)
	if got := lines(res.stderr); len(got) != 2 || !strings.HasPrefix(got[0], "read(9,") || !strings.HasPrefix(got[1], "close(9)") {
		t.Errorf("-e trace-fds=9 -e trace=read,close: exit %d, want read and close of 9:\n%s", res.code, res.stderr)
	}
	// json keeps the same calls; a full recording (with its buffers: -S)
	// replays them.
	res = runTracer(t, "-l", "json", "-e", "trace-fds=9", prog)
	var jnames []string
	for _, l := range strings.Split(strings.TrimSpace(res.stdout+res.stderr), "\n") {
		if m := regexp.MustCompile(`"kind":"syscall".*?"name":"(\w+)"`).FindStringSubmatch(l); m != nil {
			jnames = append(jnames, m[1])
		}
	}
	if diff := cmp.Diff(calls, jnames); diff != "" {
		t.Errorf("-l json -e trace-fds=9 (-want +got):\n%s", diff)
	}
	rec := filepath.Join(dir, "rec")
	if res := runTracer(t, "-l", "bin", "-S", "64", "-o", rec, prog); res.code != 0 {
		t.Fatalf("recording: exit %d: %s", res.code, res.stderr)
	}
	res = runTracer(t, "-i", rec, "-l", "strace", "-e", "trace-fds=9")
	if diff := cmp.Diff(want, lines(res.stdout)); res.code != 0 || diff != "" {
		t.Errorf("replay -e trace-fds=9: exit %d (-strace +replay):\n%s%s", res.code, diff, res.stderr)
	}
	for _, bad := range []string{"trace-fds=x", "fd=-1", "trace-fds="} {
		res := runTracer(t, "-l", "strace", "-e", bad, "true")
		if res.code != 2 || !strings.HasPrefix(res.stderr, "strace.ebpf: parsing -e") || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("-e %s: exit %d, want 2 and one line: %q", bad, res.code, res.stderr)
		}
	}
}

// rawLines are a single process's syscall lines, spaces before " = "
// squeezed, nothing else normalized.
func rawLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" || strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "strace") {
			continue
		}
		out = append(out, regexp.MustCompile(` +=`).ReplaceAllString(l, " ="))
	}
	return out
}

// mmapAddr is a returned address, which differs from run to run.
var mmapAddr = regexp.MustCompile(`= 0x[0-9a-f]+$`)

// hexAddr is an address in a trace, which differs from run to run.
var hexAddr = regexp.MustCompile(`0x[0-9a-f]{6,}`)

// TestCallSetsLikeStrace: -e raw=, -e verbose= and -e abbrev= (and their
// one-letter spellings) print the calls of their sets as the system's
// strace does: undecoded, structures and arrays as addresses, -v's whole
// structures; on a replay too, and refused where no line shows them.
func TestCallSetsLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := compileTestdata(t, dir, "tracefds")
	const set = "trace=close,lseek,read,openat,newfstatat,poll,pselect6,epoll_ctl,execve,mmap"
	norm := func(l []string) []string {
		for i := range l {
			l[i] = hexAddr.ReplaceAllString(l[i], "ADDR")
		}
		return l
	}
	for _, e := range []string{"raw=close,read,lseek,openat", "x=all", "verbose=none", "v=!newfstatat,poll", "abbrev=none", "a=!newfstatat"} {
		// A short environment: strace -v prints every string of it, the
		// kernel side captures 32.
		st := filepath.Join(dir, "st")
		cmd := exec.Command("strace", "-e", e, "-e", set, "-o", st, prog)
		cmd.Env = []string{"A=1", "B=2"}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("strace -e %s: %v\n%s", e, err, b)
		}
		tr := exec.Command(testutil.Tracer(t), "-l", "strace", "-e", e, "-e", set, "-o", filepath.Join(dir, "se"), prog)
		tr.Env = cmd.Env
		if b, err := tr.CombinedOutput(); err != nil {
			t.Fatalf("strace.ebpf -e %s: %v\n%s", e, err, b)
		}
		want, got := norm(rawLines(readFile(t, st))), norm(rawLines(readFile(t, filepath.Join(dir, "se"))))
		if len(want) < 20 {
			t.Fatalf("-e %s: strace printed only %q", e, want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-e %s (-strace +strace.ebpf):\n%s", e, diff)
		}
	}
	// A replay of a full recording prints its calls by the replay's sets.
	rec := filepath.Join(dir, "rec")
	if res := runTracer(t, "-l", "bin", "-S", "64", "-e", set, "-o", rec, prog); res.code != 0 {
		t.Fatalf("recording: exit %d: %s", res.code, res.stderr)
	}
	res := runTracer(t, "-i", rec, "-l", "strace", "-e", "raw=lseek", "-e", "verbose=!poll")
	out := strings.Join(rawLines(res.stdout), "\n")
	for _, must := range []string{"lseek(0x9, 0, 0) = 0", "poll(0x", "newfstatat(9, \"\", {st_mode="} {
		if !strings.Contains(out, must) {
			t.Errorf("replay -e raw=lseek -e verbose=!poll lacks %q:\n%s%s", must, out, res.stderr)
		}
	}
	for _, bad := range [][]string{{"-l", "json", "-e", "raw=read"}, {"-l", "hex", "-e", "verbose=none"}, {"-l", "strace", "-e", "abbrev=nosuchcall"}, {"-l", "strace", "-e", "raw="}} {
		res := runTracer(t, append(bad, "true")...)
		if res.code != 2 || !strings.HasPrefix(res.stderr, "strace.ebpf: ") || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, want 2 and one line: %q", bad, res.code, res.stderr)
		}
	}
}

// TestTableHasKernelSyscalls: every syscall the running kernel has a
// tracepoint for is in the built-in table (under the tracepoint's name,
// or the name syscalls/input/aliases.tsv gives it): the table follows the
// newest kernel.
func TestTableHasKernelSyscalls(t *testing.T) {
	testutil.RequireBPF(t)
	names, err := engine.KernelSyscalls()
	if err != nil {
		t.Fatal(err)
	}
	tab := syscalls.Native()
	events := map[string]bool{}
	for _, sc := range tab.All() {
		events[sc.Name] = true
	}
	b, err := os.ReadFile(filepath.Join(testutil.Root(), "syscalls", "input", "aliases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(l, "\t"); len(f) == 2 && !strings.HasPrefix(l, "#") && tab.ByName(f[0]) != nil {
			events[f[1]] = true
		}
	}
	var missing []string
	for _, n := range names {
		if !events[n] {
			missing = append(missing, n)
		}
	}
	if len(names) < 300 || len(missing) > 0 {
		t.Errorf("the kernel's %d syscall tracepoints; not in the %s table: %q", len(names), tab.Arch(), missing)
	}
}
