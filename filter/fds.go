package filter

// -e trace-fds=SET: the calls that operate on these descriptors, by
// strace's rules (its pathtrace.c): the descriptor arguments of each
// %desc, %file and %network call, the fds in poll's and select's sets.

import (
	"encoding/binary"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// fdArgsByName are strace's special cases: the positions of the
// descriptor arguments of calls whose first argument is not the only one,
// or not one ("fd, path" calls have theirs first; none for the calls that
// only return a descriptor, or take paths only).
var fdArgsByName = map[string][]int{
	// fd, fd
	"dup2": {0, 1}, "dup3": {0, 1}, "kexec_file_load": {0, 1}, "sendfile": {0, 1}, "sendfile64": {0, 1}, "tee": {0, 1},
	// fd, path, fd, path
	"linkat": {0, 2}, "move_mount": {0, 2}, "renameat": {0, 2}, "renameat2": {0, 2},
	// fd, x, fd
	"copy_file_range": {0, 2}, "splice": {0, 2},
	// x, fd, path
	"symlinkat": {1},
	// x, x, fd
	"epoll_ctl": {2},
	// addr, len, prot, flags, fd
	"mmap": {4}, "mmap2": {4},
	// fd, flags, mask, dirfd, path (64-bit mask: one argument)
	"fanotify_mark": {3},
	// paths only
	"link": nil, "mount": nil, "pivot_root": nil, "quotactl": nil, "symlink": nil,
	// no descriptor argument: they return one
	"bpf": nil, "epoll_create": nil, "epoll_create1": nil, "eventfd": nil, "eventfd2": nil,
	"fanotify_init": nil, "fsopen": nil, "inotify_init": nil, "inotify_init1": nil,
	"io_uring_setup": nil, "landlock_create_ruleset": nil, "memfd_create": nil,
	"memfd_secret": nil, "mq_open": nil, "perf_event_open": nil, "pidfd_open": nil,
	"pipe": nil, "pipe2": nil, "socket": nil, "socketpair": nil, "timerfd_create": nil,
	"userfaultfd": nil,
	// the descriptors are in memory: pollSets and selectSets
	"poll": nil, "ppoll": nil, "ppoll_time64": nil,
	"select": nil, "_newselect": nil, "pselect6": nil, "pselect6_time64": nil,
	// fsconfig's fourth argument is a descriptor for some commands only (fsconfigFd)
	"fsconfig": nil,
}

// compatFdArgs are the 32-bit calls whose arguments differ: i386's old
// mmap and select take a struct of arguments (not read here), its
// fanotify_mark splits the mask in two, socketcall and ipc multiplex.
var compatFdArgs = map[string][]int{
	"mmap": nil, "select": nil, "fanotify_mark": {4}, "socketcall": nil, "ipc": nil,
}

// FdArgs are the positions of the arguments of sc that strace's
// trace-fds= matches (compat: a call made in 32-bit mode).
func FdArgs(sc *syscalls.Syscall, compat bool) []int {
	if sc.Classes&(syscalls.File|syscalls.Desc|syscalls.Network) == 0 {
		return nil
	}
	if compat {
		if a, ok := compatFdArgs[sc.Name]; ok {
			return a
		}
	}
	if a, ok := fdArgsByName[sc.Name]; ok {
		return a
	}
	for i, a := range sc.Args {
		if i < 6 && a.Kind == syscalls.Dirfd {
			return []int{i} // fd, path: openat, statx, execveat ...
		}
	}
	if sc.Classes&syscalls.File != 0 {
		return nil // a path first
	}
	if len(sc.Args) == 0 {
		return nil
	}
	return []int{0}
}

// OperatesOnFds says a call can match trace-fds=: it has a descriptor
// argument, or descriptors in poll's or select's sets, or fsconfig's.
func OperatesOnFds(sc *syscalls.Syscall, compat bool) bool {
	if sc.Classes&(syscalls.File|syscalls.Desc|syscalls.Network) == 0 {
		return false
	}
	if len(FdArgs(sc, compat)) > 0 {
		return true
	}
	switch sc.Name {
	case "poll", "ppoll", "ppoll_time64", "_newselect", "pselect6", "pselect6_time64", "fsconfig":
		return true
	case "select":
		return !compat
	}
	return false
}

// SetFds keeps only the calls that operate on the descriptors in fds
// (trace-fds=; -1 stands for every descriptor not named), or with -P
// that touch its paths; nil keeps all.
func (f *Filter) SetFds(tab *syscalls.Table, fds map[int]bool) {
	f.fds, f.tab = fds, tab
}

// Fds is the trace-fds= set; nil: none given.
func (f *Filter) Fds() map[int]bool { return f.fds }

// wantFd says fd is in the trace-fds= set.
func (f *Filter) wantFd(fd int64) bool {
	if fd < 0 {
		return false
	}
	if v, ok := f.fds[int(fd)]; ok {
		return v
	}
	return f.fds[-1]
}

// touchesFds says ev operates on one of the trace-fds= descriptors.
func (f *Filter) touchesFds(ev *event.Event) bool {
	compat := ev.Flags&event.Compat != 0
	sc := f.tab.Personality(compat).ByNr(int(ev.Nr))
	if sc == nil {
		return false
	}
	for _, i := range FdArgs(sc, compat) {
		if f.wantFd(int64(int32(ev.Args[i]))) {
			return true
		}
	}
	switch sc.Name {
	case "poll", "ppoll", "ppoll_time64":
		return f.pollFds(ev)
	case "select", "_newselect", "pselect6", "pselect6_time64":
		return !(compat && sc.Name == "select") && f.selectFds(ev)
	case "fsconfig":
		// FSCONFIG_SET_PATH, _SET_PATH_EMPTY, _SET_FD: the fifth argument.
		switch ev.Args[1] {
		case 3, 4, 5:
			return f.wantFd(int64(int32(ev.Args[4])))
		}
	}
	return false
}

// enterData is the captured input of argument arg.
func enterData(ev *event.Event, arg int) ([]byte, bool) {
	for i := range ev.Data {
		if d := &ev.Data[i]; int(d.Arg) == arg && d.Kind == event.BufIn {
			return d.Bytes, true
		}
	}
	return nil, false
}

// pollFds matches the fds of poll's array, as captured at enter.
func (f *Filter) pollFds(ev *event.Event) bool {
	b, _ := enterData(ev, 0)
	n := int(uint32(ev.Args[1]))
	for i := 0; i < n && len(b) >= 8*(i+1); i++ {
		if f.wantFd(int64(int32(binary.LittleEndian.Uint32(b[8*i:])))) {
			return true
		}
	}
	return false
}

// selectFds matches the fds of select's three sets, captured at enter one
// after the other (the NULL ones left out), each of nfds bits rounded up
// to whole longs.
func (f *Filter) selectFds(ev *event.Event) bool {
	b, _ := enterData(ev, 1)
	nfds := int(int32(ev.Args[0]))
	if nfds <= 0 {
		return false
	}
	// As the kernel side captures them (format's fdsetSize): whole
	// 64-bit words, at most 128 bytes of each.
	size := min((nfds+63)/64*8, 128)
	nfds = min(nfds, size*8)
	for j := 1; j <= 3; j++ {
		if ev.Args[j] == 0 {
			continue
		}
		if len(b) < size {
			return false
		}
		set := b[:size]
		b = b[size:]
		for fd := 0; fd < nfds; fd++ {
			if set[fd/8]&(1<<(fd%8)) != 0 && f.wantFd(int64(fd)) {
				return true
			}
		}
	}
	return false
}
