package script

// ticker is when on_tick runs: every interval of trace time, and while no
// event comes, of the monotonic clock since Start.
type ticker struct {
	ticking   bool   // some stage has on_tick
	nextTick  uint64 // trace time of the next on_tick, ns
	interval  uint64
	startMono uint64 // monotonic clock at Start, for ticks while idle
}

// tickTo runs on_tick for every interval that ended by trace time now.
func (p *Pipeline) tickTo(now uint64) error {
	for now >= p.nextTick {
		p.nextTick += p.interval
		if err := p.runHook(hookTick, nil); err != nil {
			return err
		}
		if now-p.nextTick > 100*p.interval {
			// A long gap (a replay, a stalled system): one tick for it.
			p.nextTick = now - now%p.interval + p.interval
		}
	}
	return nil
}
