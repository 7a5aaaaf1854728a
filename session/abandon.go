package session

import "time"

// abandonGrace is how long the outputs may still take, after a second
// Ctrl-C, to take what the tracer writes: then a write blocked on a reader
// that went away or never reads (-o a FIFO) fails, and the tracer ends.
const abandonGrace = time.Second

// abandonOutputs bounds the writes to the outputs after a second Ctrl-C.
// Only outputs that can wait (FIFOs, pipes) take a deadline; a regular
// file's writes never block for long.
func (s *Session) abandonOutputs() {
	for _, f := range s.outs {
		f.SetWriteDeadline(time.Now().Add(abandonGrace))
	}
}
