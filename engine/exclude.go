package engine

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// excludeConst is config.exclude_tgid: the first pids of exclude.
func excludeConst(exclude []int) [len(bpf.TracerConfig{}.ExcludeTgid)]uint32 {
	var c [len(bpf.TracerConfig{}.ExcludeTgid)]uint32
	for i, pid := range exclude {
		if i == len(c) {
			break
		}
		c[i] = uint32(pid)
	}
	return c
}

// OutputReaders returns the processes other than this one that hold the
// read end of the pipe f writes to (the cat of "strace.ebpf | cat"), found
// through /proc/*/fd: a system-wide trace leaves them out (Config.Exclude),
// or their reads of the trace would fill it. None when f is not a pipe.
func OutputReaders(f *os.File) []int {
	var st syscall.Stat_t
	if f == nil || syscall.Fstat(int(f.Fd()), &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil
	}
	target := "pipe:[" + strconv.FormatUint(st.Ino, 10) + "]"
	procs, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	var pids []int
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || pid == self {
			continue
		}
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if l, err := os.Readlink(dir + "/fd/" + fd.Name()); err != nil || l != target {
				continue
			}
			if readEnd(dir + "/fdinfo/" + fd.Name()) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// readEnd says whether the fd described by fdinfo file path was opened
// for reading only: both ends of a pipe have the same inode.
func readEnd(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return err == nil && flags&syscall.O_ACCMODE == syscall.O_RDONLY
		}
	}
	return false
}
