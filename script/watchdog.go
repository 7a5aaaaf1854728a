package script

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// watchdog stops a runaway call: Interrupt (Ctrl-C), the time budget of
// Lua calls and the memory budget of all the scripts (budget.go), from
// other goroutines than the one running the hooks.
type watchdog struct {
	inCall   atomic.Bool
	callSeq  atomic.Uint64
	current  atomic.Pointer[stageCancel]
	stopWhy  atomic.Uint32 // a stopKind: why the call was cancelled
	mu       sync.Mutex
	watching bool          // the watchdog runs
	quit     chan struct{} // ends it
	mem      *memGuard     // the memory budget; nil when none or no watchdog
	done     bool

	timeout time.Duration         // of one Lua call
	limit   int64                 // the memory budget; 0: none
	message func(stopKind) string // why a call was stopped, for its error
}

// stageCancel cancels the call running in one stage.
type stageCancel struct {
	cancel func(reason string)
	timed  bool // the stage has a time budget (Lua)
}

// stop (the reason a call was cancelled) is kept until the failing call
// reports it: takeStop returns and clears it.
func (p *watchdog) takeStop() stopKind { return stopKind(p.stopWhy.Swap(0)) }

// cancelCall stops the call running now for reason k, or, between calls,
// the next one.
func (p *watchdog) cancelCall(k stopKind) {
	p.stopWhy.CompareAndSwap(0, uint32(k))
	if c := p.current.Load(); c != nil {
		c.cancel(p.message(k))
	}
}

// enter marks the start of a call of the stage behind c. A stop that came
// between calls (the memory budget) cancels it at once.
func (p *watchdog) enterCall(c *stageCancel) {
	p.current.Store(c)
	p.callSeq.Add(1)
	p.inCall.Store(true)
	if k := stopKind(p.stopWhy.Load()); k != notStopped {
		c.cancel(p.message(k))
	}
}

// startWatchdog starts the watchdog of the time and memory budgets, once.
// Only user scripts have it: stock scripts are trusted.
func (p *watchdog) startWatchdog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watching || p.done {
		return
	}
	p.watching = true
	p.quit = make(chan struct{})
	if p.limit > 0 {
		p.mem = newMemGuard(p.limit)
	}
	go p.watch(p.quit, p.mem)
}

// stopWatchdog ends the watchdog and gives back the soft memory limit.
func (p *watchdog) stopWatchdog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	if p.watching {
		close(p.quit)
		p.watching = false
		if p.mem != nil {
			p.mem.release()
		}
	}
}

func (p *watchdog) watch(quit chan struct{}, mem *memGuard) {
	t := time.NewTicker(watchTick)
	defer t.Stop()
	timeout := p.timeout
	var seq uint64
	var since time.Time
	for {
		select {
		case <-quit:
			return
		case now := <-t.C:
			if mem != nil && mem.over() {
				p.cancelCall(stopMemory)
			}
			if !p.inCall.Load() {
				seq = 0
				continue
			}
			c := p.current.Load()
			if c == nil || !c.timed {
				continue
			}
			if s := p.callSeq.Load(); s != seq {
				seq, since = s, now
			} else if now.Sub(since) >= timeout {
				p.cancelCall(stopTime)
				seq = 0
			}
		}
	}
}

// reserve checks an allocation of n bytes, made in one go by the guarded
// operation name, against the memory budget: the one check of both
// languages' guards (guard.go, luaguard.go). When it does not fit, the
// call stops with the budget's error.
func (p *watchdog) reserve(name string, n int64) error {
	if p.mem.reserve(n) {
		return nil
	}
	p.stopWhy.CompareAndSwap(0, uint32(stopMemory))
	return fmt.Errorf("%s: %s", name, p.message(stopMemory))
}
