package session

// -ff: one trace file per process, FILE.PID, as strace writes them; -fff:
// one per thread, FILE.TID.PID, as the original strace.ebpf named them.

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// splitSink sends each process's events to a sink of its own, writing to
// FILE.PID; the file is created with the process's first event and closed
// when its main thread exits.
type splitSink struct {
	base    string // -o FILE
	b       *built
	threads bool // -fff: by thread

	procs  map[uint32]*splitOut
	opened map[uint32]bool // pids whose file was created: reopened for appending
}

type splitOut struct {
	f *os.File
	s Sink
}

func newSplit(base string, b *built) *splitSink {
	return &splitSink{base: base, b: b, threads: b.plan.SplitThreads, procs: map[uint32]*splitOut{}, opened: map[uint32]bool{}}
}

func (p *splitSink) Start() error { return nil }

func (p *splitSink) out(pid, tgid uint32) (*splitOut, error) {
	if so := p.procs[pid]; so != nil {
		return so, nil
	}
	name := p.base + "." + strconv.FormatUint(uint64(pid), 10)
	if p.threads {
		name += "." + strconv.FormatUint(uint64(tgid), 10)
	}
	f, err := openSplitFile(name, p.opened[pid])
	if err != nil {
		return nil, err
	}
	s, _, err := p.b.formatSink(f)
	if err == nil {
		err = s.Start()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	so := &splitOut{f: f, s: s}
	p.procs[pid] = so
	p.opened[pid] = true
	return so, nil
}

func (p *splitSink) Event(ev *event.Event) error {
	if ev.Kind == event.Lost {
		// Nobody knows whose they were: every open trace says so.
		var errs []error
		for _, so := range p.procs {
			errs = append(errs, so.s.Event(ev))
		}
		return errors.Join(errs...)
	}
	key := ev.PID
	if p.threads {
		key = ev.TID
	}
	so, err := p.out(key, ev.PID)
	if err != nil {
		return err
	}
	if err := so.s.Event(ev); err != nil {
		return err
	}
	if ev.Kind == event.Exit && ev.TID == key && !ev.Superseded() {
		return p.close(key, so.s.Finish())
	}
	return nil
}

func (p *splitSink) close(pid uint32, err error) error {
	so := p.procs[pid]
	delete(p.procs, pid)
	if cerr := so.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing trace: %w", cerr)
	}
	return err
}

func (p *splitSink) each(fn func(Sink) error, closing bool) error {
	var errs []error
	for pid, so := range p.procs {
		err := fn(so.s)
		if closing {
			err = p.close(pid, err)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (p *splitSink) Idle() error   { return p.each(Sink.Idle, false) }
func (p *splitSink) Finish() error { return p.each(Sink.Finish, true) }
func (p *splitSink) Flush() error  { return p.each(Sink.Flush, true) }
