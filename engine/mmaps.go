package engine

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/stack"
)

// mmapWatcher follows the executable mappings, execs, forks and exits of
// processes through the kernel's perf records (a dummy software event per
// CPU with mmap, comm and task records, as perf record uses), so that a -k
// stack symbolizes even after its process has exited. For a launched
// command the events follow it and its descendants only (inherit); else
// every process. Its clock is CLOCK_MONOTONIC, the clock of the BPF
// records.
type mmapWatcher struct {
	fds   []int
	rings [][]byte
	lost  uint64
}

const mmapRingPages = 128 // per CPU, a power of two

// openMmapWatcher follows pid and its descendants, or with pid -1 every
// process.
func openMmapWatcher(pid int) (_ *mmapWatcher, err error) {
	w := &mmapWatcher{}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_SOFTWARE,
		Config:      unix.PERF_COUNT_SW_DUMMY,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample_type: unix.PERF_SAMPLE_TID | unix.PERF_SAMPLE_TIME,
		Bits: unix.PerfBitMmap | unix.PerfBitMmap2 | unix.PerfBitComm | unix.PerfBitCommExec |
			unix.PerfBitTask | unix.PerfBitSampleIDAll | unix.PerfBitUseClockID,
		Clockid: unix.CLOCK_MONOTONIC,
	}
	if pid > 0 {
		attr.Bits |= unix.PerfBitInherit
	}
	page := unix.Getpagesize()
	for cpu := range runtime.NumCPU() {
		fd, err := unix.PerfEventOpen(&attr, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("opening mmap records on cpu %d: %w", cpu, err)
		}
		w.fds = append(w.fds, fd)
		ring, err := unix.Mmap(fd, 0, (1+mmapRingPages)*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("mapping mmap records on cpu %d: %w", cpu, err)
		}
		w.rings = append(w.rings, ring)
	}
	return w, nil
}

func (w *mmapWatcher) close() {
	for _, r := range w.rings {
		unix.Munmap(r)
	}
	for _, fd := range w.fds {
		unix.Close(fd)
	}
	w.rings, w.fds = nil, nil
}

// Offsets in struct perf_event_mmap_page.
const (
	offDataHead   = 1024
	offDataTail   = 1032
	offDataOffset = 1040
	offDataSize   = 1048
)

// drain feeds every record queued so far to t.
func (w *mmapWatcher) drain(t *stack.Tracker) {
	for _, ring := range w.rings {
		head := atomic.LoadUint64((*uint64)(unsafe.Pointer(&ring[offDataHead])))
		tailp := (*uint64)(unsafe.Pointer(&ring[offDataTail]))
		tail := *tailp
		dataOff := binary.LittleEndian.Uint64(ring[offDataOffset:])
		size := binary.LittleEndian.Uint64(ring[offDataSize:])
		data := ring[dataOff : dataOff+size]
		var rec []byte
		for tail < head {
			start := tail % size
			hdr := [8]byte{}
			for i := range hdr {
				hdr[i] = data[(start+uint64(i))%size]
			}
			n := uint64(binary.LittleEndian.Uint16(hdr[6:]))
			if n < 8 {
				break
			}
			rec = rec[:0]
			for i := uint64(0); i < n; i++ {
				rec = append(rec, data[(start+i)%size])
			}
			w.record(t, rec)
			tail += n
		}
		atomic.StoreUint64(tailp, tail)
	}
}

// record applies one perf record (perf_event_open(2), "MMAP events").
func (w *mmapWatcher) record(t *stack.Tracker, r []byte) {
	le := binary.LittleEndian
	typ := le.Uint32(r)
	misc := le.Uint16(r[4:])
	if len(r) < 8+16 {
		return
	}
	// sample_id_all: pid, tid, then the time, at the end.
	ts := le.Uint64(r[len(r)-8:])
	body := r[8 : len(r)-16]
	switch typ {
	case unix.PERF_RECORD_MMAP2:
		const fixed = 8 + 24 + 8 + 16 + 8 // pid tid, addr len pgoff, maj min (or build id), ino gen, prot flags
		if len(body) < fixed {
			return
		}
		pid := le.Uint32(body)
		addr, length, pgoff := le.Uint64(body[8:]), le.Uint64(body[16:]), le.Uint64(body[24:])
		name := body[fixed:]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		t.Mmap(pid, ts, stack.Mapping{Start: addr, End: addr + length, Pgoff: pgoff, Path: string(name)})
	case unix.PERF_RECORD_COMM:
		if misc&unix.PERF_RECORD_MISC_COMM_EXEC != 0 && len(body) >= 8 && le.Uint32(body) == le.Uint32(body[4:]) {
			t.Exec(le.Uint32(body), ts)
		}
	case unix.PERF_RECORD_FORK:
		if len(body) >= 16 {
			pid, ppid := le.Uint32(body), le.Uint32(body[4:])
			if pid != ppid {
				t.Fork(ppid, pid, ts)
			}
		}
	case unix.PERF_RECORD_EXIT:
		if len(body) >= 16 && le.Uint32(body) == le.Uint32(body[8:]) {
			t.Exit(le.Uint32(body), ts)
		}
	case unix.PERF_RECORD_LOST:
		if len(body) >= 16 {
			w.lost += le.Uint64(body[8:])
		}
	}
}
