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
		pid := c.pidfdPid(fd, f)
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

// pidfdState is what the calls shown tell of pidfds: the process of each
// (from the pidfd_open or clone3 that made it), and the processes a wait
// reaped, whose pidfds strace then shows by path (their fdinfo says Pid: -1).
type pidfdState struct {
	byIno  map[uint64]int // pidfs inode -> pid
	byFd   map[uint64]int // process<<32 | fd -> pid, until the fd is closed
	reaped map[int]bool
}

func fdKey(pid uint32, fd int64) uint64 { return uint64(pid)<<32 | uint64(uint32(fd)) }

// learn notes that fd of process owner refers to pid.
func (p *pidfdState) learn(owner uint32, fd int64, pid int) {
	if p.byFd == nil {
		p.byFd, p.byIno, p.reaped = map[uint64]int{}, map[uint64]int{}, map[int]bool{}
	}
	p.byFd[fdKey(owner, fd)] = pid
	delete(p.reaped, pid)
}

// before learns the pidfd a successful pidfd_open or clone3 returns,
// before its line is printed.
func (p *pidfdState) before(s *Strace, ev *event.Event) {
	if ev.Failed() || ev.Flags&(event.NoReturn|event.Unfinished) != 0 {
		return
	}
	switch s.tab.Personality(ev.Flags&event.Compat != 0).Name(int(ev.Nr)) {
	case "pidfd_open":
		p.learn(ev.PID, ev.Ret, int(int32(ev.Args[0])))
	case "clone3":
		const clonePidfdFlag = 0x1000
		args, ok1 := dataOf(ev, 0, event.BufIn)
		fd, ok2 := dataOf(ev, 0, event.BufOut)
		if ok1 && ok2 && len(args) >= 8 && len(fd) >= 4 && le.Uint64(args)&clonePidfdFlag != 0 && ev.Ret > 0 {
			p.learn(ev.PID, int64(int32(le.Uint32(fd))), int(ev.Ret))
		}
	}
}

// after forgets a closed or replaced descriptor and notes the processes a
// wait reaped, once the call's line is printed.
func (p *pidfdState) after(s *Strace, ev *event.Event) {
	if p.byFd == nil || ev.Failed() || ev.Flags&(event.NoReturn|event.Unfinished) != 0 {
		return
	}
	const wexited, wnowait = 4, 0x01000000
	switch s.tab.Personality(ev.Flags&event.Compat != 0).Name(int(ev.Nr)) {
	case "close":
		delete(p.byFd, fdKey(ev.PID, int64(int32(ev.Args[0]))))
	case "dup2", "dup3":
		delete(p.byFd, fdKey(ev.PID, int64(int32(ev.Args[1]))))
	case "wait4":
		if ev.Ret > 0 {
			p.reaped[int(ev.Ret)] = true
		}
	case "waitid":
		if ev.Args[3]&wexited == 0 || ev.Args[3]&wnowait != 0 {
			return
		}
		switch ev.Args[0] {
		case 1: // P_PID
			p.reaped[int(int32(ev.Args[1]))] = true
		case 3: // P_PIDFD
			if pid, ok := p.byFd[fdKey(ev.PID, int64(int32(ev.Args[1])))]; ok {
				p.reaped[pid] = true
			}
		default: // P_ALL, P_PGID: the siginfo says which
			if b, ok := dataOf(ev, 2, event.BufOut); ok && len(b) >= 20 && le.Uint32(b[16:]) != 0 {
				p.reaped[int(int32(le.Uint32(b[16:])))] = true
			}
		}
	}
}

// dataOf is the bytes captured for argument arg with kind k.
func dataOf(ev *event.Event, arg int, k event.DataKind) ([]byte, bool) {
	for i := range ev.Data {
		if d := &ev.Data[i]; int(d.Arg) == arg && d.Kind == k {
			return d.Bytes, true
		}
	}
	return nil, false
}

// pidfdPid is the process a pidfd refers to: the one the pidfd_open or
// clone3 that made it names (learned from the calls shown, replays too;
// a pidfs inode keeps it across dup and SCM_RIGHTS), else, live, the
// "Pid:" line of its fdinfo while the same file is open under that
// number; 0 when neither tells or a wait shown reaped the process (strace
// then prints the path).
func (c *call) pidfdPid(fd int64, f *event.FdInfo) int {
	p := &c.s.pidfds
	// Before pidfs (Linux 6.9) every pidfd shares the anon inode: only a
	// pidfs inode tells one pidfd from another.
	unique := f.Magic == pidfsMagic
	pid, ok := p.byIno[f.Ino]
	if !ok || !unique {
		pid, ok = p.byFd[fdKey(c.ev.PID, fd)]
		if ok && unique {
			p.byIno[f.Ino] = pid
		}
	}
	if !ok {
		if v, found := c.fdinfo(fd, f, "Pid:"); found {
			if n, err := strconv.Atoi(v); err == nil {
				pid, ok = n, true
			}
		}
	}
	if !ok || p.reaped[pid] {
		return 0
	}
	return pid
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

// appendClonePidfd appends the pidfd clone3 wrote, as strace's -y shows
// it: the kernel did not describe it, but it is a pidfd of the process
// clone3 returned.
func (c *call) appendClonePidfd(d []byte, fd int64) []byte {
	d = strconv.AppendInt(d, fd, 10)
	k := c.s.opts.fdKinds()
	if k&FdPidfd != 0 {
		p := &c.s.pidfds
		if pid, ok := p.byFd[fdKey(c.ev.PID, fd)]; ok && !p.reaped[pid] {
			d = append(d, "<pid:"...)
			d = strconv.AppendInt(d, int64(pid), 10)
			return append(d, '>')
		}
	}
	if k&(FdPath|FdPidfd) != 0 && fd >= 0 {
		d = append(d, "<anon_inode:[pidfd]>"...)
	}
	return d
}
