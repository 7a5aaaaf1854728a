package fidelity

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestSignalsAtDelivery checks that `--- SIGxxx ---` lines come where
// strace prints them, when the signal is delivered: after the tgkill that
// sent it and before the handler's calls; an ignored signal (SIGURG, a
// SIGCHLD nobody handles) after the call it came during (the tgkill, the
// wait4 the child's exit woke), not where it was generated; a fatal
// signal (SIGTERM to a sleeping child, which the kernel turns into
// SIGKILL) before "+++ killed by".
func TestSignalsAtDelivery(t *testing.T) {
	testutil.RequireBPF(t)
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	argv := []string{testutil.Syscaller(t), "signals"}
	dir := t.TempDir()
	a := filepath.Join(dir, "strace.out")
	b := filepath.Join(dir, "ebpf.out")
	run(t, dir, append([]string{straceBin, "-f", "-o", a}, argv...))
	run(t, dir, append([]string{testutil.Tracer(t), "-f", "-l", "strace", "-o", b}, argv...))
	// From the first tgkill on, the main process's lines.
	tail := func(lines []string) []string {
		for i, l := range lines {
			if strings.HasPrefix(l, "tgkill(") {
				return lines[i:]
			}
		}
		return nil
	}
	wantTrace, gotTrace := parse(t, a), parse(t, b)
	want, got := settle(tail(wantTrace["P1"])), settle(tail(gotTrace["P1"]))
	wantOrder := []string{
		"tgkill(P1, P1, SIGUSR1) = 0",
		"--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=P1, si_uid=0} ---",
		"close(20817) = -1 EBADF (Bad file descriptor)",
		"rt_sigreturn({mask=[]}) = 0",
		"close(20818) = -1 EBADF (Bad file descriptor)",
		"gettid() = P1",
		"getpid() = P1",
		"tgkill(P1, P1, SIGURG) = 0",
		"--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=P1, si_uid=0} ---",
		"close(20819) = -1 EBADF (Bad file descriptor)",
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0xADDR) = P2",
		"wait4(P2, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = P2",
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=P2, si_uid=0, si_status=7, si_utime=T, si_stime=T} ---",
		"close(20820) = -1 EBADF (Bad file descriptor)",
		"pipe2([3, 4], 0) = 0",
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0xADDR) = P3",
		`read(3, "r", 1) = 1`,
		"clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=50000000}, NULL) = 0",
		"kill(P3, SIGTERM) = 0",
		"wait4(P3, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], 0, NULL) = P3",
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=P3, si_uid=0, si_status=SIGTERM, si_utime=T, si_stime=T} ---",
		"close(20821) = -1 EBADF (Bad file descriptor)",
		"exit_group(0) = ?",
		"+++ exited with 0 +++",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("main process from the first tgkill (-strace +strace.ebpf):\n%s", diff)
	}
	if diff := cmp.Diff(wantOrder, got); diff != "" {
		t.Errorf("main process from the first tgkill (-want +strace.ebpf):\n%s", diff)
	}
	// The child killed in its sleep.
	if diff := cmp.Diff(wantTrace["P3"], gotTrace["P3"]); diff != "" {
		t.Errorf("killed child (-strace +strace.ebpf):\n%s", diff)
	}
	killed := []string{
		"clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=5, tv_nsec=0}, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)",
		"--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=P1, si_uid=0} ---",
		"+++ killed by SIGTERM +++",
	}
	if p3 := gotTrace["P3"]; len(p3) < 3 || !cmp.Equal(killed, p3[len(p3)-3:]) {
		t.Errorf("killed child ends with\n%s\nwant\n%s", strings.Join(p3, "\n"), strings.Join(killed, "\n"))
	}
}

// settle puts the second child's SIGCHLD after the wait4 that reaps it
// when it came just before: whether SIGTERM's victim dies before its
// parent enters wait4 (the signal then shows after kill) or during it
// (after wait4) is a race of the two processes that each run of each
// tool decides anew. The first child's SIGCHLD, whose exit the parent
// waits for, still checks "after the call it came during".
func settle(lines []string) []string {
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=P3,") &&
			strings.HasPrefix(lines[i+1], "wait4(P3, ") {
			lines[i], lines[i+1] = lines[i+1], lines[i]
			break
		}
	}
	return lines
}
