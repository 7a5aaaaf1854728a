package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// --decode-pids=container: the process prefix names the container (or
// unit) of a trace by cgroup, "[pid  1234<web>] ", as strace's
// --decode-pids=comm names the command; a plain --cgroup's processes show
// their cgroup's id.

// noteContainer remembers what the prefix shows for ev's thread.
func (s *Strace) noteContainer(ev *event.Event) {
	if s.containers == nil {
		s.containers = map[uint32]string{}
	}
	switch {
	case ev.Container != "":
		s.containers[ev.TID] = ev.Container
	case ev.Cgroup != 0:
		s.containers[ev.TID] = "cgroup " + strconv.FormatUint(ev.Cgroup, 10)
	}
}

// appendContainer appends "<NAME>" for thread tid, when known.
func (s *Strace) appendContainer(dst []byte, tid uint32) []byte {
	if c := s.containers[tid]; c != "" {
		dst = append(dst, '<')
		dst = append(dst, c...)
		dst = append(dst, '>')
	}
	return dst
}
