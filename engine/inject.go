package engine

import (
	"errors"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Fault injection (strace's -e inject= and -e fault=, and scripts'
// inject() declarations) for a launched command. The launcher installs a
// seccomp filter before it execs the command (engine/inject_seccomp.go):
// the calls an inject set names return SECCOMP_RET_USER_NOTIF, every other
// call stays on seccomp's fast path. The tracer answers each notification
// (engine/inject_serve.go): with an error or a return value (the call does
// not run), or by letting the call continue, after a delay or after
// sending a signal. The filter is inherited by every descendant, so it
// follows -f; a call of a process that is not traced continues untouched.
//
// A call answered with an error or a return value never runs: the kernel
// skips it before its sys_enter tracepoint, so the BPF side never sees it.
// The engine makes its event itself, from the notification (arguments,
// strings read from the caller's memory) and the answer, flagged
// event.Injected. A call let continue is traced as usual; a delayed one is
// flagged event.Delayed when its record comes.

// ErrInjectUnsupported is returned when injection is asked for where
// seccomp cannot give it: attached processes (-p) or the whole system.
var ErrInjectUnsupported = errors.New("fault injection needs a launched command: seccomp cannot be given to a running process")

// InjectLastInf is When.Last for "no last call" (strace's INJECT_LAST_INF).
const InjectLastInf = 0xffff

// When is strace's when=FIRST[..LAST][+STEP]: which of a thread's calls
// of a syscall the fault applies to, counted from 1 per thread and per
// syscall as strace counts them. The zero value is every call.
type When struct {
	First, Last, Step uint16
}

// Every is when= left out: every call.
var Every = When{First: 1, Last: InjectLastInf, Step: 1}

// Fault is what is done to a call.
type Fault struct {
	// Error fails the call with this errno (it does not run); 0 for none.
	Error int
	// Retval makes the call return this value without running, when
	// HasRetval.
	Retval    int64
	HasRetval bool
	// Signal is sent to the calling thread (then the call continues, or
	// fails as Error/Retval say); 0 for none.
	Signal int
	// DelayEnter sleeps before the call runs (or fails).
	DelayEnter time.Duration
	// Pokes overwrite the memory arguments point to before the call runs
	// (strace's poke_enter=@argN=HEX).
	Pokes []Poke
}

// Poke is data written where argument Arg (1-based) points.
type Poke struct {
	Arg  int
	Data []byte
}

// Tampers says the call does not run: it returns the fault's error or value.
func (f Fault) Tampers() bool { return f.Error != 0 || f.HasRetval }

// Empty says the fault does nothing.
func (f Fault) Empty() bool {
	return !f.Tampers() && f.Signal == 0 && f.DelayEnter == 0 && len(f.Pokes) == 0
}

// InjectRule is one inject set, resolved: the calls it names (native and
// 32-bit numbers), which of them, and the fault.
type InjectRule struct {
	Syscalls   []int
	Syscalls32 []int
	When       When
	Fault      Fault
}

// Decider lets a script decide the fault of each call of its declared
// syscalls (Config.InjectDecided). The event holds the call's number,
// arguments and captured strings, no result; Decide returns the fault, or
// ok false to leave the call alone. It is called from one goroutine at a
// time, but not the one that calls the Handler.
type Decider interface {
	Decide(ev *event.Event) (f Fault, ok bool, err error)
}

// InjectConfig is what the session injects. The rules apply in order: a
// later rule that names the same call replaces an earlier one, as in
// strace. Calls of Decided (and Decided32) that no rule names go to
// Decider.
type InjectConfig struct {
	Rules     []InjectRule
	Decider   Decider
	Decided   []int
	Decided32 []int
	// Only narrows the rules to the calls it accepts, before they are
	// counted (strace's -P: calls that touch a path); nil accepts all.
	Only func(ev *event.Event) bool
}

func (c *InjectConfig) empty() bool {
	return c == nil || len(c.Rules) == 0 && (c.Decider == nil || len(c.Decided)+len(c.Decided32) == 0)
}

// callKey names a syscall of one personality.
type callKey uint32

const compatKey callKey = 1 << 31

func keyOf(nr int, compat bool) callKey {
	k := callKey(nr)
	if compat {
		k |= compatKey
	}
	return k
}

// ruleSet is the rules indexed by call, the last rule naming a call
// winning.
type ruleSet struct {
	byCall  map[callKey]*InjectRule
	decided map[callKey]bool
}

func newRuleSet(c *InjectConfig) *ruleSet {
	rs := &ruleSet{byCall: map[callKey]*InjectRule{}, decided: map[callKey]bool{}}
	for i := range c.Rules {
		r := &c.Rules[i]
		for _, nr := range r.Syscalls {
			rs.byCall[keyOf(nr, false)] = r
		}
		for _, nr := range r.Syscalls32 {
			rs.byCall[keyOf(nr, true)] = r
		}
	}
	if c.Decider != nil {
		for _, nr := range c.Decided {
			rs.decided[keyOf(nr, false)] = true
		}
		for _, nr := range c.Decided32 {
			rs.decided[keyOf(nr, true)] = true
		}
	}
	return rs
}

// calls lists the native and 32-bit numbers the filter must send to the
// tracer.
func (rs *ruleSet) calls() (native, compat []int) {
	seen := map[callKey]bool{}
	add := func(k callKey) {
		if seen[k] {
			return
		}
		seen[k] = true
		if k&compatKey != 0 {
			compat = append(compat, int(k&^compatKey))
		} else {
			native = append(native, int(k))
		}
	}
	for k := range rs.byCall {
		add(k)
	}
	for k := range rs.decided {
		add(k)
	}
	return native, compat
}

// counter is one thread's count of one syscall for its rule, strace's
// per-tcb copy of inject_opts: First counts down to the next injection,
// Last to the end.
type counter struct{ first, last uint16 }

// fires advances the count of a call and says whether the rule applies to
// it: strace's tamper_with_syscall_entering, line for line.
func (c *counter) fires(w When) bool {
	if c.first == 0 || c.last == 0 {
		return false
	}
	if c.last != InjectLastInf {
		c.last--
	}
	c.first--
	if c.first != 0 {
		return false
	}
	c.first = w.Step
	return true
}

// counts keeps every thread's counters.
type counts map[uint64]*counter

func (cs counts) fires(tid uint32, k callKey, w When) bool {
	key := uint64(tid)<<32 | uint64(k)
	c := cs[key]
	if c == nil {
		c = &counter{first: w.First, last: w.Last}
		cs[key] = c
	}
	return c.fires(w)
}

// debugInject says, with -d, which calls the seccomp filter sends to the
// tracer.
func (s *Session) debugInject() {
	if s.cfg.Inject == nil || s.cfg.Debug == nil {
		return
	}
	native, compat := newRuleSet(s.cfg.Inject).calls()
	s.debugf("fault injection: the seccomp filter stops %d native and %d 32-bit calls for the tracer, listener fd %d; %d rules, a script decides %d calls",
		len(native), len(compat), s.child.listener, len(s.cfg.Inject.Rules), len(s.cfg.Inject.Decided)+len(s.cfg.Inject.Decided32))
}
