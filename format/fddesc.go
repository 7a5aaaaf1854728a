package format

import (
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// FdDescription is what a descriptor referred to, as -y shows it between
// < and > but unescaped: a file's path ("/etc/passwd", "/tmp/x (deleted)"),
// "pipe:[N]", "socket:[N]", "anon_inode:[eventfd]". Scripts read it as
// ev.fds and ev.fd_path().
func FdDescription(f *event.FdInfo) string {
	const sIFMT, sIFSOCK = 0o170000, 0o140000
	if f.Flags&event.FdPseudo == 0 && f.Mode&sIFMT != sIFSOCK && f.Magic != sockfsMagic &&
		f.Magic != pipefsMagic && f.Magic != anonInodeMagic && f.Magic != pidfsMagic {
		return f.Path() // " (deleted)" included
	}
	s := string(appendFdDesc(nil, f, false))
	return strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
}
