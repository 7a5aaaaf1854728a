package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// examples/fileio.star counts bytes per file through what the kernel says
// each descriptor refers to (trace(fds = True)): dash's fcntl(F_DUPFD)
// around a redirection, cat's inherited stdout, and cat's copy_file_range.
func TestFileIOScript(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	st, err := os.Stat("/etc/passwd")
	if err != nil {
		t.Skip(err)
	}
	script := filepath.Join(testutil.Root(), "examples/fileio.star")
	tracerIn(t, dir, "-f", "-q", "-o", filepath.Join(dir, "table"), "-s", script, "sh", "-c", "echo a > y; cat /etc/passwd > z")
	table := readFile(t, filepath.Join(dir, "table"))
	rows := map[string][2]int64{}
	for _, l := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		r, _ := strconv.ParseInt(f[1], 10, 64)
		w, _ := strconv.ParseInt(f[2], 10, 64)
		rows[f[0]] = [2]int64{r, w}
	}
	size := st.Size()
	for path, want := range map[string][2]int64{
		filepath.Join(dir, "y"): {0, 2},
		"/etc/passwd":           {size, 0},
		filepath.Join(dir, "z"): {0, size},
	} {
		if got, ok := rows[path]; !ok || got != want {
			t.Errorf("%s: read, written %v, want %v\n%s", path, got, want, table)
		}
	}
	for path := range rows {
		if strings.HasPrefix(path, "fd") || strings.HasPrefix(path, "<") {
			t.Errorf("a row for a descriptor the script could not name: %q\n%s", path, table)
		}
	}
}
