package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/strace.ebpf.1 and docs/completion/*")

// The man page and the completions are generated from the flags: the
// committed ones must be what this binary generates.
func TestGeneratedDocs(t *testing.T) {
	for _, tt := range []struct {
		args []string
		path string
	}{
		{[]string{"--man"}, "docs/strace.ebpf.1"},
		{[]string{"--completion", "bash"}, "docs/completion/strace.ebpf.bash"},
		{[]string{"--completion", "zsh"}, "docs/completion/_strace.ebpf"},
	} {
		var out bytes.Buffer
		if code, err := run(append([]string{"strace.ebpf"}, tt.args...), &out, &out); code != 0 || err != nil {
			t.Fatalf("%v: exit %d, %v", tt.args, code, err)
		}
		path := filepath.Join(testutil.Root(), tt.path)
		if *updateDocs {
			os.WriteFile(path, out.Bytes(), 0o644)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(b), out.String()); diff != "" {
			t.Errorf("%s is stale; run go test ./cmd/strace.ebpf -run GeneratedDocs -update-docs (-committed +generated):\n%s", tt.path, diff)
		}
	}
	man, _ := os.ReadFile(filepath.Join(testutil.Root(), "docs/strace.ebpf.1"))
	if _, err := exec.LookPath("zsh"); err == nil {
		if out, err := exec.Command("zsh", "-n", filepath.Join(testutil.Root(), "docs/completion/_strace.ebpf")).CombinedOutput(); err != nil {
			t.Errorf("zsh completion does not parse: %v\n%s", err, out)
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command("bash", "-n", filepath.Join(testutil.Root(), "docs/completion/strace.ebpf.bash")).CombinedOutput(); err != nil {
			t.Errorf("bash completion does not parse: %v\n%s", err, out)
		}
	}
	// Every option -h shows has its entry, and the EXAMPLES are there.
	var o options
	newFlags(&o).VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && !strings.Contains(string(man), `\fB\-\-`+roffEscape(f.Name)+`\fR`) {
			t.Errorf("the man page lacks --%s", f.Name)
		}
	})
	for _, sec := range []string{".SH EXAMPLES\n", ".SH ENVIRONMENT\n", "STRACE_EBPF_FORMAT", `\-\-stack\-window`, `strace.ebpf \-c make`} {
		if !strings.Contains(string(man), sec) {
			t.Errorf("the man page lacks %q", sec)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code, err := run([]string{"strace.ebpf", "--version"}, &out, &out); code != 0 || err != nil || !strings.HasPrefix(out.String(), "strace.ebpf ") {
		t.Errorf("--version: exit %d, %v, %q", code, err, out.String())
	}
}
