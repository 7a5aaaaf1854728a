package event

import (
	"encoding/binary"
	"strings"
)

// Fd is the Data kind of a descriptor's description (-y), read from the
// kernel at the call: a fixed header (FdInfo's fields, the kernel's struct
// fd_info), then for a file the names of its path from the leaf up, each
// NUL-terminated, or for a bound unix socket its sun_path bytes. Arg is the
// argument the descriptor was; FdAtExit marks the return value.
const Fd DataKind = 6

// FdFlags qualify an FdInfo (the kernel's enum fd_flags).
type FdFlags uint8

const (
	FdAtExit  FdFlags = 1 << iota // the return value, read at exit
	FdDeleted                     // the file was unlinked
	FdCut                         // the path was deeper than the kernel walks: its top is missing
	FdPseudo                      // a pseudo file (pipe, socket, anon inode): Tail is its one name
	FdPeer                        // AF_UNIX: Daddr's first 8 bytes are the peer's inode
	FdCwd                         // AT_FDCWD: the working directory
)

// FdInfoSize is the size of the fixed header of an Fd item.
const FdInfoSize = 64

// FdInfo is what a descriptor referred to when the call used it.
type FdInfo struct {
	Ino      uint64
	Fd       uint32
	Magic    uint32 // the file system's magic number
	Mode     uint16 // the inode's mode (type and permissions)
	Flags    FdFlags
	Family   uint8 // a socket's address family
	Protocol uint16
	Type     uint16   // a socket's type (SOCK_STREAM ...)
	Sport    uint16   // local port, host order
	Dport    uint16   // remote port, network order
	Rdev     uint32   // a device's number, the kernel's encoding (major << 20 | minor)
	Saddr    [16]byte // local address; AF_NETLINK: the port id
	Daddr    [16]byte
	Tail     []byte
}

// ParseFd reads an Fd item's bytes.
func ParseFd(b []byte) (FdInfo, bool) {
	if len(b) < FdInfoSize {
		return FdInfo{}, false
	}
	le := binary.LittleEndian
	f := FdInfo{
		Ino:      le.Uint64(b),
		Fd:       le.Uint32(b[8:]),
		Magic:    le.Uint32(b[12:]),
		Mode:     le.Uint16(b[16:]),
		Flags:    FdFlags(b[18]),
		Family:   b[19],
		Protocol: le.Uint16(b[20:]),
		Type:     le.Uint16(b[22:]),
		Sport:    le.Uint16(b[24:]),
		Dport:    binary.BigEndian.Uint16(b[26:]),
		Rdev:     le.Uint32(b[28:]),
		Tail:     b[FdInfoSize:],
	}
	copy(f.Saddr[:], b[32:48])
	copy(f.Daddr[:], b[48:64])
	return f, true
}

// Path is a file's path, as the kernel's d_path writes it: "/etc/passwd",
// with " (deleted)" when it was unlinked. A pseudo file's is its one name.
func (f *FdInfo) Path() string {
	if f.Flags&FdPseudo != 0 {
		return strings.TrimRight(string(f.Tail), "\x00")
	}
	names := strings.Split(strings.TrimSuffix(string(f.Tail), "\x00"), "\x00")
	var b strings.Builder
	if f.Flags&FdCut != 0 {
		b.WriteString("...")
	}
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == "" {
			continue
		}
		b.WriteByte('/')
		b.WriteString(names[i])
	}
	if b.Len() == 0 {
		b.WriteByte('/')
	}
	if f.Flags&FdDeleted != 0 {
		b.WriteString(" (deleted)")
	}
	return b.String()
}

// FdData finds the description of descriptor fd among the event's data:
// the return value's (atExit) or an argument's.
func (e *Event) FdData(fd int64, atExit bool) (FdInfo, bool) {
	for i := range e.Data {
		d := &e.Data[i]
		if d.Kind != Fd {
			continue
		}
		f, ok := ParseFd(d.Bytes)
		if ok && int64(int32(f.Fd)) == fd && (f.Flags&FdAtExit != 0) == atExit {
			return f, true
		}
	}
	return FdInfo{}, false
}

// HasFdData says whether the kernel described the event's descriptors (-y).
func (e *Event) HasFdData() bool {
	for i := range e.Data {
		if e.Data[i].Kind == Fd {
			return true
		}
	}
	return false
}
