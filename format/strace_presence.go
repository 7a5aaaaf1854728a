package format

// Present says thread tid is traced though none of its lines may show
// (filters hid them): strace prefixes lines with [pid N] while more than one
// process is traced, whether or not the others print anything. Its exit
// ends it as for a thread that printed.
func (x *StraceWriter) Present(tid uint32) { x.s.Present(tid) }

// Present: see StraceWriter.Present.
func (s *Strace) Present(tid uint32) { s.live[tid] = true }
