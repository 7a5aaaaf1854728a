package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// tracerEnv runs the tracer in dir with extra environment variables.
func tracerEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(testutil.Tracer(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running strace.ebpf %v: %v", args, err)
	}
	return result{so.String(), se.String(), code}
}

// Mistyped options, syscalls, classes, formats and statuses name the
// nearest valid spelling.
func TestDidYouMean(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--ouptut", "x", "true"}, `strace.ebpf: parsing options: unknown flag: --ouptut (did you mean "--output"?)` + "\n"},
		{nil, []string{"--folow-forks", "true"}, `strace.ebpf: parsing options: unknown flag: --folow-forks (did you mean "--follow-forks"?)` + "\n"},
		{nil, []string{"-e", "trace=opnat", "true"}, `strace.ebpf: parsing -e trace=opnat: unknown amd64 syscall "opnat" (did you mean "openat"?)` + "\n"},
		{nil, []string{"-e", "trace=%fil", "true"}, `strace.ebpf: parsing -e trace=%fil: unknown syscall class "%fil" (did you mean "%file"?)` + "\n"},
		{nil, []string{"-l", "stace", "true"}, `strace.ebpf: choosing format: unknown format "stace" (did you mean "strace"?) (valid: hex, hex_raw, hex_sl, strace, json, perfetto, bin, binary)` + "\n"},
		{nil, []string{"-e", "status=failure", "true"}, `strace.ebpf: parsing -e status=failure: unknown status "failure" (did you mean "failed"?) (successful, failed, unfinished, unavailable, detached, all, none)` + "\n"},
		{nil, []string{"-e", "trce=open", "true"}, `strace.ebpf: parsing -e trce=open: unsupported qualifier "trce" (did you mean "trace"?) (supported: trace, trace-fds, status, signal, read, write, inject, fault, quiet, decode-fds, decode-pids; see -e help)` + "\n"},
		{[]string{"STRACE_EBPF_FORMAT=jsno"}, []string{"true"}, `strace.ebpf: parsing STRACE_EBPF_FORMAT: choosing format: unknown format "jsno" (did you mean "json"?) (valid: hex, hex_raw, hex_sl, strace, json, perfetto, bin, binary)` + "\n"},
		{[]string{"STRACE_EBPF_FORMAT=help"}, []string{"true"}, `strace.ebpf: parsing STRACE_EBPF_FORMAT: choosing format: unknown format "help" (did you mean "hex"?) (valid: hex, hex_raw, hex_sl, strace, json, perfetto, bin, binary)` + "\n"},
		{nil, []string{"-c", "--summary-sort-by", "cals", "true"}, `strace.ebpf: parsing --summary-sort-by cals: unknown key (did you mean "calls"?) (time, min-time, max-time, avg-time, calls, errors, name, nothing)` + "\n"},
		{nil, []string{"--summary-sort-by", "calls", "true"}, "strace.ebpf: parsing options: --summary-sort-by and --summary-columns (-U) shape the -c/-C summary; give -c or -C\n"},
		{nil, []string{"-c", "-l", "json", "true"}, "strace.ebpf: parsing options: -c prints only the summary table, not -l json (use -C for both, with -l hex or -l strace)\n"},
		{nil, []string{"-ff", "-o", "|cat", "true"}, "strace.ebpf: parsing options: -ff writes a file per process (FILE.PID); -o '|cmd' pipes one trace: give one\n"},
		{nil, []string{"--decode-pids=pidns", "true"}, "strace.ebpf: parsing --decode-pids pidns: comm (the command name, as strace -Y) or container\n"},
	} {
		r := tracerEnv(t, t.TempDir(), tt.env, tt.args...)
		if r.code != 2 || r.stderr != tt.want {
			t.Errorf("%v %v: exit %d, stderr\n%q\nwant 2 and\n%q", tt.env, tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// strace's habits: an alias's -l strace with -c, the default format from
// the environment, strace's long spellings, -Y, --seccomp-bpf, the
// summary's sort key and columns, and -o '|cmd'.
func TestStraceHabits(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	sc := testutil.Syscaller(t)

	// alias strace='strace.ebpf -l strace': -c still works.
	r := tracerEnv(t, dir, nil, "-l", "strace", "-c", sc, "basic")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "% time ") || !strings.Contains(r.stderr, " openat\n") {
		t.Errorf("-l strace -c: exit %d, want the summary table:\n%s", r.code, r.stderr)
	}

	// STRACE_EBPF_FORMAT=strace: strace lines without -l; -c ignores it.
	r = tracerEnv(t, dir, []string{"STRACE_EBPF_FORMAT=strace"}, "--trace=openat", sc, "basic")
	if r.code != 0 || !strings.Contains(r.stderr, `openat(AT_FDCWD, "`) || !strings.Contains(r.stderr, "+++ exited with 0 +++") {
		t.Errorf("STRACE_EBPF_FORMAT=strace --trace=openat: exit %d, want strace lines:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "read(") {
		t.Errorf("--trace=openat let other calls through:\n%s", r.stderr)
	}
	r = tracerEnv(t, dir, []string{"STRACE_EBPF_FORMAT=strace"}, "-c", sc, "basic")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "% time ") {
		t.Errorf("STRACE_EBPF_FORMAT=strace -c: exit %d, want the table:\n%s", r.code, r.stderr)
	}

	// --follow-forks --output-separately -o FILE: one file per process.
	out := filepath.Join(dir, "t")
	r = tracerEnv(t, dir, nil, "-l", "strace", "--follow-forks", "--output-separately", "-o", out, "sh", "-c", "/bin/true; /bin/true")
	files, _ := filepath.Glob(out + ".*")
	if r.code != 0 || len(files) != 3 {
		t.Errorf("--follow-forks --output-separately: exit %d, files %v, want 3 (sh and two trues)\n%s", r.code, files, r.stderr)
	}

	// -Y and --string-limit, --absolute-timestamps=unix,us, --stack-traces
	// spelled as strace does.
	r = tracerEnv(t, dir, nil, "-l", "strace", "-f", "-Y", "--string-limit=4", "--absolute-timestamps=unix,us", "-e", "trace=write", "sh", "-c", "echo hello; (echo world)")
	if r.code != 0 || !regexp.MustCompile(`(?m)^\[pid +\d+<sh>\] \d+\.\d{6} write\(1, "worl"\.\.\., 6\) += 6$`).MatchString(r.stderr) {
		t.Errorf("-Y --string-limit=4 --absolute-timestamps=unix,us: exit %d, want [pid N<sh>] EPOCH write(1, \"worl\"..., 6):\n%s", r.code, r.stderr)
	}

	// strace's values: --decode-fds=all, --syscall-times=us, --quiet=all.
	r = tracerEnv(t, dir, nil, "-l", "strace", "--decode-fds=all", "--syscall-times=us", "--quiet=all", "-e", "trace=read", "cat", "/etc/hostname")
	if r.code != 0 || !regexp.MustCompile(`(?m)^read\(3</etc/hostname>, .* <\d+\.\d{6}>$`).MatchString(r.stderr) || strings.Contains(r.stderr, "+++ exited") {
		t.Errorf("--decode-fds=all --syscall-times=us --quiet=all: exit %d:\n%s", r.code, r.stderr)
	}

	r = tracerEnv(t, dir, nil, "-l", "strace", "--strings-in-hex=all", "-e", "trace=openat", "-e", "status=failed", "cat", "/nonexistent")
	if r.code != 1 || !strings.Contains(r.stderr, `openat(AT_FDCWD, "\x2f\x6e\x6f`) {
		t.Errorf("--strings-in-hex=all: exit %d:\n%s", r.code, r.stderr)
	}

	// --seccomp-bpf: accepted, with a note.
	r = tracerEnv(t, dir, nil, "--seccomp-bpf", "-l", "strace", "-e", "trace=none", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "strace.ebpf: --seccomp-bpf is not needed here") {
		t.Errorf("--seccomp-bpf: exit %d, want a note:\n%s", r.code, r.stderr)
	}

	// strace's -S calls and -U columns for -c.
	r = tracerEnv(t, dir, nil, "-c", "--summary-sort-by", "calls", "-U", "calls,name,min-time,max-time", sc, "basic")
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if r.code != 0 || len(lines) < 5 || lines[0] != "    calls syscall          shortest  longest" {
		t.Fatalf("-c -U calls,name,min-time,max-time: exit %d, header %q:\n%s", r.code, lines[0], r.stderr)
	}
	row := regexp.MustCompile(`^ +(\d+) (\S+) +(\d+\.\d{6}) (\d+\.\d{6})$`)
	prev := -1
	for _, l := range lines[2 : len(lines)-2] {
		m := row.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("row %q is not calls, name, shortest, longest", l)
		}
		n := atoi(t, m[1])
		if prev >= 0 && n > prev {
			t.Errorf("rows not sorted by calls: %d after %d", n, prev)
		}
		if m[3] > m[4] {
			t.Errorf("%s: shortest %s > longest %s", m[2], m[3], m[4])
		}
		prev = n
	}

	// -o '|cmd' pipes the trace to cmd (no file named "|grep ..." made).
	r = tracerEnv(t, dir, nil, "-l", "strace", "-o", "|grep -c '^openat('", "cat", "/etc/hostname")
	if r.code != 0 || !regexp.MustCompile(`(?m)^[1-9]\d*$`).MatchString(r.stdout) {
		t.Errorf("-o '|grep -c': exit %d, stdout %q (want grep's count), stderr %s", r.code, r.stdout, r.stderr)
	}
	r = tracerEnv(t, dir, nil, "-l", "strace", "-o", "!cat > piped", "true")
	if got := readFile(t, filepath.Join(dir, "piped")); r.code != 0 || !strings.Contains(got, "execve(") {
		t.Errorf("-o '!cat > piped': exit %d, piped:\n%s", r.code, got)
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, "[|!]*")); len(ents) > 0 {
		t.Errorf("-o '|cmd' made files %v", ents)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
