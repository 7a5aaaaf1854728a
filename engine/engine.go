// Package engine runs a tracing session: it checks the kernel, loads and
// attaches the BPF programs, launches or attaches to the traced processes,
// reads the ring buffer, decodes records into Events for a Handler, and ends
// cleanly when the traced command exits or the session is cancelled.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/stack"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Config describes what to trace. With neither Command nor PIDs the whole
// system is traced, except the tracer itself.
type Config struct {
	Command []string // command to launch, argv[0] first
	PIDs    []int    // processes to attach to

	FollowForks bool // trace every descendant (-f)
	// ChildrenOnly narrows FollowForks to the traced processes' children,
	// not their descendants (-F, the original's "level 1" fast follow).
	ChildrenOnly bool
	FailedOnly   bool  // only calls that fail (-X)
	Syscalls     []int // syscall numbers to trace; nil traces all
	// Syscalls32 are the 32-bit calls to trace (i386 numbers on amd64)
	// when Syscalls is set; nil traces all of them.
	Syscalls32 []int
	// Cgroups narrows a trace of neither Command nor PIDs to the tasks of
	// these cgroups and their descendants, present and future, in the
	// kernel (at most MaxCgroups; ResolveCgroup). The session ends when
	// each is removed or, after it held a process, holds none.
	Cgroups []Cgroup
	// PidNS shows each event's pid and tid as the process's own pid
	// namespace numbers them (a container's view), read from /proc.
	PidNS bool
	// Exclude are processes a system-wide trace leaves out besides the
	// tracer: the readers of its output pipe (OutputReaders), at most four.
	Exclude []int

	// CaptureBuffers reads buffers and structs (up to BufSize bytes of a
	// buffer) besides strings.
	CaptureBuffers bool
	BufSize        int

	// ProcessEvents sends thread exits and signal deliveries as Exit and
	// Signal events (strace's "+++ exited" and "--- SIG" lines).
	ProcessEvents bool

	RingSize int // ring buffer bytes, a power of two; 0 picks the default

	// Env is the command's environment; nil means the tracer's.
	Env []string
	// User runs the command with these credentials (strace -u); nil keeps
	// the tracer's.
	User *Credential

	Stdin          io.Reader // the command's standard streams; nil means the tracer's
	Stdout, Stderr io.Writer

	Table *syscalls.Table // nil means syscalls.Native()
	Debug io.Writer       // verifier log and attach details; nil for none

	// Start is the trace's time zero, the instant event times count from,
	// so that a caller that prints wall-clock times (or records them) agrees
	// with the events; the zero value means when Run starts.
	Start time.Time

	// EnterMarks sends the enter half of a call that goes to sleep as an
	// Entered event, before the whole call: what strace's format needs to
	// print "<unfinished ...>" where the call entered when other threads'
	// lines come before it returns. Other consumers leave it off.
	EnterMarks bool

	// StackTrace captures the user stack of each traced call (only the
	// calls of Syscalls) and symbolizes it into Event.Stack (-k).
	StackTrace bool
	// StackWindow is how many bytes of user stack are copied with each
	// stack, for unwinding through code without frame pointers with the
	// binaries' .eh_frame; 0 picks DefaultStackWindow, a negative value
	// copies none (the kernel's frame-pointer walk alone).
	StackWindow int

	// FullEnv captures execve's environment strings, as argv's, instead
	// of their number (strace -v).
	FullEnv bool

	// StrMax caps the bytes of each string argument read, its NUL
	// included (-n/--filenames); 0 reads whole paths (PATH_MAX). A longer
	// string comes as event.StrTrunc.
	StrMax int

	// ObjectDir loads the kernel side from DIR/tracer_ARCH_bpfel.o (-N)
	// instead of the built-in object; it must have the built-in's maps,
	// programs and config.
	ObjectDir string

	// DecodeFds describes each descriptor argument and returned descriptor
	// from the kernel at the call (-y): event.Fd data.
	DecodeFds bool

	// Calibrate attaches syscall programs that return at once: nothing is
	// traced, and the run measures what the tracepoints alone cost.
	Calibrate bool

	// Lossless pauses the traced processes instead of losing records: they
	// run in a cgroup of their own (a child of the tracer's, cgroup v2),
	// frozen while the ring buffer holds HighMark bytes or more, until the
	// reader has drained it to LowMark (engine/freeze.go). It needs a
	// command or PIDs (New refuses it system-wide); -p processes are moved
	// into the cgroup and back at the end. Without a writable cgroup v2
	// hierarchy the session traces lossy and LossyReason says why.
	Lossless bool
	// PauseStatus, a terminal, gets a status line while lossless tracing
	// has paused the processes for more than a second; nil: none.
	PauseStatus io.Writer
	// OnPause, when set, gets the lossless pauses instead of PauseStatus's
	// line (a status line of the caller's shows them): how many so far,
	// their total, and when the current one began (zero when none is on),
	// every 100 ms while the command is paused, and at each thaw.
	OnPause func(pauses int, total time.Duration, since time.Time)
	// HighMark and LowMark are bytes of the ring; 0 picks a quarter and
	// an eighth of RingSize.
	HighMark, LowMark int

	// Count counts calls, errors and time per syscall in the kernel
	// (SyscallStats); CountOnly sends no record per call.
	Count CountMode
	// CountAggs: with Count, the kernel also keeps a duration histogram
	// per syscall and counts per process (KernelAggs).
	CountAggs bool
	// NoClock: nothing needs the calls' times; the kernel reads no clock
	// and Event.TS and Event.Duration are 0.
	NoClock bool
	// Stamps: times only order the events (the strace format's
	// "<unfinished ...>" split), nothing shows them: the kernel stamps
	// them from the ring's position instead of reading the clock
	// (stamp.go), and Event.TS and Event.Duration are in no unit. Ignored
	// with NoClock, Inject or StackTrace, which need the clock.
	Stamps bool
	// Inject is the fault injection of a launched command (-e inject=,
	// -e fault=, scripts' inject()); nil for none. New refuses it with
	// PIDs or system-wide (ErrInjectUnsupported). See engine/inject.go.
	Inject *InjectConfig

	// ReuseEvents hands every event to the Handler in the same Event, its
	// captured bytes in a buffer of the reader's: the handler keeps none
	// past its call. No allocation per event.
	ReuseEvents bool
}

// Handler receives the events of a session, in order per thread, from a
// single goroutine.
type Handler interface {
	// Event handles one event; an error stops the session.
	Event(ev *event.Event) error
	// Idle is called when the ring buffer has been drained for now, a
	// good moment to flush buffered output.
	Idle() error
}

// Result is how a session ended.
type Result struct {
	ExitCode int    // the command's exit status (128+N when killed by signal N); 0 otherwise
	Events   uint64 // events delivered to the handler
	Lost     uint64 // records the kernel could not queue
	// Detached is the pid of a launched command left running when the
	// session was cancelled before it exited (ExitCode is then 130).
	Detached int
	// Exited says the launched command ran and exited: ExitCode is its
	// status.
	Exited bool

	// Lossless: how many times the traced processes were paused for the
	// reader to catch up, and for how long in all.
	Pauses int
	Paused time.Duration

	// Skipped: the times the kernel skipped sys_enter or sys_exit while
	// another instance ran on that CPU (any process's call), when such
	// skips can hide a call: an entry skipped where unseen entries are
	// normal (a syscall filter, fault injection: see bpf/event.bpf.h,
	// send_unentered), or both programs skipped in the run. Calls of
	// the traced processes may then be missing. 0 otherwise.
	Skipped uint64
	// Unread: records still queued when the session was abandoned
	// (Abandon), never delivered.
	Unread uint64
}

// Session is a loaded and attached tracer. Create it with New, then Run it
// once; Close releases every kernel object.
type Session struct {
	cfg    Config
	objs   bpf.TracerObjects
	links  []link.Link
	reader *ringbuf.Reader
	child  *child
	inj    *injector // fault injection; nil without
	pids   []int     // tgids given with -p
	start  uint64
	closed bool
	// verifyOnly: the session only loads (Verify), with the verifier's
	// statistics.
	verifyOnly bool

	freezer   *freezer          // lossless tracing; nil when lossy
	abandoned atomic.Bool       // Abandon: stop at the next record
	lossy     error             // why lossless tracing was asked for and not given
	mmaps     *mmapWatcher      // -k: the processes' mappings, from the kernel's perf records
	symbols   *stack.Symbolizer // -k
	stacks    uint64            // stacks symbolized

	drainStart time.Time
	startup    startupMarks  // -d: start-up's moments
	stamps     *ringProducer // Config.Stamps: the ring's position; nil: the clock
	finalStats []SyscallStat // the kernel's counts at the end (Config.Count)
	finalAggs  *Aggs         // the kernel's histograms and per-process counts at the end
}

const defaultRingSize = 64 << 20

// sharedBTF is the parsed kernel BTF, kept for the process's later loads;
// the lock serialises the loads that use it.
var sharedBTF struct {
	sync.Mutex
	cache *btf.Cache
}

// New checks privileges and kernel features, resolves the command or pids,
// loads the programs and attaches them. Nothing is started: on error every
// resource acquired so far is released.
func New(cfg Config) (_ *Session, err error) {
	cfg.setDefaults()
	if cfg.RingSize == 0 {
		cfg.RingSize = defaultRingSize
	}
	if cfg.RingSize&(cfg.RingSize-1) != 0 || cfg.RingSize < os.Getpagesize() {
		return nil, fmt.Errorf("sizing ring buffer: %d is not a power of two of at least a page", cfg.RingSize)
	}
	if len(cfg.Command) > 0 && len(cfg.PIDs) > 0 {
		return nil, errors.New("choosing what to trace: a command and -p are exclusive")
	}
	if err := checkCgroups(&cfg); err != nil {
		return nil, err
	}
	if !cfg.Inject.empty() {
		if len(cfg.Command) == 0 {
			return nil, ErrInjectUnsupported
		}
		// Made events are ordered among the traced ones by their times.
		cfg.NoClock = false
	} else {
		cfg.Inject = nil
	}
	cfg.Stamps = cfg.stamped()
	if cfg.Lossless {
		if err := checkMarks(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Session{cfg: cfg}

	var path string
	if len(cfg.Command) > 0 {
		if path, err = ResolveCommand(cfg.Command); err != nil {
			return nil, err
		}
	}
	for _, pid := range cfg.PIDs {
		tgid, err := tgidOf(pid)
		if err != nil {
			return nil, err
		}
		s.pids = append(s.pids, tgid)
	}
	if err := CheckPrivileges(); err != nil {
		return nil, err
	}
	if err := checkBTF(); err != nil {
		return nil, err
	}
	if err := CheckFeatures(cfg); err != nil {
		return nil, err
	}

	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.Lossless {
		if len(cfg.Cgroups) > 0 {
			s.freezer, s.lossy = newTargetFreezer(cfg.Cgroups, uint64(cfg.HighMark), uint64(cfg.LowMark), s.debugf, s.notef)
		} else {
			s.freezer, s.lossy = newFreezer(uint64(cfg.HighMark), uint64(cfg.LowMark), s.debugf, s.notef)
		}
	}
	// The launcher starts while the programs load: its fork, exec and
	// runtime's start are off start-up's path, and it waits for release.
	type started struct {
		c   *child
		err error
	}
	var launched chan started
	if path != "" {
		cgroupDir := ""
		if s.freezer != nil {
			cgroupDir = s.freezer.dir
		}
		launched = make(chan started, 1)
		go func() {
			c, err := startChild(path, &cfg, cgroupDir)
			s.mark("launcher")
			launched <- started{c, err}
		}()
	}
	t0 := time.Now()
	loadErr := s.load()
	if launched != nil {
		// Taken even when loading failed: Close (deferred) ends it.
		r := <-launched
		s.child = r.c
		if loadErr == nil && r.err != nil {
			return nil, r.err
		}
	}
	if loadErr != nil {
		// A kernel without a feature the programs need fails somewhere
		// in loading: the probes say which, in terms of its version.
		if err := probeKernel(); err != nil {
			return nil, err
		}
		return nil, loadErr
	}
	t1 := time.Now()
	if cfg.Stamps {
		if s.stamps, err = mapRingProducer(s.objs.Events.FD()); err != nil {
			return nil, fmt.Errorf("mapping the ring buffer's producer position: %w", err)
		}
	}
	if err := s.attach(); err != nil {
		return nil, err
	}
	s.mark("attached")
	s.debugf("loaded in %v, attached in %v", t1.Sub(t0).Round(time.Microsecond), time.Since(t1).Round(time.Microsecond))
	if kc := KernelConfig(cfg); CountLean(kc) {
		s.debugf("counting calls and errors at sys_exit alone (no clock, no slot per thread)")
	}
	if s.child != nil {
		s.debugInject()
	}
	s.joinFreezer()
	s.mark("ready")
	s.debugStartup()
	if cfg.StackTrace {
		// Before the command runs: its exec and mmaps must be seen.
		pid := -1
		if s.child != nil {
			pid = s.child.cmd.Process.Pid
		}
		if s.mmaps, err = openMmapWatcher(pid); err != nil {
			return nil, err
		}
		arch := stack.AMD64
		if runtime.GOARCH == "arm64" {
			arch = stack.ARM64
		}
		s.symbols = &stack.Symbolizer{Tracker: stack.NewTracker(), Arch: arch}
	}
	return s, nil
}

func tgidOf(pid int) (int, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("attaching to pid %d: not a valid pid", pid)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("attaching to pid %d: no such process", pid)
		}
		return 0, fmt.Errorf("attaching to pid %d: %w", pid, err)
	}
	if kernelThread(pid) {
		return 0, fmt.Errorf("attaching to pid %d: a kernel thread makes no system calls", pid)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			tgid, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil && tgid == os.Getpid() {
				return 0, fmt.Errorf("attaching to pid %d: that is the tracer itself", pid)
			}
			return tgid, err
		}
	}
	return pid, nil
}

// kernelThread says pid is a kernel thread (PF_KTHREAD in its flags, the
// ninth field of /proc/PID/stat).
func kernelThread(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 7 {
		return false
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	const pfKthread = 0x00200000
	return err == nil && flags&pfKthread != 0
}

func (s *Session) debugf(format string, args ...any) {
	if s.cfg.Debug != nil {
		fmt.Fprintf(s.cfg.Debug, "strace.ebpf: "+format+"\n", args...)
	}
}

func (s *Session) load() error {
	// The slow, independent parts of loading overlap (loadstart.go): the
	// kernel allocates the ring buffer and this process parses the
	// kernel's BTF for the CO-RE relocations while it reads the object.
	sharedBTF.Lock()
	defer sharedBTF.Unlock()
	early := s.startLoad()
	defer early.close()
	spec, err := loadSpec(s.cfg.ObjectDir)
	if err != nil {
		return err
	}
	s.mark("object read")
	tab := s.cfg.Table
	// The session's settings, read by the programs as constants (struct
	// config in bpf/tracer.bpf.c).
	vs, ok := spec.Variables[bpf.TracerVarConfig]
	if !ok {
		return fmt.Errorf("loading BPF spec: no variable %s", bpf.TracerVarConfig)
	}
	kc := KernelConfig(s.cfg)
	kc.TracerTgid = uint32(os.Getpid())
	kc.RingHighMark = s.highMark()
	if !s.verifyOnly {
		kc.SystemWide = b2u(len(s.cfg.Command) == 0 && len(s.pids) == 0)
	} else if s.cfg.Lossless {
		// A lossless session's programs check the ring's fill level.
		kc.RingHighMark = uint64(s.cfg.RingSize) / 2
	}
	if err := vs.Set(kc); err != nil {
		return fmt.Errorf("setting the BPF configuration: %w", err)
	}
	spec.Maps[bpf.TracerMapEvents].MaxEntries = uint32(s.cfg.RingSize)
	sizeCgroupMap(spec, s.cfg)

	ring, cache, kernelTypes, err := early.wait()
	if err != nil {
		return err
	}

	opts := &ebpf.CollectionOptions{
		Programs:        ebpf.ProgramOptions{KernelTypes: kernelTypes},
		Cache:           cache,
		MapReplacements: map[string]*ebpf.Map{bpf.TracerMapEvents: ring},
	}
	if s.cfg.Debug != nil || s.verifyOnly {
		opts.Programs.LogLevel = ebpf.LogLevelStats
	}
	tl := time.Now()
	defer func() { s.debugf("programs verified and maps created in %v", time.Since(tl).Round(time.Microsecond)) }()
	if err := loadObjects(spec, opts, &s.objs); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) && s.cfg.Debug != nil {
			fmt.Fprintf(s.cfg.Debug, "%+v\n", ve)
		}
		return loadError(err)
	}
	s.mark("programs loaded")
	s.debugVerifier()

	// The syscall description table and the syscall filter, for the
	// numbers below MAX_NR: the native calls', then the 32-bit calls' from
	// SC_COMPAT_BASE (compat.go).
	if err := s.putTable(tab, 0); err != nil {
		return err
	}
	if err := s.putTable(tab.Compat(), compatBase); err != nil {
		return err
	}
	if err := s.writeFdArgs(tab, compatBase); err != nil {
		return err
	}
	if err := s.writeCapTable(); err != nil {
		return err
	}
	if err := s.writeOpCaps(); err != nil {
		return err
	}
	for _, c := range ioctlCaps {
		v := bpf.TracerIoctlCap(c.size)
		if c.enter {
			v |= ioctlAtEnter
		}
		if err := s.objs.IoctlCaps.Put(c.cmd, v); err != nil {
			return fmt.Errorf("writing ioctl capture table: %w", err)
		}
	}
	return s.putFilter(tab)
}

// setDefaults fills in the syscall table and the buffer size a zero
// Config leaves out (the ring's size is the caller's: New and Verify differ).
func (cfg *Config) setDefaults() {
	if cfg.Table == nil {
		cfg.Table = syscalls.Native()
	}
	if cfg.BufSize <= 0 {
		cfg.BufSize = defaultBufSize
	}
}

// KernelConfig is the kernel side's configuration (struct config in
// bpf/tracer.bpf.c) for cfg: what decides which code the verifier sees.
// The fields known only when a session runs (the tracer's tgid, the ring's
// high mark) are zero, and RingHighMark is 1 when cfg is lossless (the
// programs then check the ring's fill level); SystemWide follows cfg's
// command and pids.
func KernelConfig(cfg Config) bpf.TracerConfig {
	cfg.setDefaults()
	kc := bpf.TracerConfig{
		Calibrate:      b2u(cfg.Calibrate),
		SystemWide:     b2u(len(cfg.Command) == 0 && len(cfg.PIDs) == 0),
		FollowFork:     followConst(cfg),
		FailedOnly:     b2u(cfg.FailedOnly),
		Unentered:      b2u(cfg.Syscalls == nil && cfg.Inject.empty()),
		FilterSyscalls: b2u(cfg.Syscalls != nil),
		ExecveNr:       nrOf(cfg.Table, "execve"),
		ExecveatNr:     nrOf(cfg.Table, "execveat"),
		SigreturnNr:    nrOf(cfg.Table, "rt_sigreturn"),
		BufMax:         uint32(cfg.BufSize),
		ProcEvents:     b2u(cfg.ProcessEvents),
		EnterMarks:     b2u(cfg.EnterMarks),
		StackTrace:     stackConst(cfg),
		DecodeFds:      b2u(cfg.DecodeFds),
		StrMax:         uint32(max(cfg.StrMax, 0)),
		ExcludeTgid:    excludeConst(cfg.Exclude),
		Count:          uint32(cfg.Count),
		CountAggs:      b2u(cfg.CountAggs),
		NoClock:        b2u(cfg.NoClock),
		Stamps:         b2u(cfg.stamped()),
		Buffers:        b2u(cfg.CaptureBuffers),
		RingHighMark:   uint64(b2u(cfg.Lossless)),
	}
	cgroupConst(cfg.Cgroups, &kc)
	return kc
}

// DefaultStackWindow is the user stack copied with each -k stack, the
// most the kernel side copies: with less, fewer frames of binaries without
// frame pointers unwind (docs/stack-traces.md has the measurements).
const DefaultStackWindow = maxStackWindow

const maxStackWindow = int(bpf.TracerSharedLimitsSTACK_WINDOW_MAX) // STACK_WINDOW_MAX in bpf/tracer.h

// followConst is the follow_fork constant of bpf/tracer.h: 0 off, 1
// every descendant, FOLLOW_CHILDREN children only.
func followConst(cfg Config) uint32 {
	switch {
	case !cfg.FollowForks:
		return 0
	case cfg.ChildrenOnly:
		return uint32(bpf.TracerSharedLimitsFOLLOW_CHILDREN)
	}
	return 1
}

// stackConst is the stack_trace constant of bpf/tracer.bpf.c: 0 off, else
// the window in bytes (1: none).
func stackConst(cfg Config) uint32 {
	switch {
	case !cfg.StackTrace:
		return 0
	case cfg.StackWindow < 0:
		return 1
	case cfg.StackWindow == 0:
		return uint32(DefaultStackWindow)
	}
	return uint32(min(cfg.StackWindow, maxStackWindow)) &^ 7
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func nrOf(t *syscalls.Table, name string) int32 {
	if sc := t.ByName(name); sc != nil {
		return int32(sc.Nr)
	}
	return -1
}

func (s *Session) attach() error {
	type prog struct {
		name string
		prog *ebpf.Program
	}
	var progs []prog
	if s.cfg.EnterMarks {
		progs = append(progs, prog{"sched_switch", s.objs.SchedSwitch})
	}
	for _, a := range append(progs, []prog{
		{"sched_process_fork", s.objs.SchedProcessFork},
		{"sched_process_exit", s.objs.SchedProcessExit},
		{"sched_process_exec", s.objs.SchedProcessExec},
		{"signal_deliver", s.objs.SignalDeliver},
		{"signal_generate", s.objs.SignalGenerate},
		{"sys_exit", s.objs.SysExit},
		{"sys_enter", s.objs.SysEnter},
	}...) {
		var l link.Link
		var err error
		if a.prog.Type() == ebpf.Tracing {
			// tp_btf: the same raw tracepoint, its arguments typed by BTF.
			l, err = link.AttachTracing(link.TracingOptions{Program: a.prog})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: a.name, Program: a.prog})
		}
		if err != nil {
			return fmt.Errorf("attaching %s: %w", a.name, err)
		}
		s.links = append(s.links, l)
		s.debugf("attached raw tracepoint %s", a.name)
	}
	r, err := ringbuf.NewReader(s.objs.Events)
	if err != nil {
		return fmt.Errorf("opening ring buffer: %w", err)
	}
	s.reader = r
	return nil
}

// detach stops new events; records already queued can still be read.
func (s *Session) detach() {
	// In reverse: sys_enter (attached last) goes before sys_exit, so that
	// no call enters whose exit would go unseen and count as lost; the
	// exits seen alone meanwhile are dropped (Run's stop).
	for i := len(s.links) - 1; i >= 0; i-- {
		s.links[i].Close()
	}
	s.links = nil
}

// Close releases every kernel object of the session. A launched command
// that was never released is ended without running.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.child != nil {
		select {
		case <-s.child.done:
		default:
			s.child.abort()
		}
	}
	s.detach()
	if s.freezer != nil {
		s.freezer.close()
	}
	if s.reader != nil {
		s.reader.Close()
	}
	if s.mmaps != nil {
		s.mmaps.close()
	}
	s.stamps.close()
	return s.objs.Close()
}

func monotonicNow() uint64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return uint64(ts.Nano())
}

// Lost reads the kernel's count of dropped records.
func (s *Session) Lost() (uint64, error) {
	var per []uint64
	if err := s.objs.Lost.Lookup(uint32(0), &per); err != nil {
		return 0, fmt.Errorf("reading lost count: %w", err)
	}
	var n uint64
	for _, v := range per {
		n += v
	}
	return n, nil
}

// Run starts tracing and delivers events to h until the command exits, every
// -p process exits, ctx is cancelled, or h fails. Queued events are drained
// before it returns.
func (s *Session) Run(ctx context.Context, h Handler) (res Result, err error) {
	defer s.Close()
	s.start = monotonicNow()
	if s.stamps != nil {
		s.start = 0 // the stamps are the events' times as they are
	} else if !s.cfg.Start.IsZero() {
		if since := time.Since(s.cfg.Start); since > 0 && uint64(since) < s.start {
			s.start -= uint64(since)
		}
	}

	if s.freezer != nil && (s.cfg.PauseStatus != nil || s.cfg.OnPause != nil) {
		stopStatus := make(chan struct{})
		defer close(stopStatus)
		go s.watchPauses(s.cfg.PauseStatus, s.freezer, stopStatus)
	}

	// What ends the session besides ctx.
	ended := make(chan struct{})
	switch {
	case s.child != nil:
		if err := s.objs.Tasks.Put(uint32(s.child.cmd.Process.Pid), bpf.TracerTaskStateTASK_ARMED); err != nil {
			return res, fmt.Errorf("arming task %d: %w", s.child.cmd.Process.Pid, err)
		}
		if s.child.listener >= 0 {
			inj, err := newInjector(s.child.listener, &s.cfg, s.objs.Tasks, s.start)
			if err != nil {
				return res, err
			}
			s.child.listener = -1 // the injector's now
			s.inj = inj
			go inj.serve()
			defer inj.stop()
		}
		if err := s.child.release(); err != nil {
			return res, fmt.Errorf("starting '%s': %w", s.cfg.Command[0], err)
		}
		if s.cfg.FollowForks {
			// -f follows every descendant to its end, as strace does:
			// the session ends when the last traced process exits.
			// It reads the tasks map: Close (deferred before) must not
			// come until it has returned.
			stop, done := make(chan struct{}), make(chan struct{})
			defer func() { close(stop); <-done }()
			go func() { defer close(done); s.waitTraced(ended, stop) }()
		} else {
			ended = s.child.done
		}
	case len(s.pids) > 0:
		var fds []int
		for _, pid := range s.pids {
			if err := s.objs.Tasks.Put(uint32(pid), bpf.TracerTaskStateTASK_TRACED); err != nil {
				return res, fmt.Errorf("attaching to pid %d: %w", pid, err)
			}
			s.seedBlocked(pid)
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				return res, fmt.Errorf("attaching to pid %d: %w", pid, err)
			}
			fds = append(fds, fd)
		}
		stop := make(chan struct{})
		defer close(stop)
		go waitPidfds(fds, ended, stop)
	case len(s.cfg.Cgroups) > 0:
		for _, c := range s.cfg.Cgroups {
			s.debugf("tracing cgroup %s (id %d, level %d)", c.Dir, c.ID, c.Level)
		}
		stop := make(chan struct{})
		defer close(stop)
		go waitCgroups(s.cfg.Cgroups, ended, stop)
	default:
		s.debugf("tracing the whole system")
	}

	d := decoder{startNS: s.start}
	var rec ringbuf.Record
	var lastLost uint64
	reportLost := func() error {
		n, err := s.Lost()
		if err != nil {
			return err
		}
		if n > lastLost {
			res.Lost = n
			ev := &event.Event{Kind: event.Lost, LostN: n - lastLost, TS: s.stampEvent() - s.start}
			lastLost = n
			return h.Event(ev)
		}
		return nil
	}
	var scratch event.Event
	var made []*event.Event // fault injection's events
	d.reuse = s.cfg.ReuseEvents
	places := newPlacer(s.cfg.Cgroups, s.cfg.PidNS, s.objs.CgroupOf)
	var stopNS uint64 // when detaching began (stop), in the session's time
	deliver := func() error {
		var ev *event.Event
		if s.cfg.ReuseEvents {
			scratch = event.Event{Data: scratch.Data[:0]}
			ev = &scratch
		} else {
			ev = new(event.Event)
		}
		if err := d.decode(rec.RawSample, ev); err != nil {
			return err
		}
		if d.lastUnentered != 0 && stopNS != 0 && d.lastUnentered >= stopNS {
			// A call that entered as sys_enter was detached: not one of
			// the trace's (detach).
			d.unentered--
			return nil
		}
		if places != nil {
			places.place(ev)
		}
		// An Entered half only says where a call went to sleep: its stack
		// comes with the whole call.
		if len(d.stack) > 0 && s.symbols != nil && ev.Flags&event.Entered == 0 {
			s.symbolize(ev, d.stack)
		}
		if s.inj != nil {
			// The calls the tracer answered itself, entered before ev.
			made = s.inj.before(ev, made[:0])
			for _, m := range made {
				res.Events++
				if err := h.Event(m); err != nil {
					return err
				}
			}
		}
		res.Events++
		// Losses are looked for every lossCheck records too, not only
		// when the ring runs dry, so that their marker comes near the gap.
		if res.Events%lossCheck == 0 {
			if err := reportLost(); err != nil {
				return err
			}
		}
		return h.Event(ev)
	}

	// The ring never wakes us (see bpf/tracer.bpf.c): poll it. While
	// records flow, read them back to back; the deadline and the end of
	// the session are looked at only when the ring runs dry, or every
	// checkEvery records.
	const poll = 10 * time.Millisecond
	const checkEvery = 4096
	stopping := false
	stop := func() {
		// Stop new events, then read everything queued.
		stopping = true
		stopNS = s.stampEntry()
		s.detach()
		if s.freezer != nil {
			s.freezer.release() // nothing more is traced
		}
		s.reader.Flush()
		s.drainStart = time.Now()
		s.debugf("stopping: draining the ring buffer (%d bytes queued)", s.reader.AvailableBytes())
	}
	over := func() bool {
		select {
		case <-ended:
			return true
		case <-ctx.Done():
			return true
		default:
			return false
		}
	}
	s.reader.SetDeadline(time.Now().Add(poll))
	sinceCheck := 0
	var madeUpTo uint64 // made events queued before the last read
	deliverMade := func() error {
		if s.inj == nil {
			return nil
		}
		if err := s.inj.err(); err != nil {
			return err
		}
		made = s.inj.takeUpTo(madeUpTo, made[:0])
		for _, m := range made {
			res.Events++
			if err := h.Event(m); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		if s.inj != nil {
			madeUpTo = s.inj.pushed.Load()
		}
		err := s.reader.ReadInto(&rec)
		if s.abandoned.Load() {
			return s.abandon(ctx, res)
		}
		switch {
		case err == nil:
			if err := deliver(); err != nil {
				return s.finish(ctx, res, err)
			}
			if sinceCheck++; sinceCheck == checkEvery {
				sinceCheck = 0
				if !stopping && over() {
					stop()
				}
			}
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
		case errors.Is(err, ringbuf.ErrFlushed):
			if stopping {
				if err := deliverMade(); err != nil {
					return s.finish(ctx, res, err)
				}
				for _, ev := range s.unfinished(&d) {
					res.Events++
					if err := h.Event(ev); err != nil {
						return s.finish(ctx, res, err)
					}
				}
				if err := reportLost(); err != nil {
					return s.finish(ctx, res, err)
				}
				if err := h.Idle(); err != nil {
					return s.finish(ctx, res, err)
				}
				s.debugf("drained in %v", time.Since(s.drainStart).Round(time.Microsecond))
				if d.unentered > 0 {
					s.debugf("%d calls seen only at their exit (the kernel skipped their entry, or seccomp refused them): no start time, no captured arguments", d.unentered)
				}
				return s.finish(ctx, res, nil)
			}
		default:
			return s.finish(ctx, res, fmt.Errorf("reading ring buffer: %w", err))
		}
		// The ring is empty for now.
		if err := deliverMade(); err != nil {
			return s.finish(ctx, res, err)
		}
		if s.mmaps != nil {
			s.mmaps.drain(s.symbols.Tracker)
		}
		if err := reportLost(); err != nil {
			return s.finish(ctx, res, err)
		}
		if err := h.Idle(); err != nil {
			return s.finish(ctx, res, err)
		}
		if !stopping {
			if over() {
				stop()
				continue
			}
			waitEnd(ctx, ended, poll)
			if over() {
				stop()
				continue
			}
			s.reader.SetDeadline(time.Now())
		}
	}
}

// symbolize fills ev.Stack from its stack item, after reading the mmap
// records queued so far: every mapping made before the call is known then.
func (s *Session) symbolize(ev *event.Event, item []byte) {
	s.mmaps.drain(s.symbols.Tracker)
	raw, err := stack.ParseRaw(item)
	if err != nil {
		return
	}
	ts := ev.TS + s.start
	ev.Stack = s.symbols.Frames(ev.PID, ts, raw)
	// Processes that exited a while ago will not show up again.
	if s.stacks++; s.stacks%4096 == 0 && ts > forgetAfter {
		s.symbols.Tracker.Forget(ts - forgetAfter)
	}
}

const forgetAfter = uint64(10 * time.Second)

// waitEnd sleeps until the next poll of the ring, or less when the session
// ends meanwhile: the end of a short command is seen at once.
func waitEnd(ctx context.Context, ended <-chan struct{}, poll time.Duration) {
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ended:
	case <-ctx.Done():
	}
}

// lossCheck is how many records are read between two looks at the
// kernel's lost count.
const lossCheck = 1024

// waitTraced closes ended when the launched command has exited and no
// process it started is traced any more (the tasks map is empty), or
// returns when stop is closed.
func (s *Session) waitTraced(ended, stop chan struct{}) {
	defer close(ended)
	select {
	case <-s.child.done:
	case <-stop:
		return
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		var k, v uint32
		if !s.objs.Tasks.Iterate().Next(&k, &v) {
			return
		}
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

// finish settles the exit code. A launched command is never harmed by the
// tracer: after a handler error (a script, the output) tracing stops and
// the command runs on; its status is waited for unless ctx was cancelled
// (a second Ctrl-C detaches at once, leaving it running).
func (s *Session) finish(ctx context.Context, res Result, err error) (Result, error) {
	s.detach()
	misses := s.programMisses()
	for name, n := range misses {
		s.debugf("the kernel skipped program %s %d times (an instance of it already ran on that CPU)", name, n)
	}
	// A skipped entry alone is seen at the exit, a skipped exit alone at
	// the next entry; both skipped, or an entry skipped where unseen
	// entries are normal, leave no trace of the call.
	switch enter, exit := misses["sys_enter"], misses["sys_exit"]; {
	case KernelConfig(s.cfg).Unentered == 0:
		res.Skipped = enter
	case enter > 0 && exit > 0:
		res.Skipped = enter + exit
	}
	s.keepStats()
	s.keepAggs()
	if s.freezer != nil {
		s.freezer.release()
		res.Pauses, res.Paused = s.freezer.stats.pauses, s.freezer.stats.paused
		s.freezer.report()
	}
	if s.child != nil {
		select {
		case <-s.child.done:
		case <-ctx.Done():
		}
		select {
		case <-s.child.done:
			res.ExitCode = s.child.exitCode()
			res.Exited = true
		default:
			res.Detached = s.child.cmd.Process.Pid
			res.ExitCode = 128 + int(unix.SIGINT)
		}
	}
	return res, err
}

// Signal forwards sig to the launched command, if any.
func (s *Session) Signal(sig os.Signal) {
	if s.child != nil && s.child.cmd.Process != nil {
		s.child.cmd.Process.Signal(sig)
	}
}

// ChildPID is the pid of the launched command, or 0.
func (s *Session) ChildPID() int {
	if s.child == nil {
		return 0
	}
	return s.child.cmd.Process.Pid
}

// waitPidfds closes ended when every process behind fds has exited, and
// returns early (closing the fds either way) when stop is closed.
func waitPidfds(fds []int, ended, stop chan struct{}) {
	defer close(ended)
	pfds := make([]unix.PollFd, len(fds))
	for i, fd := range fds {
		pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	left := len(fds)
	for left > 0 {
		select {
		case <-stop:
			left = 0
			continue
		default:
		}
		if _, err := unix.Poll(pfds, 100); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			break
		}
		for i := range pfds {
			if pfds[i].Revents != 0 && pfds[i].Fd >= 0 {
				unix.Close(int(pfds[i].Fd))
				pfds[i].Fd = -1
				left--
			}
		}
	}
	for _, p := range pfds {
		if p.Fd >= 0 {
			unix.Close(int(p.Fd))
		}
	}
}

// programName finds the program cilium/ebpf names in a load error
// ("... program sys_exit: load program: ...").
var programName = regexp.MustCompile(`program (\w+): load program`)

// loadError words a failed load for the user. The verifier's refusal comes
// with EACCES (or EINVAL), which says nothing true to a user who is root:
// the error names the program, the verifier's reason (its log's telling
// line) and that this is a bug of ours, to report with -d's output (the
// whole log).
func loadError(err error) error {
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		return fmt.Errorf("loading BPF programs: %w", err)
	}
	prog := "?"
	if m := programName.FindStringSubmatch(err.Error()); m != nil {
		prog = m[1]
	}
	return &VerifierRejected{Program: prog, Reason: verifierReason(ve), Err: err}
}

// verifierReason is the line of the verifier's log that says why it
// refused: the last one before the statistics.
func verifierReason(ve *ebpf.VerifierError) string {
	log := ve.Log
	for i := len(log) - 1; i >= 0; i-- {
		l := strings.TrimSpace(log[i])
		if l == "" || strings.HasPrefix(l, "processed ") || strings.HasPrefix(l, "verification time") ||
			strings.HasPrefix(l, "stack depth") {
			continue
		}
		return l
	}
	return ve.Cause.Error()
}

// VerifierRejected is the kernel's verifier refusing one of the tracer's
// programs on the running kernel: a bug of the tracer's, not a missing
// privilege.
type VerifierRejected struct {
	Program string // sys_exit, sched_process_exec ...
	Reason  string // the verifier's own words
	Err     error  // the whole error, with the log
}

func (e *VerifierRejected) Error() string {
	return fmt.Sprintf("loading BPF programs: the kernel's verifier rejected program %s: %s "+
		"(a bug of strace.ebpf on this kernel: please report it with the output of -d)", e.Program, e.Reason)
}

func (e *VerifierRejected) Unwrap() error { return e.Err }
