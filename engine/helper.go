package engine

import (
	"errors"
	"os"
	"sync/atomic"
)

// The engine's helpers are copies of the running executable, started with
// an environment variable that names their role: the launcher of a traced
// command (launch.go), which waits until the kernel filter is armed for its
// pid and then execs the command, the keeper of a lossless session's
// cgroup (freeze.go), and the keeper's guard, which thaws that cgroup when
// the keeper is gone (guard.go). A program that uses the engine runs them first thing
// in main, and a test binary in TestMain: RunHelper. The engine refuses to
// start a helper from a program that never called it, which would run the
// program itself (its tests, say) in the helper's place.

// Role is what a process was started as.
type Role uint8

const (
	NotHelper Role = iota // the program itself
	Launcher              // the launcher of a traced command
	Keeper                // the keeper of a lossless session's cgroup
	Guard                 // the guard that thaws that cgroup when the keeper is gone
)

// HelperRole is what this process was started as.
func HelperRole() Role {
	switch {
	case os.Getenv(childEnv) == "1":
		return Launcher
	case os.Getenv(keeperEnv) != "":
		return Keeper
	case os.Getenv(guardEnv) != "":
		return Guard
	}
	return NotHelper
}

// dispatched says the program runs its helpers (RunHelper was called).
var dispatched atomic.Bool

// RunHelper runs this process as the helper it was started as, and
// returns only when it was started as none.
func RunHelper() {
	dispatched.Store(true)
	switch HelperRole() {
	case Launcher:
		RunLauncher()
	case Keeper:
		RunKeeper()
	case Guard:
		RunGuard()
	}
}

// RunGuard is the guard of the cgroup its environment names (guard.go): it
// exits once the keeper is gone and the cgroup undone.
func RunGuard() {
	runGuard(os.Getenv(guardEnv))
	os.Exit(0)
}

// RunLauncher is the launcher: it waits for the go signal on fd 3, then
// execs the command. It never returns.
func RunLauncher() { runChild() }

// RunKeeper is the keeper of the cgroup its environment names; it exits
// when the tracer releases it.
func RunKeeper() {
	runKeeper(os.Getenv(keeperEnv), os.Getenv(keeperMarksEnv))
	os.Exit(0)
}

// errNoHelpers refuses to start a helper from a program that does not run
// them.
var errNoHelpers = errors.New("this program does not run the engine's helpers (engine.RunHelper, first in main or TestMain)")
