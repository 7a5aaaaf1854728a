package engine

import (
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Stamps (Config.Stamps): when nothing shows a time, only the order of
// events, the kernel stamps them from the ring's producer position
// instead of reading the clock (bpf/stamp.bpf.h): a call's entry twice the
// position, a record twice the position before its reservation, plus one.
// User space stamps what it makes the same way (attach's blocked calls,
// loss markers, the start of detaching), from the producer page mapped
// read-only.

// ringProducer maps the ring's producer page, for the position.
type ringProducer struct {
	page []byte
	pos  *uint64
}

func mapRingProducer(ringFD int) (*ringProducer, error) {
	b, pos, err := mapRingPosition(ringFD, 1)
	if err != nil {
		return nil, err
	}
	return &ringProducer{page: b, pos: pos}, nil
}

// mapRingPosition maps, read-only, page n of a BPF ring buffer's map: its
// consumer position (0) or its producer position (1), which the kernel
// keeps at the start of each page.
func mapRingPosition(ringFD, n int) ([]byte, *uint64, error) {
	page := os.Getpagesize()
	b, err := unix.Mmap(ringFD, int64(n*page), page, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, (*uint64)(unsafe.Pointer(&b[0])), nil
}

// entry and event are the kernel's stamp_entry and stamp_event, now.
func (r *ringProducer) entry() uint64 { return atomic.LoadUint64(r.pos) << 1 }
func (r *ringProducer) event() uint64 { return atomic.LoadUint64(r.pos)<<1 | 1 }

func (r *ringProducer) close() {
	if r != nil && r.page != nil {
		unix.Munmap(r.page)
		r.page, r.pos = nil, nil
	}
}

// stampEntry is when a call enters now, in the session's time: a stamp, or
// the monotonic clock.
func (s *Session) stampEntry() uint64 {
	if s.stamps != nil {
		return s.stamps.entry()
	}
	return monotonicNow()
}

// stampEvent is when an event happens now, in the session's time.
func (s *Session) stampEvent() uint64 {
	if s.stamps != nil {
		return s.stamps.event()
	}
	return monotonicNow()
}

// stamped says cfg's events are stamped: they are timed, and nothing needs
// the clock (fault injection orders the events it makes by their times,
// -k symbolizes stacks with the mappings at the call's time).
func (cfg *Config) stamped() bool {
	return cfg.Stamps && !cfg.NoClock && cfg.Inject.empty() && !cfg.StackTrace
}
