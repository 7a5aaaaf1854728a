package record

import (
	"strconv"
	"strings"
)

// A trace by cgroup (--cgroup, --container, --unit) records its target
// cgroups in the header, one option each: "cgroup.N" (N from 1) is
// "ID<TAB>NAME<TAB>PATH", the cgroup's id, the container's or unit's name
// ("" for a plain --cgroup) and its path in its hierarchy. Each syscall,
// exit and signal record says which target its process is in by N, in the
// u16 at offset 22 (0: none or unknown); a reader that does not know the
// field reads it as the 0 it was before, and misreads nothing.

// Cgroup is one target cgroup of a recording.
type Cgroup struct {
	ID   uint64
	Name string
	Path string
}

// CgroupOptionPrefix starts the header option of each target cgroup.
const CgroupOptionPrefix = "cgroup."

// SetCgroups puts the target cgroups into the header's options.
func (h *Header) SetCgroups(cgs []Cgroup) {
	if len(cgs) == 0 {
		return
	}
	if h.Options == nil {
		h.Options = map[string]string{}
	}
	for i, c := range cgs {
		h.Options[CgroupOptionPrefix+strconv.Itoa(i+1)] = strconv.FormatUint(c.ID, 10) + "\t" + c.Name + "\t" + c.Path
	}
}

// Cgroups are the target cgroups of the header's options, by their number
// less one; nil when the recording is not of a trace by cgroup. A malformed
// entry is left out (its records read as in no cgroup).
func (h *Header) Cgroups() []Cgroup {
	var out []Cgroup
	for n := 1; ; n++ {
		v, ok := h.Options[CgroupOptionPrefix+strconv.Itoa(n)]
		if !ok {
			return out
		}
		f := strings.SplitN(v, "\t", 3)
		id, err := strconv.ParseUint(f[0], 10, 64)
		c := Cgroup{ID: id}
		if err == nil && len(f) == 3 {
			c.Name, c.Path = f[1], f[2]
		}
		out = append(out, c)
	}
}

// cgroupIndex maps the header's cgroup ids to their numbers.
func cgroupIndex(cgs []Cgroup) map[uint64]uint16 {
	if len(cgs) == 0 {
		return nil
	}
	m := make(map[uint64]uint16, len(cgs))
	for i, c := range cgs {
		m[c.ID] = uint16(i + 1)
	}
	return m
}
