package script

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// procSyscalls are the calls the process hooks and ev.ppid learn from.
var procSyscalls = []string{"execve", "execveat", "exit", "exit_group", "clone", "clone3", "fork", "vfork"}

// procInfo is what the pipeline knows about one process (thread group).
type procInfo struct {
	ppid     int  // -1 unknown
	parentOK bool // ppid seen in the trace (a clone) or read from /proc
	uid      int  // -1 unknown
	cgroup   string
	cgroupOK bool // cgroup read from /proc
	read     bool // /proc read
	exe      string
}

// procTable caches process facts by pid. Live pipelines read /proc once per
// pid when a script asks; replays know only what the trace showed. A pid's
// entry goes at its process's exit, and its /proc facts are read again
// after an exec, so a reused pid never shows the facts of the process
// that had it before; entries of processes whose exit the trace did not
// show are evicted when the table is full.
type procTable struct {
	live   bool
	procs  map[uint32]*procInfo
	nrs    map[int32]string // process-related syscalls by number
	nrs32  map[int32]string // the same in the table of 32-bit calls (event.Compat)
	exited map[uint32]bool  // on_exit_process ran at exit_group; the exit event comes
	gone   []uint32         // pids that exited, forgotten at the next event
}

// maxProcs bounds the process table (and its exited set).
const maxProcs = 1 << 15

func newProcTable(live bool) *procTable {
	return &procTable{live: live, procs: map[uint32]*procInfo{}, exited: map[uint32]bool{}}
}

func (t *procTable) get(pid uint32) *procInfo {
	pi := t.procs[pid]
	if pi == nil {
		evict(t.procs)
		pi = &procInfo{ppid: -1, uid: -1}
		t.procs[pid] = pi
	}
	return pi
}

// evict makes room in a full table: it drops a quarter of the entries,
// whichever the map gives first.
func evict[V any](m map[uint32]V) {
	if len(m) < maxProcs {
		return
	}
	n := len(m) / 4
	for pid := range m {
		if n == 0 {
			break
		}
		delete(m, pid)
		n--
	}
}

// forget drops what the table knows of pid: its process is gone.
func (t *procTable) forget(pid uint32) { delete(t.procs, pid) }

// exit forgets pid once the event of its exit has been through the
// stages, whose on_syscall may still ask for its facts.
func (t *procTable) exit(pid uint32) { t.gone = append(t.gone, pid) }

// tracking says whether processEvent must see events: process hooks run,
// or scripts asked for process facts, which exits and execs expire.
func (p *Pipeline) tracking() bool { return p.procHooks || len(p.procs.procs) > 0 }

// readProc fills pi from /proc/PID once, on a live trace.
func (t *procTable) readProc(pid uint32, pi *procInfo) {
	if pi.read || !t.live {
		return
	}
	pi.read = true
	dir := "/proc/" + strconv.Itoa(int(pid))
	if b, err := os.ReadFile(dir + "/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PPid:"); ok && !pi.parentOK {
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					pi.ppid = n
				}
			}
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					if n, err := strconv.Atoi(f[0]); err == nil {
						pi.uid = n
					}
				}
			}
		}
	}
	if b, err := os.ReadFile(dir + "/cgroup"); err == nil {
		// cgroup v2: "0::/user.slice/..."; v1 lists controllers: take the first path.
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.SplitN(line, ":", 3); len(f) == 3 {
				pi.cgroup, pi.cgroupOK = f[2], true
				if f[0] == "0" {
					break
				}
			}
		}
	}
}

func (t *procTable) ppid(pid uint32) int {
	pi := t.get(pid)
	if !pi.parentOK {
		t.readProc(pid, pi)
	}
	return pi.ppid
}

func (t *procTable) uid(pid uint32) int {
	pi := t.get(pid)
	t.readProc(pid, pi)
	return pi.uid
}

func (t *procTable) cgroup(pid uint32) (string, bool) {
	pi := t.get(pid)
	t.readProc(pid, pi)
	return pi.cgroup, pi.cgroupOK
}

// processEvent learns parents from clones and runs on_exec and
// on_exit_process for execs and exits.
func (p *Pipeline) processEvent(raw *event.Event) error {
	t := p.procs
	for _, pid := range t.gone {
		t.forget(pid)
	}
	t.gone = t.gone[:0]
	if raw.Kind == event.Exit {
		if raw.TID != raw.PID {
			return nil
		}
		if t.exited[raw.PID] {
			delete(t.exited, raw.PID)
			t.exit(raw.PID)
			return nil
		}
		return p.exitProcess(raw, false)
	}
	if raw.Kind != event.Syscall {
		return nil
	}
	if t.nrs == nil {
		t.nrs, t.nrs32 = map[int32]string{}, map[int32]string{}
		for _, n := range procSyscalls {
			if sc := p.opts.Table.ByName(n); sc != nil {
				t.nrs[int32(sc.Nr)] = n
			}
			if sc := p.opts.Table.Compat().ByName(n); sc != nil {
				t.nrs32[int32(sc.Nr)] = n
			}
		}
	}
	nrs := t.nrs
	if raw.Flags&event.Compat != 0 {
		nrs = t.nrs32
	}
	name, ok := nrs[raw.Nr]
	if !ok {
		return nil
	}
	switch name {
	case "clone", "clone3", "fork", "vfork":
		if raw.Ret > 0 && raw.Flags&(event.NoReturn|event.Unfinished) == 0 && !isThreadClone(name, raw) {
			delete(t.exited, uint32(raw.Ret))
			t.forget(uint32(raw.Ret)) // a new process: nothing of an old one with its pid
			child := t.get(uint32(raw.Ret))
			child.ppid, child.parentOK = int(raw.PID), true
			child.exe = t.get(raw.PID).exe
		}
	case "execve", "execveat":
		if raw.Ret != 0 || raw.Flags&(event.NoReturn|event.Unfinished) != 0 {
			return nil
		}
		pi := t.get(raw.PID)
		pi.read, pi.uid, pi.cgroupOK = false, -1, false // a set-user-ID program changes the uid: read /proc again
		arg := 0
		if name == "execveat" {
			arg = 1
		}
		if s, ok := raw.String(arg); ok {
			pi.exe = s
		}
		return p.processHook(hookExec, raw, pi, "exec")
	case "exit_group", "exit":
		if name == "exit" && raw.TID != raw.PID {
			return nil // a thread, not the process
		}
		return p.exitProcess(raw, true)
	}
	return nil
}

// exitProcess runs on_exit_process once per process: at exit_group (or
// the main thread's exit) or, when the call was not seen, at the exit
// event of the main thread; then the process is forgotten. call says the
// exit event is still to come.
func (p *Pipeline) exitProcess(raw *event.Event, call bool) error {
	t := p.procs
	pi := t.get(raw.PID)
	err := p.processHook(hookExitProcess, raw, pi, "exit")
	t.exit(raw.PID)
	if call {
		evict(t.exited)
		t.exited[raw.PID] = true
	}
	return err
}

// isThreadClone tells a new thread from a new process: clone with
// CLONE_THREAD. clone3's flags are in a struct; without it, a child whose
// events later show another pid is still told apart by ev.pid.
func isThreadClone(name string, raw *event.Event) bool {
	const cloneThread = 0x10000
	return name == "clone" && raw.Args[0]&cloneThread != 0
}

func (p *Pipeline) processHook(h hook, raw *event.Event, pi *procInfo, kind string) error {
	if !p.procHooks {
		return nil
	}
	pr := &Process{kind: kind, ev: raw, info: pi, p: p}
	for _, st := range p.stages {
		in := st.info()
		if !in.has[h] || in.fail.stopped {
			continue
		}
		if d := in.decl; d != nil && !d.Filter.KeepsProcess(raw) {
			continue
		}
		p.enter(st)
		err := st.call(h, pr)
		p.leave()
		if err != nil && !p.failed(st, h, err) {
			return err
		}
	}
	return nil
}

// Process is the value of p in on_exec(p) and on_exit_process(p).
type Process struct {
	kind string
	ev   *event.Event
	info *procInfo
	p    *Pipeline
}

var _ starlark.HasAttrs = (*Process)(nil)

func (pr *Process) String() string {
	return fmt.Sprintf("<strace.process %s pid=%d>", pr.kind, pr.ev.PID)
}
func (pr *Process) Type() string          { return "strace.process" }
func (pr *Process) Freeze()               {}
func (pr *Process) Truth() starlark.Bool  { return true }
func (pr *Process) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: strace.process") }

// processAttrs lists every field of p; docs and tests read it.
var processAttrs = map[string]func(pr *Process) starlark.Value{
	"kind": func(pr *Process) starlark.Value { return starlark.String(pr.kind) },
	"pid":  func(pr *Process) starlark.Value { return starlark.MakeInt(int(pr.ev.PID)) },
	"tid":  func(pr *Process) starlark.Value { return starlark.MakeInt(int(pr.ev.TID)) },
	"ppid": func(pr *Process) starlark.Value { return intOrNone(pr.p.procs.ppid(pr.ev.PID)) },
	"comm": func(pr *Process) starlark.Value { return starlark.String(pr.ev.Comm) },
	"ts":   func(pr *Process) starlark.Value { return starlark.MakeUint64(pr.ev.TS) },
	"filename": func(pr *Process) starlark.Value {
		if pr.info.exe == "" {
			return starlark.None
		}
		return starlark.String(pr.info.exe)
	},
	"code": func(pr *Process) starlark.Value {
		switch {
		case pr.kind != "exit":
			return starlark.None
		case pr.ev.Kind == event.Exit:
			if pr.ev.Ret&0x7f != 0 {
				return starlark.None // killed
			}
			return starlark.MakeInt(int(pr.ev.Ret>>8) & 0xff)
		}
		return starlark.MakeInt(int(int32(pr.ev.Args[0])))
	},
	"signal": func(pr *Process) starlark.Value {
		if pr.kind == "exit" && pr.ev.Kind == event.Exit && pr.ev.Ret&0x7f != 0 {
			return noneIfEmpty(syscalls.SignalName(int(pr.ev.Ret & 0x7f)))
		}
		return starlark.None
	},
	"uid": func(pr *Process) starlark.Value { return intOrNone(pr.p.procs.uid(pr.ev.PID)) },
	"ev":  func(pr *Process) starlark.Value { return &Event{ev: pr.ev, tab: pr.p.opts.Table, p: pr.p} },
}

// ProcessFields is the sorted list of p's fields.
func ProcessFields() []string { return sortedKeys(processAttrs) }

func (pr *Process) Attr(name string) (starlark.Value, error) {
	if f, ok := processAttrs[name]; ok {
		return f(pr), nil
	}
	return nil, nil
}

func (pr *Process) AttrNames() []string { return ProcessFields() }

func intOrNone(n int) starlark.Value {
	if n < 0 {
		return starlark.None
	}
	return starlark.MakeInt(n)
}
