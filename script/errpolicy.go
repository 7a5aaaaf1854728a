package script

// What a script's runtime error stops: the trace (the default), the script
// alone, or the event it failed on. Whatever stops, every script's on_exit
// still runs at the end (Finish), so the aggregates gathered so far are
// printed; only an on_exit that failed is not run again.

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorPolicy is what a script's runtime error stops.
type ErrorPolicy uint8

const (
	// StopTrace: the error ends the trace (Event, Start or Idle returns
	// it); the caller finishes the outputs, and Finish runs every
	// on_exit.
	StopTrace ErrorPolicy = iota
	// StopScript: the failing script is taken out of the pipeline (it
	// passes on every event its trace() declaration keeps, its hooks no
	// longer run but on_exit at the end) and the trace goes on.
	StopScript
	// SkipEvent: the failing call is given up: the event it saw goes no
	// further (a failing on_tick or on_exec is skipped), and the script
	// sees the next one.
	SkipEvent
)

// ErrorPolicies are the policies' names, as --script-errors takes them.
var ErrorPolicies = []string{"stop-trace", "stop-script", "skip-event"}

func (e ErrorPolicy) String() string { return ErrorPolicies[e] }

// ParseErrorPolicy reads a policy's name.
func ParseErrorPolicy(s string) (ErrorPolicy, error) {
	for i, n := range ErrorPolicies {
		if s == n {
			return ErrorPolicy(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not one of %s", s, strings.Join(ErrorPolicies, ", "))
}

// stageFailures is what went wrong in one stage.
type stageFailures struct {
	stopped bool   // StopScript: the stage is out of the pipeline
	skipped uint64 // SkipEvent: calls given up
	exitErr bool   // its on_exit failed (it is not run again)
}

// failed decides what the error err of stage st's hook h stops. It reports
// whether the pipeline goes on (the error was a script's, and the policy
// keeps the trace running); when it does not, the caller returns err.
func (p *Pipeline) failed(st stage, h hook, err error) bool {
	var se *Error
	if !errors.As(err, &se) {
		return false // not the script's: the output, say
	}
	in := st.info()
	if h == hookExit {
		in.fail.exitErr = true
	}
	switch p.opts.OnError {
	case StopScript:
		if h == hookExit {
			return false
		}
		in.fail.stopped = true
		p.warn(fmt.Sprintf("%s stopped (--script-errors=stop-script), the trace goes on without it: %s", in.name, se.Summary()))
		return true
	case SkipEvent:
		if h == hookExit {
			return false
		}
		in.fail.skipped++
		if in.fail.skipped == 1 {
			p.warn(fmt.Sprintf("%s: skipping the calls that fail (--script-errors=skip-event), the first: %s", in.name, se.Summary()))
		}
		return true
	}
	return false
}

// warn says what an error stopped, through Options.Warn.
func (p *Pipeline) warn(msg string) {
	if p.opts.Warn != nil {
		p.opts.Warn(msg)
	}
}

// finishNotes says, at the end, how many calls each script gave up.
func (p *Pipeline) finishNotes() {
	for _, st := range p.stages {
		in := st.info()
		if n := in.fail.skipped; n > 0 {
			p.warn(fmt.Sprintf("%s: %d %s failed and %s skipped", in.name, n, plural(n, "call", "calls"), plural(n, "was", "were")))
		}
	}
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
