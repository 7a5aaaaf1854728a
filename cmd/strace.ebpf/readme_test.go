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
	const start, end = "<!-- help:start -->\n", "<!-- help:end -->"
	path := filepath.Join(testutil.Root(), "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README.md has no help block")
	}
	block := "```\n" + out.String() + "```\n"
	if *updateREADME {
		readme = readme[:i+len(start)] + block + readme[j:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(block, readme[i+len(start):j]); diff != "" {
		t.Errorf("README.md help block is stale; run go test ./cmd/strace.ebpf -run READMEHelp -update-readme (-want +got):\n%s", diff)
	}
}

// The README's first block of examples is the man page's EXAMPLES
// (examples.go).
func TestREADMEExamples(t *testing.T) {
	const start, end = "<!-- examples:start -->\n", "<!-- examples:end -->"
	path := filepath.Join(testutil.Root(), "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README.md has no examples block")
	}
	block := "```\n" + examplesBlock() + "```\n"
	if *updateREADME {
		readme = readme[:i+len(start)] + block + readme[j:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(block, readme[i+len(start):j]); diff != "" {
		t.Errorf("README.md examples block is stale; run go test ./cmd/strace.ebpf -run READMEExamples -update-readme (-want +got):\n%s", diff)
	}
}
