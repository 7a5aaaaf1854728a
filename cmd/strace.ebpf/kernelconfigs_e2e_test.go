package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// matrixMarker is the path the workload fails to open, in the shell's own
// process (a builtin's redirection: no fork, no exec).
const matrixMarker = "/nonexistent/strace-ebpf-matrix"

var matrixWorkload = []string{"sh", "-c", "true 2>/dev/null <" + matrixMarker + "; exit 0"}

// TestEveryKernelConfig loads every kernel configuration the command line
// can produce (KernelOptionSets) on the running kernel and prints, per
// program, what the verifier processed; then it traces a short real
// workload with each set of the pairwise cover (every pair of switches)
// and checks the output. STRACE_EBPF_MATRIX=cover only traces the cover
// (the kernel matrix's guests, where a load takes seconds: each trace
// loads its programs) and verifies its system-wide sets; =all traces every
// set too.
func TestEveryKernelConfig(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	sets, err := KernelOptionSets(examplesDir(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	cover := PairwiseCover(sets)
	mode := os.Getenv("STRACE_EBPF_MATRIX")
	verify, trace := sets, cover
	switch mode {
	case "cover":
		// Tracing loads the programs too: only what is not traced (the
		// system-wide sets) is verified alone.
		verify = nil
		for _, s := range cover {
			if s.SystemWide {
				verify = append(verify, s)
			}
		}
	case "all":
		trace = sets
	}
	t.Logf("kernel %s: %d distinct configurations, %d in the pairwise cover; verifying %d, tracing %d",
		kernelRelease(), len(sets), len(cover), len(verify), len(trace))

	// One line per program and set; the largest per program at the end.
	most := map[string]engine.ProgramStats{}
	mostArgs := map[string]string{}
	t0 := time.Now()
	for _, s := range verify {
		stats, err := engine.Verify(s.Config)
		if errors.Is(err, engine.ErrNotSupported) {
			// A feature this kernel lacks, refused in one line.
			t.Logf("%s: refused: %v", s, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		for _, st := range stats {
			if st.Insns > most[st.Name].Insns {
				most[st.Name], mostArgs[st.Name] = st, s.String()
			}
		}
		if testing.Verbose() {
			var b strings.Builder
			for _, st := range stats {
				fmt.Fprintf(&b, "\n    %v", st)
			}
			t.Logf("%s:%s", s, b.String())
		}
	}
	t.Logf("verified %d configurations in %v", len(verify), time.Since(t0).Round(time.Millisecond))
	for name, st := range most {
		t.Logf("most for %v (with %s)", st, mostArgs[name])
	}
	if t.Failed() {
		t.FailNow()
	}

	for _, s := range trace {
		if s.SystemWide {
			continue // verified above; tracing the whole system is the e2e tests'
		}
		if err := engine.CheckFeatures(s.Config); errors.Is(err, engine.ErrNotSupported) {
			t.Logf("%s: refused: %v", s, err)
			continue
		}
		checkTrace(t, s, dir)
	}
}

// checkTrace runs the tracer (in this process) with s's options on the
// workload and checks its output.
func checkTrace(t *testing.T, s OptionSet, dir string) {
	t.Helper()
	out := filepath.Join(dir, "trace.out")
	os.Remove(out)
	args := append([]string{"strace.ebpf"}, s.Args...)
	hasOutput := false
	for _, a := range s.Args {
		if strings.HasPrefix(a, "--output=") {
			hasOutput = true
			out = strings.TrimPrefix(a, "--output=")
		}
	}
	if !hasOutput {
		args = append(args, "--output="+out)
	}
	split := strings.Contains(strings.Join(s.Args, " "), "--full-follow-fork --full-follow-fork") ||
		strings.Contains(strings.Join(s.Args, " "), "--fast-follow-fork --fast-follow-fork")
	args = append(args, matrixWorkload...)
	var so, se bytes.Buffer
	code, err := run(args, &so, &se)
	if err != nil || code != 0 {
		t.Errorf("%s: exit %d, %v\nstderr: %s", s, code, err, se.String())
		return
	}
	if split {
		return // one file per process: the -ff tests check those
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Errorf("%s: %v", s, err)
		return
	}
	joined := " " + strings.Join(s.Args, " ") + " "
	// --calibrate traces nothing, by design.
	if len(b) == 0 && !strings.Contains(joined, "--script=") && !strings.Contains(joined, "--trace-path=") &&
		!strings.Contains(joined, "--calibrate") {
		t.Errorf("%s: empty output", s)
		return
	}
	// Where the marker must show: the failed open passes every filter but
	// these, and a script decides for itself what it prints.
	expect := !strings.Contains(joined, "status=successful") && !strings.Contains(joined, "--successful-only") &&
		!strings.Contains(joined, "--trace-path=") && !strings.Contains(joined, "--script=") &&
		!strings.Contains(joined, "--calibrate")
	switch {
	case strings.Contains(joined, "--summary-only"):
		if !strings.Contains(string(b), "total") {
			t.Errorf("%s: no summary table:\n%s", s, b)
		}
	case strings.Contains(joined, "--format=bin"):
		if !bytes.HasPrefix(b, []byte("STRACEBP")) && len(b) < 16 {
			t.Errorf("%s: not a recording (%d bytes)", s, len(b))
		}
		var ro, re bytes.Buffer
		if code, err := run([]string{"strace.ebpf", "-i", out, "-l", "strace"}, &ro, &re); code != 0 || err != nil {
			t.Errorf("%s: replaying: exit %d, %v: %s", s, code, err, re.String())
		} else if expect && !strings.Contains(ro.String()+re.String(), matrixMarker) && !skippedOpen(ro.Bytes()) && !saysSkipped(se.String()) {
			t.Errorf("%s: the replay lacks the workload's open of %s:\n%s%s", s, matrixMarker, ro.String(), re.String())
		}
	case strings.Contains(joined, "--format=json"):
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line != "" && !json.Valid([]byte(line)) {
				t.Errorf("%s: not JSON: %s", s, line)
				break
			}
		}
		if expect && !bytes.Contains(b, []byte(matrixMarker)) && !bytes.Contains(b, []byte(`"kind":"lost"`)) && !saysSkipped(se.String()) {
			t.Errorf("%s: no event of the workload's open of %s:\n%s", s, matrixMarker, b)
		}
	case strings.Contains(joined, "--format=perfetto"):
		if !json.Valid(b) {
			t.Errorf("%s: not one JSON document (%d bytes)", s, len(b))
		}
	case strings.Contains(joined, "--format=strace"):
		if expect && !bytes.Contains(b, []byte(`"`+matrixMarker+`"`)) {
			if skippedOpen(b) || saysSkipped(se.String()) {
				t.Logf("%s: the kernel skipped the open's entry or exit, and the trace says so:\n%s", s, b)
				break
			}
			t.Errorf("%s: no line of the workload's open of %s:\n%s\nstderr: %s", s, matrixMarker, b, se.String())
		}
	default: // hex
		if expect && !bytes.Contains(b, []byte("openat")) && !bytes.Contains(b, []byte("open\t")) && !saysSkipped(se.String()) {
			t.Errorf("%s: no line of the workload's open:\n%s", s, b)
		}
	}
}

// skippedOpen says a strace-format trace that lacks the workload's open
// says why: the kernel skipped the tracer's sys_enter (kernels whose
// syscall tracepoints are preemptible skip it while another task is
// preempted inside it), so the open shows from its exit, with its path's
// address; or it skipped sys_exit, and the call is counted lost.
func skippedOpen(b []byte) bool {
	return bytes.Contains(b, []byte("openat(AT_FDCWD, 0x")) || bytes.Contains(b, []byte("events lost here"))
}

// saysSkipped says the tracer said that the kernel skipped its syscall
// probes in a way that can hide calls (engine.Result.Skipped).
func saysSkipped(stderr string) bool {
	return strings.Contains(stderr, "skipped the tracer's syscall probes")
}

// examplesDir is the repository's examples/, or, in the kernel matrix's
// guests, where STRACE_EBPF_EXAMPLES says.
func examplesDir(t *testing.T) string {
	if d := os.Getenv("STRACE_EBPF_EXAMPLES"); d != "" {
		return d
	}
	return filepath.Join(testutil.Root(), "examples")
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
