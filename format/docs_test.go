package format

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFormatTableDocumented checks docs/formats.md's table of which option
// applies where against Formats (go test ./format -run FormatTable
// -update rewrites it).
func TestFormatTableDocumented(t *testing.T) {
	const path = "../docs/formats.md"
	const start, end = "<!-- formats-table:start -->\n", "<!-- formats-table:end -->"
	want, err := FormatTable()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q block", path, start, end)
	}
	got := s[i+len(start) : j]
	if *update {
		if err := os.WriteFile(path, []byte(s[:i+len(start)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s's table is stale; run go test ./format -run FormatTable -update (-want +got):\n%s", path, diff)
	}
}

// TestFormatTableComplete checks every format's Shows against its Honours.
func TestFormatTableComplete(t *testing.T) {
	for _, f := range Formats {
		for o := range f.Shows {
			if f.Honours&o == 0 {
				t.Errorf("-l %s says how it shows %s, which it does not honour", f.Name, OptName(o))
			}
		}
		if f.New == nil || f.Needs == nil {
			t.Errorf("-l %s has no writer or no needs", f.Name)
		}
	}
	if _, err := FormatTable(); err != nil {
		t.Error(err)
	}
}
