package engine

import (
	"encoding/binary"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// fdItem describes descriptor fd of process pid as the kernel side does
// for -y (event.Fd), for a call the tracer answered itself (the BPF side
// never saw it): from /proc/PID/fd/FD, its stat and statfs.
func fdItem(pid uint32, fd int32, arg uint8) (event.Data, bool) {
	p := "/proc/" + strconv.FormatUint(uint64(pid), 10) + "/fd/" + strconv.Itoa(int(fd))
	link, err := readlink(p)
	if err != nil {
		return event.Data{}, false
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return event.Data{}, false
	}
	var sfs unix.Statfs_t
	unix.Statfs(p, &sfs)
	b := make([]byte, event.FdInfoSize, event.FdInfoSize+len(link)+2)
	le := binary.LittleEndian
	le.PutUint64(b, st.Ino)
	le.PutUint32(b[8:], uint32(fd))
	le.PutUint32(b[12:], uint32(sfs.Type))
	le.PutUint16(b[16:], uint16(st.Mode))
	le.PutUint32(b[28:], unix.Major(st.Rdev)<<20|unix.Minor(st.Rdev))
	var flags event.FdFlags
	if strings.HasPrefix(link, "/") {
		if l, ok := strings.CutSuffix(link, " (deleted)"); ok {
			link, flags = l, flags|event.FdDeleted
		}
		// The names from the leaf up, each NUL-terminated.
		names := strings.Split(strings.Trim(link, "/"), "/")
		for i := len(names) - 1; i >= 0; i-- {
			b = append(b, names[i]...)
			b = append(b, 0)
		}
	} else {
		flags |= event.FdPseudo
		if _, name, ok := strings.Cut(link, ":"); ok && strings.HasPrefix(link, "anon_inode:") {
			link = name
		}
		b = append(b, link...)
		b = append(b, 0)
	}
	b[18] = byte(flags)
	return event.Data{Arg: arg, Kind: event.Fd, Bytes: b}, true
}

func readlink(p string) (string, error) {
	buf := make([]byte, 4096)
	n, err := unix.Readlink(p, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
