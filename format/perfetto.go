package format

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// perfettoBufMax is how much output Perfetto buffers before writing.
const perfettoBufMax = 64 << 10

// perfettoDataMax bounds the captured bytes of a buffer argument shown in a
// slice's args, as hex.
const perfettoDataMax = 64

// Perfetto writes the Chrome trace-event JSON format, which the Perfetto UI
// (ui.perfetto.dev) and chrome://tracing open as a timeline: one track per
// thread, named after its comm by thread_name and process_name metadata
// events, each syscall a complete ("ph":"X") slice with ts and dur in
// microseconds and its arguments (captured strings as text), return value
// and errno in "args"; a call that never returns is an instant on its
// thread, lost events a global instant.
//
// Call Begin, then Event for each event, then End. It is not safe for
// concurrent use.
type Perfetto struct {
	tab     *syscalls.Table
	w       io.Writer
	buf     []byte
	first   bool
	threads map[uint32]string // tid -> comm announced by thread_name
	procs   map[uint32]string // pid -> comm announced by process_name
	err     error
}

// NewPerfetto returns a writer that names syscalls with tab.
func NewPerfetto(tab *syscalls.Table) *Perfetto {
	return &Perfetto{tab: tab, threads: make(map[uint32]string), procs: make(map[uint32]string)}
}

// Begin starts the output on w.
func (p *Perfetto) Begin(w io.Writer) error {
	p.w = w
	p.first = true
	p.buf = append(p.buf[:0], `{"displayTimeUnit":"ns","traceEvents":[`...)
	return p.maybeFlush()
}

// Event adds one event.
func (p *Perfetto) Event(ev *event.Event) error {
	if p.err != nil {
		return p.err
	}
	if p.w == nil {
		return fmt.Errorf("writing perfetto trace: Event before Begin")
	}
	if ev.Kind == event.Lost {
		p.sep()
		p.buf = append(p.buf, `{"name":"lost `...)
		p.buf = strconv.AppendUint(p.buf, ev.LostN, 10)
		p.buf = append(p.buf, ` events","cat":"lost","ph":"i","s":"g","ts":`...)
		p.buf = appendMicros(p.buf, ev.TS)
		p.buf = append(p.buf, `,"pid":0,"tid":0,"args":{"n":`...)
		p.buf = strconv.AppendUint(p.buf, ev.LostN, 10)
		p.buf = append(p.buf, "}}"...)
		return p.maybeFlush()
	}
	if ev.Kind == event.Syscall || ev.Kind == event.Exit || ev.Kind == event.Signal {
		p.name(ev)
	}
	switch ev.Kind {
	case event.Exit:
		p.sep()
		p.buf = append(p.buf, `{"name":"`...)
		if sig := ev.Ret & 0x7f; sig != 0 {
			p.buf = append(p.buf, "killed by "...)
			p.buf = append(p.buf, signalName(int(sig))...)
		} else {
			p.buf = append(p.buf, "exited with "...)
			p.buf = strconv.AppendInt(p.buf, (ev.Ret>>8)&0xff, 10)
		}
		p.buf = append(p.buf, `","cat":"exit","ph":"i","s":"t","ts":`...)
		p.buf = appendMicros(p.buf, ev.TS)
		p.appendTask(ev)
		p.buf = append(p.buf, `,"args":{"status":`...)
		p.buf = strconv.AppendInt(p.buf, ev.Ret, 10)
		p.buf = append(p.buf, "}}"...)
		return p.maybeFlush()
	case event.Signal:
		p.sep()
		p.buf = append(p.buf, `{"name":"`...)
		p.buf = append(p.buf, signalName(int(ev.Nr))...)
		p.buf = append(p.buf, `","cat":"signal","ph":"i","s":"t","ts":`...)
		p.buf = appendMicros(p.buf, ev.TS)
		p.appendTask(ev)
		p.buf = append(p.buf, `,"args":{"signo":`...)
		p.buf = strconv.AppendInt(p.buf, int64(ev.Nr), 10)
		p.buf = append(p.buf, "}}"...)
		return p.maybeFlush()
	case event.Syscall:
	default:
		return nil
	}
	p.sep()
	tab := p.tab.Personality(ev.Flags&event.Compat != 0)
	sc := tab.ByNr(int(ev.Nr))
	p.buf = append(p.buf, `{"name":`...)
	if sc != nil {
		p.buf = appendJSONStr(p.buf, sc.Name)
	} else {
		p.buf = appendJSONStr(p.buf, tab.Name(int(ev.Nr)))
	}
	p.buf = append(p.buf, `,"cat":"syscall",`...)
	if ev.Flags&event.NoReturn != 0 {
		p.buf = append(p.buf, `"ph":"i","s":"t","ts":`...)
		p.buf = appendMicros(p.buf, ev.TS)
	} else {
		p.buf = append(p.buf, `"ph":"X","ts":`...)
		p.buf = appendMicros(p.buf, ev.TS)
		p.buf = append(p.buf, `,"dur":`...)
		p.buf = appendMicros(p.buf, ev.Duration)
	}
	p.appendTask(ev)
	p.buf = append(p.buf, `,"args":{`...)
	p.args(ev, sc)
	p.buf = append(p.buf, "}}"...)
	return p.maybeFlush()
}

// signalName is the signal's name, or its number.
func signalName(sig int) string {
	if name := syscalls.SignalName(sig); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(sig)
}

func (p *Perfetto) appendTask(ev *event.Event) {
	p.buf = append(p.buf, `,"pid":`...)
	p.buf = strconv.AppendUint(p.buf, uint64(ev.PID), 10)
	p.buf = append(p.buf, `,"tid":`...)
	p.buf = strconv.AppendUint(p.buf, uint64(ev.TID), 10)
}

// name announces the process and thread names when they are new or
// changed (execve).
func (p *Perfetto) name(ev *event.Event) {
	if p.procs[ev.PID] != ev.Comm {
		p.procs[ev.PID] = ev.Comm
		p.meta("process_name", ev.PID, ev.PID, ev.Comm)
	}
	if p.threads[ev.TID] != ev.Comm {
		p.threads[ev.TID] = ev.Comm
		p.meta("thread_name", ev.PID, ev.TID, ev.Comm)
	}
}

// args appends the slice's args: each argument by name (a captured string
// as text, a captured buffer as hex, flags decoded as strace does, else
// the value), then the outcome.
func (p *Perfetto) args(ev *event.Event, sc *syscalls.Syscall) {
	nargs := len(ev.Args)
	if sc != nil {
		nargs = min(len(sc.Args), nargs)
	}
	for i := range nargs {
		if i > 0 {
			p.buf = append(p.buf, ',')
		}
		p.buf = appendArgName(p.buf, sc, i)
		p.buf = append(p.buf, ':')
		if d := dataFor(ev, i); d != nil {
			if d.Kind == event.Str || d.Kind == event.StrTrunc {
				p.buf = AppendJSONString(p.buf, d.Bytes)
				continue
			}
			p.buf = append(p.buf, '"')
			p.buf = appendLowerHex(p.buf, d.Bytes[:min(len(d.Bytes), perfettoDataMax)])
			if len(d.Bytes) > perfettoDataMax {
				p.buf = append(p.buf, "..."...)
			}
			p.buf = append(p.buf, '"')
			continue
		}
		if ft := flagTable(sc, i, p.tab.Personality(ev.Flags&event.Compat != 0)); ft != nil {
			p.buf = appendJSONStr(p.buf, ft.Format(sc.Args[i].Normalize(ev.Args[i])))
			continue
		}
		p.buf = strconv.AppendInt(p.buf, argValue(ev, sc, i), 10)
	}
	if nargs > 0 {
		p.buf = append(p.buf, ',')
	}
	switch {
	case ev.Flags&event.NoReturn != 0:
		p.buf = append(p.buf, `"noreturn":true`...)
	case ev.Flags&event.Unfinished != 0:
		p.buf = append(p.buf, `"unfinished":true`...)
	default:
		p.buf = append(p.buf, `"ret":`...)
		p.buf = strconv.AppendInt(p.buf, ev.Ret, 10)
		if errno := ev.Errno(); errno != 0 {
			p.buf = append(p.buf, `,"errno":`...)
			if name := syscalls.ErrnoName(errno); name != "" {
				p.buf = appendJSONStr(p.buf, name)
			} else {
				p.buf = strconv.AppendInt(p.buf, int64(errno), 10)
			}
		}
	}
}

// dataFor returns the last data captured for argument arg: an output
// buffer read at exit wins over the input read at enter.
func dataFor(ev *event.Event, arg int) *event.Data {
	var found *event.Data
	for i := range ev.Data {
		if int(ev.Data[i].Arg) == arg {
			found = &ev.Data[i]
		}
	}
	return found
}

func (p *Perfetto) meta(name string, pid, tid uint32, comm string) {
	p.sep()
	p.buf = append(p.buf, `{"name":"`...)
	p.buf = append(p.buf, name...)
	p.buf = append(p.buf, `","ph":"M","pid":`...)
	p.buf = strconv.AppendUint(p.buf, uint64(pid), 10)
	p.buf = append(p.buf, `,"tid":`...)
	p.buf = strconv.AppendUint(p.buf, uint64(tid), 10)
	p.buf = append(p.buf, `,"args":{"name":`...)
	p.buf = appendJSONStr(p.buf, comm)
	p.buf = append(p.buf, "}}"...)
}

// sep starts a new array element on its own line.
func (p *Perfetto) sep() {
	if p.first {
		p.first = false
		p.buf = append(p.buf, '\n')
		return
	}
	p.buf = append(p.buf, ",\n"...)
}

// appendMicros appends ns as microseconds with three decimals, exactly.
func appendMicros(dst []byte, ns uint64) []byte {
	dst = strconv.AppendUint(dst, ns/1000, 10)
	frac := ns % 1000
	return append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

func (p *Perfetto) maybeFlush() error {
	if len(p.buf) < perfettoBufMax {
		return nil
	}
	return p.Flush()
}

// Flush writes buffered output.
func (p *Perfetto) Flush() error {
	if p.err != nil {
		return p.err
	}
	if p.w == nil || len(p.buf) == 0 {
		return nil
	}
	if _, err := p.w.Write(p.buf); err != nil {
		p.err = fmt.Errorf("writing perfetto trace: %w", err)
		return p.err
	}
	p.buf = p.buf[:0]
	return nil
}

// End closes the JSON document and flushes it.
func (p *Perfetto) End() error {
	if p.err != nil {
		return p.err
	}
	if p.w == nil {
		return fmt.Errorf("writing perfetto trace: End before Begin")
	}
	p.buf = append(p.buf, "\n]}\n"...)
	return p.Flush()
}

// PerfettoWriter writes the perfetto format: one JSON document, begun at
// Start and ended at Finish.
type PerfettoWriter struct {
	p   *Perfetto
	w   *bufio.Writer
	tab *syscalls.Table
}

// NewPerfettoWriter returns the perfetto format's writer on w.
func NewPerfettoWriter(w io.Writer, tab *syscalls.Table) *PerfettoWriter {
	return &PerfettoWriter{w: bufio.NewWriterSize(w, 256<<10), tab: tab}
}

func (s *PerfettoWriter) Start() error {
	s.p = NewPerfetto(s.tab)
	return s.p.Begin(s.w)
}
func (s *PerfettoWriter) Event(ev *event.Event) error { return s.p.Event(ev) }
func (s *PerfettoWriter) Idle() error                 { return s.Flush() }
func (s *PerfettoWriter) Finish() error {
	if err := s.p.End(); err != nil {
		return err
	}
	return s.Flush()
}
func (s *PerfettoWriter) Flush() error {
	if s.p != nil {
		if err := s.p.Flush(); err != nil {
			return err
		}
	}
	return flush(s.w)
}
