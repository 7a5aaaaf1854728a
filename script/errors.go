package script

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"go.starlark.net/starlark"
)

// ErrBudget is what errors.Is finds in the error of a script call stopped
// by one of its budgets (steps, time, memory).
var ErrBudget = errors.New("script budget exceeded")

// ErrInterrupted is what errors.Is finds in the error of a script call
// stopped by Interrupt (Ctrl-C).
var ErrInterrupted = errors.New("script interrupted")

// Error is the failure of a script while it runs: its top-level code or a
// hook raised an error, returned a wrong value, or was stopped by a budget.
// Every error of Start, Event, Idle and Finish that comes from a script is
// an *Error: the caller stops tracing and reports it, but need not stop
// the traced program.
type Error struct {
	Script string // the script (stage) as given: file name, or stdlib/NAME
	File   string // the file of the innermost script frame; "" when unknown
	Line   int    // its line, 0 when unknown
	Col    int    // its column, 0 when unknown (Lua gives none)
	Func   string // the function running there, "" when unknown
	Msg    string // what went wrong, one line

	// Budget names the budget that stopped the call, "steps", "time" or
	// "memory", and is "" for other errors.
	Budget string
	// Traceback is the call stack, innermost last, at most
	// 2*tracebackEnds frames with a line saying how many were left out;
	// "" for budget stops and one-frame errors.
	Traceback string

	err error // ErrBudget, ErrInterrupted or nil
}

// Error is one line, "running script NAME: FILE:LINE:COL: in FUNC: MSG",
// then the traceback, if any, on the lines after it.
func (e *Error) Error() string {
	if e.Traceback == "" {
		return e.Summary()
	}
	return e.Summary() + "\n" + e.Traceback
}

// Summary is the first line of Error: the script, where it failed and why.
func (e *Error) Summary() string {
	return "running script " + e.Script + ": " + e.located()
}

// located is "FILE:LINE:COL: in FUNC: MSG", as much as is known.
func (e *Error) located() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Col > 0 {
				fmt.Fprintf(&b, ":%d", e.Col)
			}
		}
		b.WriteString(": ")
		if e.Func != "" {
			fmt.Fprintf(&b, "in %s: ", e.Func)
		}
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap gives ErrBudget for budget stops, ErrInterrupted for interrupts.
func (e *Error) Unwrap() error { return e.err }

// tracebackEnds is how many frames a traceback keeps at each end.
const tracebackEnds = 5

// stopKind says why a call was cancelled.
type stopKind uint32

const (
	notStopped stopKind = iota
	stopSteps
	stopTime
	stopMemory
	stopInterrupt
)

// budget is the budget's name in Error.Budget; "" for an interrupt.
func (k stopKind) budget() string {
	switch k {
	case stopSteps:
		return "steps"
	case stopTime:
		return "time"
	case stopMemory:
		return "memory"
	}
	return ""
}

// stopMessage is the message of a call stopped for reason k.
func (p *Pipeline) stopMessage(k stopKind) string {
	switch k {
	case stopSteps:
		return fmt.Sprintf("step budget exceeded: too many steps (more than %d in one call)", p.opts.MaxSteps)
	case stopTime:
		return fmt.Sprintf("time budget exceeded: call took longer than %s", p.callTimeout())
	case stopMemory:
		if p.opts.MemoryLimit == 0 && p.memWhy != "" {
			return fmt.Sprintf("memory budget exceeded: scripts hold more than %s (%s; --script-memory sets it)", byteSize(p.memoryLimit()), p.memWhy)
		}
		return fmt.Sprintf("memory budget exceeded: scripts hold more than %s", byteSize(p.memoryLimit()))
	case stopInterrupt:
		return "interrupted"
	}
	return "cancelled"
}

// stopError fills in the budget fields of e for a call stopped by k.
func (p *Pipeline) stopError(e *Error, k stopKind) *Error {
	e.Msg = p.stopMessage(k)
	e.Budget = k.budget()
	e.Traceback = ""
	if k == stopInterrupt {
		e.err = ErrInterrupted
	} else {
		e.err = ErrBudget
	}
	return e
}

// byteSize renders n bytes for messages: "1 GiB", "64 MiB", "1000 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// starError makes the *Error of a Starlark failure in stage script, a
// budget's when a budget stopped the call.
func (p *Pipeline) starError(script string, err error) *Error {
	e := starFailure(script, err)
	if k := p.takeStop(); k != notStopped {
		return p.stopError(e, k)
	}
	return e
}

// starFailure makes the *Error of a Starlark failure.
func starFailure(script string, err error) *Error {
	e := &Error{Script: script, Msg: err.Error()}
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		e.Msg = ee.Msg
		stack := ee.CallStack
		// The innermost frame of the script: builtins (and the guards,
		// which stand for operators) are not where it failed.
		n := len(stack)
		for n > 0 && stack[n-1].Pos.Filename() == "<builtin>" {
			n--
		}
		suffix := ""
		if n < len(stack) && !guardNames[stack[len(stack)-1].Name] {
			suffix = " in " + stack[len(stack)-1].Name
		}
		if n > 0 {
			top := stack[n-1]
			e.File, e.Line, e.Col, e.Func = top.Pos.Filename(), int(top.Pos.Line), int(top.Pos.Col), top.Name
		}
		if n > 1 {
			lines := make([]string, 0, n)
			for _, fr := range stack[:n] {
				if fr.Pos.Filename() == "<builtin>" && guardNames[fr.Name] {
					continue // an operator, not a call
				}
				lines = append(lines, fmt.Sprintf("  %s: in %s", fr.Pos, fr.Name))
			}
			e.Traceback = "Traceback (most recent call last):\n" + capLines(lines, "frames") +
				fmt.Sprintf("\nError%s: %s", suffix, ee.Msg)
		}
	}
	return e
}

// capLines joins lines, leaving out all but tracebackEnds at each end.
func capLines(lines []string, what string) string {
	if len(lines) > 2*tracebackEnds+1 {
		omitted := len(lines) - 2*tracebackEnds
		kept := append([]string{}, lines[:tracebackEnds]...)
		kept = append(kept, fmt.Sprintf("  ... %d %s omitted", omitted, what))
		lines = append(kept, lines[len(lines)-tracebackEnds:]...)
	}
	return strings.Join(lines, "\n")
}

// luaWhere is the "file:line: " gopher-lua puts in front of messages.
var luaWhere = regexp.MustCompile(`^([^:\n]+):(\d+): `)

// luaErr makes the *Error of a Lua failure in stage script.
func (p *Pipeline) luaErr(script string, err error) *Error {
	e := &Error{Script: script, Msg: err.Error()}
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		e.Msg = ae.Object.String()
		if ae.Cause != nil && ae.Type == lua.ApiErrorSyntax {
			e.Msg = ae.Cause.Error()
		}
		if m := luaWhere.FindStringSubmatch(e.Msg); m != nil {
			e.File = m[1]
			e.Line, _ = strconv.Atoi(m[2])
			e.Msg = e.Msg[len(m[0]):]
		}
		if tb := strings.TrimSpace(ae.StackTrace); tb != "" {
			head, rest, _ := strings.Cut(tb, "\n")
			var lines []string
			for _, l := range strings.Split(rest, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, "  "+l)
				}
			}
			if len(lines) > 1 {
				e.Traceback = head + "\n" + capLines(lines, "levels")
			}
		}
	}
	e.Msg = firstLine(e.Msg)
	if k := p.takeStop(); k != notStopped {
		return p.stopError(e, k)
	}
	return e
}
