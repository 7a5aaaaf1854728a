package script

// Loading a script is bounded as running it is: 100 MB of Starlark peaked
// at 2.8 GB before the memory budget could stop it, and a 1 MB Lua file
// took 91 s to compile. Each script file (a -s script, a load()ed or
// require()d module) may be MaxScriptSize at most; compiling it counts
// against the time budget of a call and the memory budget of the scripts;
// and a Lua function with so many constants that gopher-lua's compiler,
// whose constant lookup is a linear search, would take seconds is refused
// before it compiles (luaconsts.go).

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// MaxScriptSize is the size a script file may have.
const MaxScriptSize = 1 << 20

// errTooBig is the error of a script file over MaxScriptSize.
func errTooBig(size int64) error {
	return fmt.Errorf("%d bytes, more than a script file may have (%s)", size, byteSize(MaxScriptSize))
}

// readScript reads a script file, refusing one over MaxScriptSize before
// reading it all.
func readScript(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxScriptSize {
		return nil, errTooBig(st.Size())
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxScriptSize+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(b) > MaxScriptSize {
		return nil, errTooBig(int64(len(b)))
	}
	return b, nil
}

// compileBudgetError is a compilation stopped by a budget.
type compileBudgetError struct{ msg string }

func (e *compileBudgetError) Error() string { return e.msg }
func (e *compileBudgetError) Unwrap() error { return ErrBudget }

// loadError is the error of a script that could not load: a budget's or
// the constants' as "loading script NAME: ...", others as compile errors.
func loadError(name string, err error, compileMsg func(error) string) error {
	var be *compileBudgetError
	var ce *constError
	if errors.As(err, &be) || errors.As(err, &ce) {
		return fmt.Errorf("loading script %s: %w", name, err)
	}
	return fmt.Errorf("compiling script: %s", compileMsg(err))
}

// compileWithin runs compile, which cannot be interrupted, under the
// budgets: when it takes longer than a call may, or the scripts' memory
// goes over the budget meanwhile, loading fails at once (the compiler
// finishes on its own in the background; the bounds on the size and on
// Lua's constants keep that short). compile must not touch the pipeline.
func (p *Pipeline) compileWithin(compile func() error) error {
	done := make(chan error, 1)
	go func() { done <- compile() }()
	timeout := time.NewTimer(p.callTimeout())
	defer timeout.Stop()
	tick := time.NewTicker(watchTick)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-timeout.C:
			return &compileBudgetError{fmt.Sprintf("time budget exceeded: compiling took longer than %s", p.callTimeout())}
		case <-tick.C:
			if m := p.watchdog.memGuardNow(); m != nil && m.over() {
				return &compileBudgetError{"compiling: " + p.stopMessage(stopMemory)}
			}
		}
	}
}

// memGuardNow is the memory guard, when the watchdog has one.
func (w *watchdog) memGuardNow() *memGuard {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.mem
}
