package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Source is where events come from: the live engine or a recording. Each
// has its own syscall table, which the filter and the scripts resolve
// names against.
type Source interface {
	Table() *syscalls.Table
	// Start is the wall-clock time of the trace's time zero.
	Start() time.Time
	// Live says events describe processes running now (their /proc may be
	// read); a recording's never are.
	Live() bool
	// Run delivers every event to h, in order, until the source ends or
	// ctx is cancelled.
	Run(ctx context.Context, h engine.Handler) (engine.Result, error)
	Close() error
}

// liveSource traces with the engine. The engine session is created by
// open, once the plan's needs are known.
type liveSource struct {
	tab   *syscalls.Table
	start time.Time
	sess  *engine.Session
}

func newLive() *liveSource {
	return &liveSource{tab: syscalls.Native(), start: time.Now()}
}

func (l *liveSource) open(cfg engine.Config) error {
	cfg.Table = l.tab
	s, err := engine.New(cfg)
	if err != nil {
		return err
	}
	l.sess = s
	return nil
}

func (l *liveSource) Table() *syscalls.Table { return l.tab }
func (l *liveSource) Start() time.Time       { return l.start }
func (l *liveSource) Live() bool             { return true }
func (l *liveSource) Run(ctx context.Context, h engine.Handler) (engine.Result, error) {
	return l.sess.Run(ctx, h)
}
func (l *liveSource) Close() error {
	if l.sess == nil {
		return nil
	}
	return l.sess.Close()
}

// recordingSource replays a recording, as if it were live: the recorded
// table, time zero and options.
type recordingSource struct {
	path string
	f    *os.File
	r    *record.Reader
	tab  *syscalls.Table
	hdr  *record.Header
	// stacks keeps the recorded stacks (-k given to the replay).
	stacks bool
	warn   io.Writer // notes about what the recording lacks
	// reuse hands every event in the same Event (Plan.reusesEvents).
	reuse bool
}

// errRecording marks a recording that ends in bad input: the events before
// it were all delivered, and the session finishes normally before
// reporting it.
type errRecording struct{ err error }

func (e *errRecording) Error() string { return e.err.Error() }
func (e *errRecording) Unwrap() error { return e.err }

func openRecording(path string, stdin io.Reader, warn io.Writer) (*recordingSource, error) {
	rs := &recordingSource{path: path, warn: warn}
	in := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("opening recording: %w", err)
		}
		rs.f, in = f, f
	} else if in == nil {
		in = os.Stdin
	}
	r, err := record.NewReader(in)
	if err != nil {
		rs.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	rs.r, rs.hdr = r, r.Header()
	tab, err := syscalls.ForArch(rs.hdr.Arch)
	if err != nil {
		rs.Close()
		return nil, fmt.Errorf("replaying %s: %w", path, err)
	}
	rs.tab = tab
	if n, first := tableDiff(rs.hdr, tab); n > 0 {
		fmt.Fprintf(warn, "strace.ebpf: warning: %s was recorded with a different %s syscall table (%d entries differ, first %s); calls are named by this build's\n",
			path, rs.hdr.Arch, n, first)
	}
	return rs, nil
}

func (rs *recordingSource) Table() *syscalls.Table { return rs.tab }
func (rs *recordingSource) Live() bool             { return false }
func (rs *recordingSource) Start() time.Time {
	if rs.hdr.BootOffset == 0 {
		return time.Unix(0, 0)
	}
	return time.Unix(0, int64(rs.hdr.BootOffset))
}

// Run hands every record to h, each its own copy (scripts may keep one),
// or with reuse the reader's Event itself.
func (rs *recordingSource) Run(ctx context.Context, h engine.Handler) (engine.Result, error) {
	var res engine.Result
	var ev event.Event
	sawStack := false
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return res, nil
		}
		if err := rs.r.Next(&ev); err != nil {
			if err == io.EOF {
				noteNoStacks(rs.warn, rs, sawStack, res.Events)
				return res, nil
			}
			return res, &errRecording{fmt.Errorf("reading %s: %w", rs.path, err)}
		}
		if ev.Kind == event.Lost {
			res.Lost += ev.LostN
		}
		if !rs.stacks {
			ev.Stack = nil // recorded with -k, replayed without
		} else if len(ev.Stack) > 0 {
			sawStack = true
		}
		res.Events++
		out := &ev
		if !rs.reuse {
			out = cloneEvent(&ev)
		}
		if err := h.Event(out); err != nil {
			return res, err
		}
	}
}

func (rs *recordingSource) Close() error {
	if rs.f != nil {
		return rs.f.Close()
	}
	return nil
}

// sameFile says path names the recording being read.
func (rs *recordingSource) sameFile(path string) bool {
	if rs.f == nil {
		return false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	ii, err := rs.f.Stat()
	return err == nil && os.SameFile(fi, ii)
}

// tableDiff counts the recorded syscalls whose number, name or argument
// names this build's table does not share.
func tableDiff(h *record.Header, tab *syscalls.Table) (n int, first string) {
	for _, rs := range h.Syscalls {
		sc := tab.ByNr(int(rs.Nr))
		same := sc != nil && sc.Name == rs.Name && len(sc.Args) == len(rs.Args)
		for i := 0; same && i < len(rs.Args); i++ {
			same = sc.Args[i].Name == rs.Args[i].Name
		}
		if !same {
			if n == 0 {
				first = fmt.Sprintf("%d %s", rs.Nr, rs.Name)
			}
			n++
		}
	}
	return n, first
}

// cloneEvent copies ev and its captured bytes, which alias the reader's
// buffers, in one allocation for the bytes.
func cloneEvent(ev *event.Event) *event.Event {
	cp := new(event.Event)
	*cp = *ev
	if len(ev.Data) == 0 {
		cp.Data = nil
		return cp
	}
	n := 0
	for _, d := range ev.Data {
		n += len(d.Bytes)
	}
	buf := make([]byte, 0, n)
	cp.Data = make([]event.Data, len(ev.Data))
	for i, d := range ev.Data {
		start := len(buf)
		buf = append(buf, d.Bytes...)
		cp.Data[i] = event.Data{Arg: d.Arg, Kind: d.Kind, Bytes: buf[start:len(buf):len(buf)]}
	}
	return cp
}
