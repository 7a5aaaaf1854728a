package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeProc lays out /proc/self/cgroup, mountinfo and meminfo and a cgroup
// tree under dir; files maps paths under dir to contents.
func fakeProc(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		body = strings.ReplaceAll(body, "$D", dir)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMemRoom(t *testing.T) {
	const gib = 1 << 30
	meminfo := "MemTotal: 24000000 kB\nMemAvailable:   8388608 kB\n" // 8 GiB
	for _, tc := range []struct {
		name   string
		files  map[string]string
		room   memRoom
		budget int64
		why    string
	}{
		{"v2 memory.max", map[string]string{
			"cgroup":                      "0::/a/b\n",
			"mountinfo":                   "40 30 0:37 / $D/cg rw,relatime - cgroup2 cgroup2 rw\n",
			"meminfo":                     meminfo,
			"cg/cgroup.controllers":       "cpu memory pids\n",
			"cg/a/memory.max":             "max\n",
			"cg/a/memory.high":            "max\n",
			"cg/a/memory.current":         "200000000\n",
			"cg/a/b/memory.max":           "629145600\n", // 600 MiB
			"cg/a/b/memory.high":          "max\n",
			"cg/a/b/memory.current":       "104857600\n", // 100 MiB
			"cg/a/b/cgroup.controllers":   "memory\n",
			"cg/unrelated/memory.max":     "1\n",
			"cg/unrelated/memory.current": "0\n",
		}, memRoom{500 << 20, "memory.max of cgroup /a/b"}, 250 << 20, "the default budget: half the 500 MiB left under memory.max of cgroup /a/b"},
		{"v2 memory.high of an ancestor", map[string]string{
			"cgroup":                "0::/a/b\n",
			"mountinfo":             "40 30 0:37 / $D/cg rw,relatime - cgroup2 cgroup2 rw\n",
			"meminfo":               meminfo,
			"cg/cgroup.controllers": "memory\n",
			"cg/a/memory.max":       "max\n",
			"cg/a/memory.high":      "314572800\n", // 300 MiB
			"cg/a/memory.current":   "104857600\n",
			"cg/a/b/memory.max":     "max\n",
			"cg/a/b/memory.high":    "max\n",
			"cg/a/b/memory.current": "52428800\n",
		}, memRoom{200 << 20, "memory.high of cgroup /a"}, 100 << 20, "the default budget: half the 200 MiB left under memory.high of cgroup /a"},
		{"v2 without the memory controller", map[string]string{
			"cgroup":                "0::/a\n",
			"mountinfo":             "40 30 0:37 / $D/cg rw,relatime - cgroup2 cgroup2 rw\n",
			"meminfo":               meminfo,
			"cg/cgroup.controllers": "cpu\n",
			"cg/a/memory.max":       "1048576\n",
			"cg/a/memory.current":   "0\n",
		}, memRoom{8 * gib, "MemAvailable (/proc/meminfo)"}, gib, ""},
		{"v1 limit_in_bytes", map[string]string{
			"cgroup":                           "4:memory:/x/y\n0::/\n",
			"mountinfo":                        "34 30 0:31 / $D/memory rw,relatime - cgroup cgroup rw,memory\n40 30 0:37 / $D/unified rw,relatime - cgroup2 cgroup2 rw\n",
			"meminfo":                          meminfo,
			"unified/cgroup.controllers":       "hugetlb\n",
			"memory/x/memory.limit_in_bytes":   "9223372036854771712\n",
			"memory/x/memory.usage_in_bytes":   "1000\n",
			"memory/x/y/memory.limit_in_bytes": "629145600\n",
			"memory/x/y/memory.usage_in_bytes": "209715200\n",
		}, memRoom{400 << 20, "memory.limit_in_bytes of cgroup /x/y"}, 200 << 20, "the default budget: half the 400 MiB left under memory.limit_in_bytes of cgroup /x/y"},
		{"little free memory", map[string]string{
			"cgroup":    "0::/\n",
			"mountinfo": "",
			"meminfo":   "MemAvailable: 1048576 kB\n",
		}, memRoom{gib, "MemAvailable (/proc/meminfo)"}, 512 << 20, "the default budget: half the 1 GiB left under MemAvailable (/proc/meminfo)"},
		{"over its limit", map[string]string{
			"cgroup":                "0::/a\n",
			"mountinfo":             "40 30 0:37 / $D/cg rw,relatime - cgroup2 cgroup2 rw\n",
			"meminfo":               meminfo,
			"cg/cgroup.controllers": "memory\n",
			"cg/a/memory.max":       "1000\n",
			"cg/a/memory.current":   "5000\n",
		}, memRoom{0, "memory.max of cgroup /a"}, minMemoryBudget, "the default budget: half the 1 MiB left under memory.max of cgroup /a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fakeProc(t, tc.files)
			room := readMemRoom(filepath.Join(d, "cgroup"), filepath.Join(d, "mountinfo"), filepath.Join(d, "meminfo"))
			if diff := cmp.Diff(tc.room, room, cmp.AllowUnexported(memRoom{})); diff != "" {
				t.Errorf("room (-want +got):\n%s", diff)
			}
			b, why := budgetFor(room)
			if b != tc.budget || why != tc.why {
				t.Errorf("budget %d, %q; want %d, %q", b, why, tc.budget, tc.why)
			}
		})
	}
}
