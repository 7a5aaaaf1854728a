package script

// Budgets: what stops a runaway script before it harms the tracer or the
// host. Starlark calls count steps (the interpreter stops them itself); Lua
// calls have a time budget; all the scripts of a pipeline together have a
// memory budget. One watchdog goroutine per pipeline enforces the last two:
// every tick it looks at the call running now and at the Go heap, and
// cancels the call (starlark.Thread.Cancel, the Lua state's context) when
// it is over. Allocations that would overshoot in one go (a huge repeat,
// list(range(n))) are refused before they happen (guard.go).

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// DefaultMemoryLimit is the most the default memory budget of all the
// scripts of a pipeline together can be; it is less when the tracer has
// less room (memroom.go).
const DefaultMemoryLimit = 1 << 30

// watchTick is the period of the watchdog.
const watchTick = 10 * time.Millisecond

// bigAlloc is the size from which an allocation made in one go is checked
// against the memory budget first.
const bigAlloc = 1 << 20

func (p *Pipeline) callTimeout() time.Duration {
	if p.opts.CallTimeout > 0 {
		return p.opts.CallTimeout
	}
	return DefaultCallTimeout
}

// memoryLimit is the memory budget in bytes; 0 means none.
func (p *Pipeline) memoryLimit() int64 {
	switch {
	case p.opts.MemoryLimit < 0:
		return 0
	case p.opts.MemoryLimit == 0:
		if p.memDefault > 0 {
			return p.memDefault
		}
		return DefaultMemoryLimit
	}
	return p.opts.MemoryLimit
}

// memGuard measures the scripts' memory as the growth of the Go heap since
// the guard started: cheap to read (runtime/metrics, no stop of the world),
// and it counts everything the interpreters hold.
type memGuard struct {
	limit int64
	base  int64 // live heap when the guard started

	mu      sync.Mutex
	samples []metrics.Sample
}

const (
	heapObjects = "/memory/classes/heap/objects:bytes" // live and not yet swept
	heapLive    = "/gc/heap/live:bytes"                // live at the last GC
	totalMemory = "/memory/classes/total:bytes"        // all the runtime maps
)

func newMemGuard(limit int64) *memGuard {
	g := &memGuard{limit: limit, samples: []metrics.Sample{{Name: heapObjects}, {Name: heapLive}, {Name: totalMemory}}}
	// One collection, so that the base is what the tracer holds, not its
	// garbage: it happens once, when the first user script loads.
	runtime.GC()
	_, live, total := g.read()
	g.base = live
	softLimit.acquire(total + limit)
	return g
}

func (g *memGuard) release() { softLimit.release() }

// read returns heap objects, live heap and total runtime memory, in bytes.
func (g *memGuard) read() (objects, live, total int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	metrics.Read(g.samples)
	get := func(i int) int64 {
		if g.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		v := g.samples[i].Value.Uint64()
		if v > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(v)
	}
	return get(0), get(1), get(2)
}

// over says whether the scripts hold more than the budget: the heap live
// at the last collection is over it, or the heap, garbage included, is a
// quarter over (the soft limit keeps garbage down near the budget, and a
// string doubling in one step is caught while it is copied, before the
// next doubling).
func (g *memGuard) over() bool {
	objects, live, _ := g.read()
	return live-g.base > g.limit || objects-g.base > g.limit+g.limit/4
}

// reserve says whether n more bytes, allocated in one go, stay within the
// budget; when they seem not to, a collection tells garbage from what the
// scripts hold before it answers no.
func (g *memGuard) reserve(n int64) bool {
	if g == nil || n < bigAlloc {
		return true
	}
	if n > g.limit {
		return false
	}
	objects, _, _ := g.read()
	if objects-g.base+n <= g.limit {
		return true
	}
	runtime.GC()
	_, live, _ := g.read()
	return live-g.base+n <= g.limit
}

// softLimit is the Go runtime's soft memory limit (debug.SetMemoryLimit)
// while pipelines with a memory budget run: near the budget the collector
// works harder, so garbage does not count against the scripts. A lower
// limit set by the user (GOMEMLIMIT) is kept, and the last pipeline to
// stop puts the old limit back.
var softLimit softMemoryLimit

type softMemoryLimit struct {
	sync.Mutex
	users int
	saved int64 // the limit before the first user
	set   int64 // the limit set now
}

func (s *softMemoryLimit) acquire(want int64) {
	s.Lock()
	defer s.Unlock()
	if s.users == 0 {
		s.saved = debug.SetMemoryLimit(-1)
		s.set = 0
	}
	s.users++
	if want > s.set && want < s.saved {
		s.set = want
		debug.SetMemoryLimit(want)
	}
}

func (s *softMemoryLimit) release() {
	s.Lock()
	defer s.Unlock()
	s.users--
	if s.users == 0 {
		debug.SetMemoryLimit(s.saved)
	}
}
