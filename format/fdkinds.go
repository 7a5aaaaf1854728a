package format

// strace's --decode-fds=SET: which kinds of descriptor strace describes,
// each a switch of its own (path, socket, dev, pidfd), rather than -y's
// and -yy's levels.

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
)

// FdKinds is a set of strace's --decode-fds keywords.
type FdKinds uint8

const (
	FdPath   FdKinds = 1 << iota // every descriptor's path: 3</etc/passwd>, 3<socket:[N]>
	FdSocket                     // sockets' protocols and addresses: 3<TCP:[127.0.0.1:80->...]>
	FdDev                        // devices' numbers: 3</dev/null<char 1:3>>
	FdPidfd                      // the process of a pidfd: 3<pid:1234>

	// FdAll is strace 6.1's all (-yy): path, socket, dev and pidfd.
	FdAll = FdPath | FdSocket | FdDev | FdPidfd
)

// fdKindNames are the keywords, in the order of the constants.
var fdKindNames = []string{"path", "socket", "dev", "pidfd"}

// FdKindsOfLevel is -y (1: path) and -yy (2: all).
func FdKindsOfLevel(level int) FdKinds {
	switch {
	case level >= 2:
		return FdAll
	case level == 1:
		return FdPath
	}
	return 0
}

// ParseFdKinds reads strace's --decode-fds value: keywords separated by
// commas, all, none, and a leading ! for all but those.
func ParseFdKinds(v string) (FdKinds, error) {
	neg := strings.HasPrefix(v, "!")
	v = strings.TrimPrefix(v, "!")
	if v == "" {
		return 0, fmt.Errorf("empty set")
	}
	var k FdKinds
	for _, w := range strings.Split(v, ",") {
		switch w {
		case "all":
			k |= FdAll
		case "none":
		case "eventfd", "signalfd":
			// strace 6.1 has neither; newer strace reads the counter or
			// the mask from /proc at the call, which a kernel-side
			// description does not hold.
			return 0, fmt.Errorf("%s is not supported: an eventfd's counter and a signalfd's mask are not captured (strace 6.1 has neither; -y shows anon_inode:[%s])", w, w)
		default:
			i := indexOf(fdKindNames, w)
			if i < 0 {
				return 0, fmt.Errorf("unknown keyword %q%s (%s, all, none)", w, suggest.Hint(w, fdKindNames), strings.Join(fdKindNames, ", "))
			}
			k |= 1 << i
		}
	}
	if neg {
		k = FdAll &^ k
	}
	return k, nil
}

func indexOf(list []string, w string) int {
	for i, x := range list {
		if x == w {
			return i
		}
	}
	return -1
}

// String is the keywords of k, comma-separated ("none" for no kinds).
func (k FdKinds) String() string {
	var words []string
	for i, n := range fdKindNames {
		if k&(1<<i) != 0 {
			words = append(words, n)
		}
	}
	if len(words) == 0 {
		return "none"
	}
	return strings.Join(words, ",")
}

// Level is the -y count k needs shown: 2 when more than paths.
func (k FdKinds) Level() int {
	switch {
	case k&^FdPath != 0:
		return 2
	case k != 0:
		return 1
	}
	return 0
}

// fdKinds is the set of kinds the options show.
func (o *StraceOptions) fdKinds() FdKinds {
	if o.FdKinds != 0 {
		return o.FdKinds
	}
	switch {
	case o.DecodeSockets:
		return FdAll
	case o.DecodeFds:
		return FdPath
	}
	return 0
}

// File system magic number of pidfds (pidfs, Linux 6.9 on; anon_inode
// before).
const pidfsMagic = 0x50494446

const sIFMT, sIFSOCK, sIFCHR, sIFBLK = 0o170000, 0o140000, 0o020000, 0o060000

func isSocketFd(f *event.FdInfo) bool {
	return f.Mode&sIFMT == sIFSOCK || f.Magic == sockfsMagic
}

func isDevFd(f *event.FdInfo) bool {
	m := f.Mode & sIFMT
	return (m == sIFCHR || m == sIFBLK) && strings.HasPrefix(f.Path(), "/")
}

func isPidfd(f *event.FdInfo) bool {
	return f.Magic == pidfsMagic || f.Magic == anonInodeMagic && f.Path() == "[pidfd]"
}

// appendFdKinds appends what the kinds k say of the descriptor fd that f
// describes, in strace's order: a socket's details, a device's numbers, a
// pidfd's process, else (with path) its path.
func (c *call) appendFdKinds(dst []byte, fd int64, f *event.FdInfo, k FdKinds, atExit bool) []byte {
	switch {
	case k&FdSocket != 0 && isSocketFd(f):
		return appendFdDesc(dst, f, true)
	case k&FdDev != 0 && isDevFd(f):
		return appendFdDesc(dst, f, true)
	case k&FdPidfd != 0 && isPidfd(f):
		pid := c.pidfdPid(fd, f, atExit)
		if pid <= 0 {
			return appendFdDesc(dst, f, false)
		}
		dst = append(dst, "<pid:"...)
		dst = strconv.AppendInt(dst, int64(pid), 10)
		return append(dst, '>')
	}
	if k&FdPath != 0 {
		return appendFdDesc(dst, f, false)
	}
	return dst
}

// pidfdPid is the process a pidfd refers to: the pid given to the
// pidfd_open that returned it, when shown (a replay knows it too), else,
// live, the "Pid:" line of its fdinfo while the same file is open under
// that number; 0 when neither tells (strace then prints the path too).
func (c *call) pidfdPid(fd int64, f *event.FdInfo, atExit bool) int {
	s := c.s
	// Before pidfs (Linux 6.9) every pidfd shares the anon inode: only a
	// pidfs inode tells one pidfd from another.
	unique := f.Magic == pidfsMagic
	if unique && atExit && c.sc != nil && c.sc.Name == "pidfd_open" && !c.ev.Failed() {
		if s.pidfds == nil {
			s.pidfds = map[uint64]int{}
		}
		s.pidfds[f.Ino] = int(int32(c.ev.Args[0]))
	}
	if pid, ok := s.pidfds[f.Ino]; ok && unique {
		return pid
	}
	if v, ok := c.fdinfo(fd, f, "Pid:"); ok {
		pid, err := strconv.Atoi(v)
		if err == nil {
			return pid
		}
	}
	return 0
}

// fdinfo is the value of the line of /proc/PID/fdinfo/FD that starts with
// key, live only, and only while fd is still the file f describes.
func (c *call) fdinfo(fd int64, f *event.FdInfo, key string) (string, bool) {
	if !c.s.opts.Live {
		return "", false
	}
	dir := "/proc/" + strconv.Itoa(int(c.ev.PID))
	var st syscall.Stat_t
	if err := syscall.Stat(dir+"/fd/"+strconv.FormatInt(fd, 10), &st); err != nil || st.Ino != f.Ino {
		return "", false
	}
	fh, err := os.Open(dir + "/fdinfo/" + strconv.FormatInt(fd, 10))
	if err != nil {
		return "", false
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
