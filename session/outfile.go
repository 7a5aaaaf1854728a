package session

// The trace's files and links. A root tracer that writes where a traced
// program can plant a symbolic link (-u nobody -ff -o /tmp/pub/t: the
// program links t.<its next pid> to a root-owned file) would truncate what
// the link points to. Per-process files are created without following a
// link and refused, in one line, when the name is a link, a hard link, not
// a regular file, or another user's file; -o and --record, which the user
// names, still follow a link but say so.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// openSplitFile opens a per-process trace file: created (or truncated) in
// place, or appended to, never through a link.
func openSplitFile(name string, appending bool) (*os.File, error) {
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	if appending {
		flags |= unix.O_APPEND
	}
	fd, err := unix.Open(name, flags, 0o600)
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, fmt.Errorf("opening output: %s is a symbolic link: refused (a per-process file is never written through a link)", name)
	case errors.Is(err, unix.ENXIO):
		return nil, fmt.Errorf("opening output: %s is not a regular file: refused", name)
	case err != nil:
		return nil, fmt.Errorf("opening output: %w", &os.PathError{Op: "open", Path: name, Err: err})
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	switch {
	case err != nil:
		err = fmt.Errorf("opening output: %s: %w", name, err)
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		err = fmt.Errorf("opening output: %s is not a regular file: refused", name)
	case st.Nlink > 1:
		err = fmt.Errorf("opening output: %s has %d hard links: refused (a per-process file is never written through a link)", name, st.Nlink)
	case int(st.Uid) != os.Geteuid():
		err = fmt.Errorf("opening output: %s belongs to uid %d, not to the tracer's %d: refused", name, st.Uid, os.Geteuid())
	case !appending:
		if err = unix.Ftruncate(fd, 0); err != nil {
			err = fmt.Errorf("opening output: truncating %s: %w", name, err)
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// noteLinks says when -o or --record names a symbolic link: the trace is
// written where it points.
func (p *Plan) noteLinks() {
	for _, f := range []struct{ flag, path string }{{"-o", p.Output}, {"--record", p.Record}} {
		if f.path == "" || f.flag == "-o" && p.Split {
			continue
		}
		// /dev/stdout, /dev/fd/N, /proc/self/fd/N: links by design, to
		// what the user already chose.
		if strings.HasPrefix(f.path, "/dev/") || strings.HasPrefix(f.path, "/proc/") {
			continue
		}
		fi, err := os.Lstat(f.path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		to, err := filepath.EvalSymlinks(f.path)
		if err != nil {
			to, _ = os.Readlink(f.path)
		}
		fmt.Fprintf(p.Stderr, "strace.ebpf: %s %s is a symbolic link: writing to %s\n", f.flag, f.path, to)
	}
}
