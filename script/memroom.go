package script

// The default memory budget follows what the tracer may really use: a
// fixed 1 GiB in a 600 MB memory cgroup got the whole tracer OOM-killed
// (no line, the trace lost) before the budget stopped the script. The room
// is the smallest of what is left under the limits of the tracer's memory
// cgroup and of each of its ancestors (cgroup v2: memory.max and
// memory.high; v1: memory.limit_in_bytes) and the system's MemAvailable;
// the scripts get half of it, at most DefaultMemoryLimit: the other half
// is for the tracer itself, the garbage collector's slack and flushing the
// outputs at the end.

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// minMemoryBudget is the least default budget, however little room there
// is.
const minMemoryBudget = 4 << 20

// memRoom is how much more memory the tracer may use, and which limit says
// so.
type memRoom struct {
	bytes int64
	why   string // "memory.max of cgroup /a/b", "MemAvailable"; "" when nothing limits
}

// defaultMemoryBudget is the memory budget when none is given, and what it
// was derived from, for the message of a call it stops.
func defaultMemoryBudget() (int64, string) {
	return budgetFor(readMemRoom("/proc/self/cgroup", "/proc/self/mountinfo", "/proc/meminfo"))
}

func budgetFor(r memRoom) (int64, string) {
	if r.why == "" || r.bytes/2 >= DefaultMemoryLimit {
		return DefaultMemoryLimit, ""
	}
	b := max(roundMiB(r.bytes/2), minMemoryBudget)
	return b, fmt.Sprintf("the default budget: half the %s left under %s", byteSize(roundMiB(r.bytes)), r.why)
}

// roundMiB rounds n down to whole MiB (at least 1), for messages.
func roundMiB(n int64) int64 { return max(n>>20, 1) << 20 }

// readMemRoom reads the room left from the files of /proc named.
func readMemRoom(cgroupFile, mountinfo, meminfo string) memRoom {
	room := memRoom{bytes: math.MaxInt64}
	if avail, ok := memAvailable(meminfo); ok {
		room = memRoom{bytes: avail, why: "MemAvailable (/proc/meminfo)"}
	}
	for _, cg := range memoryCgroups(cgroupFile, mountinfo) {
		if r := cgroupRoom(cg); r.why != "" && r.bytes < room.bytes {
			room = r
		}
	}
	return room
}

// memAvailable is /proc/meminfo's MemAvailable, in bytes.
func memAvailable(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, false
			}
			return n << 10, true // kB
		}
	}
	return 0, false
}

// memCgroup is the directory of a memory cgroup, from the tracer's own up
// to the hierarchy's root (mount), and its version's file names.
type memCgroup struct {
	dir, mount string
	name       string // the cgroup's path, for messages
	v2         bool
}

// memoryCgroups finds the tracer's memory cgroups: the v2 one, when the
// unified hierarchy has the memory controller, and the v1 memory one.
func memoryCgroups(cgroupFile, mountinfo string) []memCgroup {
	cg, err := os.ReadFile(cgroupFile)
	if err != nil {
		return nil
	}
	mounts := cgroupMounts(mountinfo)
	var out []memCgroup
	for _, l := range strings.Split(strings.TrimSpace(string(cg)), "\n") {
		// hierarchy-ID:controllers:path
		f := strings.SplitN(l, ":", 3)
		if len(f) != 3 {
			continue
		}
		v2 := f[0] == "0" && f[1] == ""
		if !v2 && !hasWord(f[1], "memory") {
			continue
		}
		for _, m := range mounts {
			if m.v2 != v2 || !v2 && !hasWord(m.opts, "memory") {
				continue
			}
			rel, ok := strings.CutPrefix(f[2], m.root)
			if !ok {
				continue
			}
			dir := filepath.Join(m.point, rel)
			if v2 {
				ctl, _ := os.ReadFile(filepath.Join(m.point, "cgroup.controllers"))
				if !hasWord(strings.TrimSpace(string(ctl)), "memory") {
					continue
				}
			}
			out = append(out, memCgroup{dir: dir, mount: m.point, name: f[2], v2: v2})
			break
		}
	}
	return out
}

type cgroupMount struct {
	point, root, opts string
	v2                bool
}

// cgroupMounts lists the cgroup file systems mounted, from mountinfo.
func cgroupMounts(mountinfo string) []cgroupMount {
	f, err := os.Open(mountinfo)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []cgroupMount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root point options ... - fstype source super-options
		pre, post, ok := bytes.Cut(sc.Bytes(), []byte(" - "))
		if !ok {
			continue
		}
		a, b := strings.Fields(string(pre)), strings.Fields(string(post))
		if len(a) < 5 || len(b) < 3 {
			continue
		}
		switch b[0] {
		case "cgroup2":
			out = append(out, cgroupMount{point: unescapeMount(a[4]), root: a[3], v2: true})
		case "cgroup":
			out = append(out, cgroupMount{point: unescapeMount(a[4]), root: a[3], opts: strings.ReplaceAll(b[2], ",", " ")})
		}
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hasWord(list, w string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if f == w {
			return true
		}
	}
	return false
}

// cgroupRoom is the least room left under the limits of cg and its
// ancestors.
func cgroupRoom(cg memCgroup) memRoom {
	room := memRoom{bytes: math.MaxInt64}
	limits, current := []string{"memory.max", "memory.high"}, "memory.current"
	if !cg.v2 {
		limits, current = []string{"memory.limit_in_bytes"}, "memory.usage_in_bytes"
	}
	name := cg.name
	for dir := cg.dir; ; dir = filepath.Dir(dir) {
		used, ok := readBytes(filepath.Join(dir, current))
		for _, l := range limits {
			lim, lok := readBytes(filepath.Join(dir, l))
			if !ok || !lok {
				continue
			}
			left := max(lim-used, 0)
			if left < room.bytes {
				room = memRoom{bytes: left, why: fmt.Sprintf("%s of cgroup %s", l, name)}
			}
		}
		if dir == cg.mount || len(dir) <= len(cg.mount) || dir == filepath.Dir(dir) {
			break
		}
		name = filepath.Dir(name)
	}
	return room
}

// readBytes reads a cgroup file holding a byte count; "max" and v1's
// "unlimited" (close to 2^63) are no limit.
func readBytes(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n >= math.MaxInt64/2 {
		return 0, false
	}
	return n, true
}
