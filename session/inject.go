package session

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// InjectSet is one -e inject= or -e fault= expression, parsed: the
// syscall set (resolved against the source's table later, as trace= is),
// which calls, and the fault.
type InjectSet struct {
	Expr  string // as given
	Set   string
	When  engine.When
	Fault engine.Fault
}

// parseInject reads strace's SET:error=E|retval=N|signal=SIG|
// delay_enter=T|delay_exit=T|poke_enter=..|poke_exit=..|syscall=NAME|
// when=FIRST[..LAST][+STEP], tokens in any order (strace's
// parse_inject_token). fault= takes error= and when= (and syscall=) only,
// and fails with ENOSYS when no error is given.
func parseInject(e, val string, fault bool) (InjectSet, error) {
	s := InjectSet{Expr: e, When: engine.Every}
	bad := func(why string) error {
		q := "inject"
		if fault {
			q = "fault"
		}
		return usagef("parsing -e %s: invalid %s expression: %s", e, q, why)
	}
	toks := strings.Split(val, ":")
	s.Set = toks[0]
	if s.Set == "" {
		return s, bad("no syscall set")
	}
	var seen = map[string]bool{}
	var action bool
	for _, tok := range toks[1:] {
		key, v, ok := strings.Cut(tok, "=")
		if !ok || v == "" {
			return s, bad(fmt.Sprintf("%q is not KEY=VALUE", tok))
		}
		if seen[key] && key != "when" { // the last when= counts, as in strace
			return s, bad(key + "= given twice")
		}
		seen[key] = true
		if fault && key != "error" && key != "when" && key != "syscall" {
			return s, bad(key + "= is not a fault= token (error=, when=)")
		}
		switch key {
		case "when":
			w, err := parseWhen(v)
			if err != nil {
				return s, bad(err.Error())
			}
			s.When = w
		case "error":
			if seen["retval"] {
				return s, bad("error= and retval= are exclusive")
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				var ok bool
				if n, ok = syscalls.ErrnoByName(v); !ok {
					return s, bad(fmt.Sprintf("unknown error %q", v))
				}
			}
			if n < 1 || n > 4095 {
				return s, bad(fmt.Sprintf("error %s out of 1..4095", v))
			}
			s.Fault.Error, action = n, true
		case "retval":
			if seen["error"] {
				return s, bad("error= and retval= are exclusive")
			}
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil && strings.HasPrefix(v, "-") {
				// strtoull's wrap-around, as strace reads it
				var m int64
				m, err = strconv.ParseInt(v, 0, 64)
				n = uint64(m)
			}
			if err != nil {
				return s, bad(fmt.Sprintf("retval %q is not an unsigned number", v))
			}
			s.Fault.Retval, s.Fault.HasRetval, action = int64(n), true, true
		case "signal":
			n, ok := syscalls.SignalByName(v)
			if !ok {
				return s, bad(fmt.Sprintf("unknown signal %q", v))
			}
			s.Fault.Signal, action = n, true
		case "delay_enter":
			d, err := parseDelay(v)
			if err != nil {
				return s, bad(err.Error())
			}
			s.Fault.DelayEnter, action = d, true
		case "delay_exit":
			return s, usagef("parsing -e %s: delay_exit= is not supported: the tracer answers a call before it runs (seccomp), and cannot hold it after", e)
		case "poke_exit":
			return s, usagef("parsing -e %s: poke_exit= is not supported: the tracer answers a call before it runs (seccomp), and cannot stop it after", e)
		case "poke_enter":
			pokes, err := parsePokes(v)
			if err != nil {
				return s, bad(err.Error())
			}
			s.Fault.Pokes, action = pokes, true
		case "syscall":
			// strace runs this pure syscall in place of the injected one;
			// here the injected call does not run at all, which is the
			// same to the program.
			if !pureSyscalls[v] {
				return s, bad(fmt.Sprintf("syscall=%s: not a pure syscall (strace's TRACE_PURE)", v))
			}
		default:
			return s, bad(fmt.Sprintf("unknown token %q", tok))
		}
	}
	if !action {
		if !fault {
			return s, bad("no error=, retval=, signal=, delay_enter= or poke_enter=")
		}
		s.Fault.Error, _ = syscalls.ErrnoByName("ENOSYS")
	}
	if s.Fault.HasRetval {
		if r := s.Fault.Retval; r < 0 && r >= -4095 {
			// strace's check_inadvertent_fault_injection
			return s, usagef("parsing -e %s: retval=%d is an error; use error=%s", e, uint64(r), syscalls.ErrnoName(int(-r)))
		}
	}
	return s, nil
}

// pureSyscalls are strace's TRACE_PURE calls, the ones syscall= accepts.
var pureSyscalls = map[string]bool{
	"getpid": true, "getppid": true, "getuid": true, "geteuid": true, "getgid": true, "getegid": true,
	"gettid": true, "getpgrp": true, "getuid32": true, "geteuid32": true, "getgid32": true, "getegid32": true,
	"sched_yield": true, "getpagesize": true, "sync": true,
}

// parseWhen is strace's when=FIRST[..LAST][+[STEP]]: FIRST alone injects
// once, FIRST+ every call from FIRST, FIRST..LAST every call in between.
func parseWhen(v string) (engine.When, error) {
	var w engine.When
	num := func(s string) (uint16, error) {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil || n < 1 || n > 0xffff {
			return 0, fmt.Errorf("when=%s: %q is not a number in 1..65535", v, s)
		}
		return uint16(n), nil
	}
	rng, step, hasStep := strings.Cut(v, "+")
	first, last, hasLast := strings.Cut(rng, "..")
	var err error
	if w.First, err = num(first); err != nil {
		return w, err
	}
	w.Last = engine.InjectLastInf
	if hasLast {
		if w.Last, err = num(last); err != nil {
			return w, err
		}
		if w.Last < w.First || w.Last == engine.InjectLastInf {
			return w, fmt.Errorf("when=%s: LAST must be at least FIRST and below 65535", v)
		}
	}
	switch {
	case hasStep && step != "":
		if w.Step, err = num(step); err != nil {
			return w, err
		}
	case hasStep, hasLast:
		w.Step = 1
	default:
		w.Step = 0 // once
	}
	return w, nil
}

// parseDelay is strace's parse_ts: a number, microseconds unless it ends
// in s, ms, us or ns.
func parseDelay(v string) (time.Duration, error) {
	num := strings.TrimRight(v, "smun")
	unit := v[len(num):]
	scale := map[string]float64{"": 1e3, "s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if scale == 0 || err != nil || f < 0 || math.IsInf(f, 0) || f*scale > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a delay (a number of microseconds, or with s, ms, us, ns)", v)
	}
	return time.Duration(f * scale), nil
}

// injectConfig resolves the inject sets against the source's table.
func injectConfig(sets []InjectSet, tab *syscalls.Table) (*engine.InjectConfig, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	tabs := []*syscalls.Table{tab, tab.Compat()}
	c := &engine.InjectConfig{}
	for _, s := range sets {
		neg := strings.HasPrefix(s.Set, "!")
		picked, err := pickSyscalls(s.Expr, strings.TrimPrefix(s.Set, "!"), tabs)
		if err != nil {
			return nil, err
		}
		r := engine.InjectRule{When: s.When, Fault: s.Fault}
		for i, t := range tabs {
			var nrs []int
			for _, sc := range t.All() {
				if picked[i][sc.Nr] != neg {
					nrs = append(nrs, sc.Nr)
				}
			}
			if i == 0 {
				r.Syscalls = nrs
			} else {
				r.Syscalls32 = nrs
			}
		}
		c.Rules = append(c.Rules, r)
	}
	return c, nil
}

// injectConfig is the plan's fault injection, resolved: -e inject= and
// fault= sets, then the scripts' inject() declarations (a later set that
// names a call replaces an earlier one, as in strace), and the calls
// their on_inject decides. It refuses them where seccomp cannot apply.
func (p *Plan) injectConfig(tab *syscalls.Table, sel *Selection, pipes []*script.Pipeline) (*engine.InjectConfig, error) {
	sets := p.Filter.Inject
	nFilter := len(sets)
	var decider *scriptDecider
	var decided []string
	for _, pipe := range pipes {
		decls, err := pipe.Injects()
		if err != nil {
			return nil, err
		}
		for _, d := range decls {
			set := strings.Join(d.Syscalls, ",")
			if d.Fault == "" {
				decided = append(decided, set)
				if decider == nil {
					decider = &scriptDecider{pipe: pipe, cache: map[string]engine.Fault{}}
				}
				continue
			}
			is, err := parseInject(fmt.Sprintf("inject() in %s", d.Script), set+":"+d.Fault, false)
			if err != nil {
				return nil, err
			}
			sets = append(sets, is)
		}
	}
	if len(sets) == 0 && decider == nil {
		return nil, nil
	}
	if len(p.Command) == 0 {
		what := "a script's inject()"
		if len(p.Filter.Inject) > 0 {
			what = "-e " + p.Filter.Inject[0].Expr
		}
		return nil, usagef("%s: %v", what, engine.ErrInjectUnsupported)
	}
	c, err := injectConfig(sets, tab)
	if err != nil {
		return nil, err
	}
	// As strace does, -e inject= tampers with traced calls only (-e
	// trace=); a script's inject() names its calls itself.
	for i := 0; i < nFilter && c != nil; i++ {
		r := &c.Rules[i]
		r.Syscalls = sel.KeptSyscalls(r.Syscalls, false)
		r.Syscalls32 = sel.KeptSyscalls(r.Syscalls32, true)
	}
	if c != nil && sel.Paths() != nil {
		// -P: as strace, only the calls that touch the paths count and
		// get faults (their descriptors described from /proc).
		c.Only = sel.Touches
	}
	if c == nil {
		c = &engine.InjectConfig{}
	}
	if decider != nil {
		tabs := []*syscalls.Table{tab, tab.Compat()}
		picked, err := pickSyscalls("inject()", strings.Join(decided, ","), tabs)
		if err != nil {
			return nil, err
		}
		for nr := range picked[0] {
			c.Decided = append(c.Decided, nr)
		}
		for nr := range picked[1] {
			c.Decided32 = append(c.Decided32, nr)
		}
		c.Decider = decider
	}
	return c, nil
}

// scriptDecider asks the scripts' on_inject for a call's fault.
type scriptDecider struct {
	pipe  *script.Pipeline
	cache map[string]engine.Fault // parsed faults, by their tokens
}

func (d *scriptDecider) Decide(ev *event.Event) (engine.Fault, bool, error) {
	tokens, err := d.pipe.Inject(ev)
	if err != nil || tokens == "" {
		return engine.Fault{}, false, err
	}
	if f, ok := d.cache[tokens]; ok {
		return f, true, nil
	}
	for _, t := range strings.Split(tokens, ":") {
		if strings.HasPrefix(t, "when=") {
			return engine.Fault{}, false, fmt.Errorf("on_inject returned %q: when= belongs in inject(); on_inject decides each call", tokens)
		}
	}
	is, err := parseInject("on_inject", "on_inject:"+tokens, false)
	if err != nil {
		return engine.Fault{}, false, fmt.Errorf("on_inject returned %q: %w", tokens, err)
	}
	if len(d.cache) < 1024 {
		d.cache[tokens] = is.Fault
	}
	return is.Fault, true, nil
}

// parsePokes is strace's poke_enter=@argN=HEX[,@argM=HEX...]: N from 1 to
// 7, HEX an even number of hex digits, at most 2048.
func parsePokes(v string) ([]engine.Poke, error) {
	var pokes []engine.Poke
	for _, tok := range strings.Split(v, ",") {
		rest, ok := strings.CutPrefix(tok, "@arg")
		if !ok || len(rest) < 3 || rest[0] < '1' || rest[0] > '7' || rest[1] != '=' {
			return nil, fmt.Errorf("poke_enter: %q is not @argN=HEX (N from 1 to 7)", tok)
		}
		hex := rest[2:]
		if len(hex) == 0 || len(hex)%2 != 0 || len(hex) > 2048 {
			return nil, fmt.Errorf("poke_enter: %q: want an even number of hex digits, at most 2048", tok)
		}
		data := make([]byte, len(hex)/2)
		for i := range data {
			b, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("poke_enter: %q is not hex", hex)
			}
			data[i] = byte(b)
		}
		pokes = append(pokes, engine.Poke{Arg: int(rest[0] - '0'), Data: data})
	}
	return pokes, nil
}

// explainInject says, for --explain, what -e inject= does where.
func explainInject(b *strings.Builder, sets []InjectSet) {
	if len(sets) == 0 {
		return
	}
	var names []string
	for _, s := range sets {
		names = append(names, s.Set)
	}
	fmt.Fprintf(b, "Fault injection (-e inject=, fault=): a seccomp filter in the command sends %s (the traced ones) to the tracer, which counts and answers them; every other call stays on seccomp's fast path\n", strings.Join(names, ", "))
}
