package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// -ff never writes through a link the traced program planted: the program
// links FILE.<its next pids> to a file of the tracer's, then starts
// children; the file is left whole and the tracer says, in one line, why it
// stopped.
func TestSplitRefusesPlantedLinks(t *testing.T) {
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("no perl to plant the links with")
	}
	for _, ln := range []string{"symlink", "link"} {
		t.Run(ln, func(t *testing.T) {
			dir := t.TempDir()
			secret := filepath.Join(dir, "secret")
			if err := os.WriteFile(secret, []byte("keep\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			base := filepath.Join(dir, "t")
			// One process plants them all (perl: its own pid is $$+1).
			script := `perl -e 'for $i (2..300) { ` + ln + `("` + secret + `", "` + base + `." . ($ARGV[0] + $i)) }' $$; for i in 1 2 3 4 5; do /bin/true; done`
			res := runTracer(t, "-ff", "-o", base, "sh", "-c", script)
			if b, _ := os.ReadFile(secret); string(b) != "keep\n" {
				t.Fatalf("the linked file was written: %q\nstderr: %s", b, res.stderr)
			}
			if res.code != 0 || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, ": refused") ||
				!strings.HasPrefix(res.stderr, "strace.ebpf: tracing stopped: opening output: "+base+".") {
				t.Errorf("exit %d, stderr:\n%s", res.code, res.stderr)
			}
		})
	}
}

// -o and --record follow a link the user made, and say so.
func TestOutputLinkNoted(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out, rec := filepath.Join(dir, "out"), filepath.Join(dir, "rec")
	for _, l := range []string{out, rec} {
		if err := os.Symlink(l+".real", l); err != nil {
			t.Fatal(err)
		}
	}
	res := runTracer(t, "-o", out, "--record", rec, "true")
	for _, want := range []string{
		"strace.ebpf: -o " + out + " is a symbolic link: writing to " + out + ".real\n",
		"strace.ebpf: --record " + rec + " is a symbolic link: writing to " + rec + ".real\n",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("no %q in stderr:\n%s", want, res.stderr)
		}
	}
	for _, f := range []string{out + ".real", rec + ".real"} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}
