// Package stack turns the user stacks that -k captures into symbolized
// frames: it learns each process's executable mappings (from the kernel's
// mmap, exec and fork records as the engine reads them, or from
// /proc/PID/maps for processes that mapped their files before tracing
// began), unwinds the captured stack (the kernel's frame-pointer chain, and
// where frame pointers are missing, the binaries' .eh_frame over a copy of
// the stack), and names each address from the ELF symbol tables.
//
// Everything is cached per process, keyed by the time of its exec, so a
// short-lived process symbolizes after it has exited, and an exec drops the
// old image's mappings. The package is pure Go: it reads the mapped files
// and /proc, never the kernel's BPF objects.
package stack

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Mapping is one file mapped executable into a process.
type Mapping struct {
	Start, End uint64 // addresses [Start, End)
	Pgoff      uint64 // file offset of Start
	Path       string // as /proc/PID/maps shows it
}

type mapEntry struct {
	Mapping
	ts uint64 // when it was mapped (monotonic ns); 0: before tracing
}

// image is one exec of a process: its mappings in the order they were made.
type image struct {
	execTS uint64
	maps   []mapEntry
}

type process struct {
	images    []image // ordered by execTS
	exitTS    uint64  // 0 while alive
	refreshed bool    // /proc/PID/maps was read after a miss
}

// Tracker knows the executable mappings of processes over time. It is not
// safe for concurrent use.
type Tracker struct {
	procs map[uint32]*process
	files *fileCache
	// ProcRoot is where /proc is read for processes the tracker has not
	// seen map anything; "" disables those reads (replays, tests).
	ProcRoot string
}

// NewTracker returns an empty tracker that reads /proc for processes it
// learns about late.
func NewTracker() *Tracker {
	return &Tracker{procs: make(map[uint32]*process), files: newFileCache(), ProcRoot: "/proc"}
}

func (t *Tracker) proc(pid uint32) *process {
	p := t.procs[pid]
	if p == nil {
		p = &process{}
		t.procs[pid] = p
	}
	return p
}

// Mmap records that pid mapped m executable at time ts.
func (t *Tracker) Mmap(pid uint32, ts uint64, m Mapping) {
	p := t.proc(pid)
	if len(p.images) == 0 {
		p.images = append(p.images, image{})
	}
	im := &p.images[len(p.images)-1]
	im.maps = append(im.maps, mapEntry{m, ts})
}

// Exec records that pid replaced its image at time ts: the mappings made
// before belong to the old image. Images older than the previous one are
// dropped.
func (t *Tracker) Exec(pid uint32, ts uint64) {
	p := t.proc(pid)
	if n := len(p.images); n > 1 {
		p.images = append(p.images[:0], p.images[n-1])
	}
	p.images = append(p.images, image{execTS: ts})
	p.exitTS = 0
}

// Fork records that child was forked from parent at time ts: it starts with
// the parent's mappings.
func (t *Tracker) Fork(parent, child uint32, ts uint64) {
	pp := t.procs[parent]
	c := &process{}
	if pp != nil && len(pp.images) > 0 {
		last := pp.images[len(pp.images)-1]
		c.images = []image{{execTS: ts, maps: append([]mapEntry(nil), last.maps...)}}
	}
	t.procs[child] = c
}

// Exit records that pid exited at ts. Its mappings stay until Forget: the
// stacks of its last calls may not have been symbolized yet.
func (t *Tracker) Exit(pid uint32, ts uint64) {
	if p := t.procs[pid]; p != nil {
		p.exitTS = ts
	}
}

// Forget drops the processes that exited before ts.
func (t *Tracker) Forget(ts uint64) {
	for pid, p := range t.procs {
		if p.exitTS != 0 && p.exitTS < ts {
			delete(t.procs, pid)
		}
	}
}

// Known reports whether the tracker has mappings for pid.
func (t *Tracker) Known(pid uint32) bool {
	p := t.procs[pid]
	return p != nil && len(p.images) > 0
}

// version changes whenever pid's mappings do, so that what was derived
// from them can be cached.
func (t *Tracker) version(pid uint32) uint64 {
	p := t.procs[pid]
	if p == nil || len(p.images) == 0 {
		return 0
	}
	v := uint64(len(p.images))<<32 | uint64(len(p.images[len(p.images)-1].maps))
	if p.refreshed {
		v |= 1 << 63
	}
	return v
}

// lookup finds the mapping of addr in pid's image current at ts.
func (t *Tracker) lookup(pid uint32, ts, addr uint64) *Mapping {
	p := t.procs[pid]
	if p == nil || len(p.images) == 0 {
		if t.ProcRoot == "" || !t.readProc(pid) {
			return nil
		}
		p = t.procs[pid]
	}
	i := len(p.images) - 1
	for i > 0 && p.images[i].execTS > ts {
		i--
	}
	if m := find(p.images[i].maps, ts, addr); m != nil {
		return m
	}
	// A miss: the kernel's mmap records may have been lost (their ring
	// full). Once per process, add what /proc shows, while it lives.
	if !p.refreshed && t.ProcRoot != "" && i == len(p.images)-1 {
		p.refreshed = true
		if b, err := os.ReadFile(t.ProcRoot + "/" + strconv.FormatUint(uint64(pid), 10) + "/maps"); err == nil {
			im := &p.images[i]
			for _, m := range ParseProcMaps(b) {
				im.maps = append(im.maps, mapEntry{Mapping: m, ts: im.execTS})
			}
			return find(im.maps, ts, addr)
		}
	}
	return nil
}

// find returns the latest of maps made by ts that holds addr.
func find(maps []mapEntry, ts, addr uint64) *Mapping {
	for j := len(maps) - 1; j >= 0; j-- {
		m := &maps[j]
		if m.ts <= ts && addr >= m.Start && addr < m.End {
			return &m.Mapping
		}
	}
	return nil
}

// readProc loads pid's executable mappings from /proc/PID/maps, as they
// are now, as mapped before tracing began.
func (t *Tracker) readProc(pid uint32) bool {
	b, err := os.ReadFile(t.ProcRoot + "/" + strconv.FormatUint(uint64(pid), 10) + "/maps")
	if err != nil {
		t.procs[pid] = &process{images: []image{{}}} // remember the miss
		return false
	}
	maps := ParseProcMaps(b)
	im := image{maps: make([]mapEntry, len(maps))}
	for i, m := range maps {
		im.maps[i] = mapEntry{Mapping: m}
	}
	t.procs[pid] = &process{images: []image{im}}
	return true
}

// ParseProcMaps returns the executable mappings of a /proc/PID/maps text.
func ParseProcMaps(b []byte) []Mapping {
	var out []Mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// 7f3c1a000000-7f3c1a028000 r-xp 00028000 fe:01 1234  /usr/lib/...
		f := strings.Fields(sc.Text())
		if len(f) < 5 || len(f[1]) < 3 || f[1][2] != 'x' {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		path := ""
		if len(f) >= 6 {
			path = strings.Join(f[5:], " ")
		}
		out = append(out, Mapping{Start: start, End: end, Pgoff: off, Path: path})
	}
	return out
}
