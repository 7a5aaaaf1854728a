package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the -h block of README.md")

// The README shows the verbatim -h output; this keeps it true.
func TestREADMEHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code, err := run([]string{"strace.ebpf", "-h"}, &out, &out); code != 0 || err != nil {
		t.Fatalf("-h: exit %d, %v", code, err)
	}
	checkREADMEBlock(t, "help", "```\n"+out.String()+"```\n", "READMEHelp")
}

// The README's first block of examples is the man page's EXAMPLES
// (examples.go).
func TestREADMEExamples(t *testing.T) {
	checkREADMEBlock(t, "examples", "```\n"+examplesBlock()+"```\n", "READMEExamples")
}

// checkREADMEBlock compares README.md's block between <!-- NAME:start -->
// and <!-- NAME:end --> with want, or rewrites it with -update-readme.
func checkREADMEBlock(t *testing.T, name, want, test string) {
	t.Helper()
	start, end := "<!-- "+name+":start -->\n", "<!-- "+name+":end -->"
	path := filepath.Join(testutil.Root(), "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s block", name)
	}
	if *updateREADME {
		readme = readme[:i+len(start)] + want + readme[j:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, readme[i+len(start):j]); diff != "" {
		t.Errorf("README.md %s block is stale; run go test ./cmd/strace.ebpf -run %s -update-readme (-want +got):\n%s", name, test, diff)
	}
}
