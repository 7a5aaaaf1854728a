package format

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// cmsg builds one control message: header and data, padded to 8 bytes.
func cmsg(level, typ uint32, data ...uint32) []byte {
	b := make([]byte, 16, 16+4*len(data)+4)
	binary.LittleEndian.PutUint64(b, uint64(16+4*len(data)))
	binary.LittleEndian.PutUint32(b[8:], level)
	binary.LittleEndian.PutUint32(b[12:], typ)
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// TestStraceCmsg renders sendmsg's control messages the way strace does,
// from a msghdr captured as the kernel side does (header, then control).
func TestStraceCmsg(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	const sendmsg = 46
	many := make([]uint32, 28)
	for i := range many {
		many[i] = uint32(i)
	}
	for _, tt := range []struct {
		name    string
		control []byte
		ctllen  uint64 // msg_controllen; the capture holds at most 128 bytes
		want    string
	}{
		{"rights and an unknown level", append(cmsg(1, 1, 7), cmsg(41, 0x32)...), 40,
			`msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7]}, {cmsg_len=16, cmsg_level=SOL_IPV6, cmsg_type=0x32}], msg_controllen=40`},
		{"credentials, ip", append(cmsg(1, 2, 42, 0, 5), cmsg(0, 2, 64)...), 56,
			`msg_control=[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=42, uid=0, gid=5}}, {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL}], msg_controllen=56`},
		{"more than captured", cmsg(1, 1, many...), 300,
			`cmsg_data=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]}, ...], msg_controllen=300`},
		{"trailing bytes", append(cmsg(1, 1, 3), 0, 0, 0, 0, 0, 0), 30,
			`msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3]}, ... /* 0x2018 */], msg_controllen=30`},
		{"unknown socket type", cmsg(1, 0x63), 16,
			`msg_control=[{cmsg_len=16, cmsg_level=SOL_SOCKET, cmsg_type=0x63 /* SCM_??? */}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := make([]byte, 56)
			binary.LittleEndian.PutUint64(h[32:], 0x2000)
			binary.LittleEndian.PutUint64(h[40:], tt.ctllen)
			ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: sendmsg, Args: [6]uint64{3, 0x1000, 0}, Ret: 1,
				Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: append(h, tt.control...)}}}
			got := string(AppendStrace(nil, ev, tab, StraceOptions{}))
			if !strings.Contains(got, tt.want) {
				t.Errorf("got  %s\nwant it to contain %s", got, tt.want)
			}
		})
	}
}

// TestStraceMmsg renders sendmmsg's vector from the items the kernel side
// captures at exit: per mmsghdr, the 64-byte header with msg_len, then its
// iovecs (empty when they could not be read); "..." past what was captured.
func TestStraceMmsg(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	const sendmmsg = 307
	hdr := func(iov uint64, msgLen uint32) []byte {
		h := make([]byte, 64)
		binary.LittleEndian.PutUint64(h[16:], iov)
		binary.LittleEndian.PutUint64(h[24:], 1)
		binary.LittleEndian.PutUint32(h[56:], msgLen)
		return h
	}
	iov := func(s string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(s))|1<<63)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
		return append(b, s...)
	}
	ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: sendmmsg, Args: [6]uint64{3, 0x1000, 3, 0x4000}, Ret: 3,
		Data: []event.Data{
			{Arg: 1, Kind: event.BufOut, Bytes: hdr(0x5000, 3)}, {Arg: 1, Kind: event.BufOut, Bytes: iov("one")},
			{Arg: 1, Kind: event.BufOut, Bytes: hdr(0x5010, 5)}, {Arg: 1, Kind: event.BufOut, Bytes: nil},
		}}
	want := `sendmmsg(3, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="one", iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, ` +
		`{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=0x5010, msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=5}, ...], 3, MSG_NOSIGNAL) = 3`
	if got := string(AppendStrace(nil, ev, tab, StraceOptions{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Since the kernel side reads seven: one item per mmsghdr, its padding
	// marking where the iovecs start.
	one := func(iovp uint64, s string) []byte {
		h := hdr(iovp, uint32(len(s)))
		binary.LittleEndian.PutUint32(h[60:], mmsgIovMark|64)
		if s == "" {
			return h
		}
		return append(h, iov(s)...)
	}
	ev.Args[2], ev.Ret = 5, 5
	ev.Data = []event.Data{
		{Arg: 1, Kind: event.BufOut, Bytes: one(0x5000, "one")}, {Arg: 1, Kind: event.BufOut, Bytes: one(0x5010, "two")},
		{Arg: 1, Kind: event.BufOut, Bytes: one(0x5020, "three")}, {Arg: 1, Kind: event.BufOut, Bytes: one(0x5030, "four")},
		{Arg: 1, Kind: event.BufOut, Bytes: one(0x5040, "")},
	}
	msg := func(s string) string {
		return `{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="` + s + `", iov_len=` + strconv.Itoa(len(s)) + `}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=` + strconv.Itoa(len(s)) + `}`
	}
	want = `sendmmsg(3, [` + msg("one") + `, ` + msg("two") + `, ` + msg("three") + `, ` + msg("four") + `, ` +
		`{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=0x5040, msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=0}], 5, MSG_NOSIGNAL) = 5`
	if got := string(AppendStrace(nil, ev, tab, StraceOptions{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	ev.Ret, ev.Data = -11, nil
	want = `sendmmsg(3, 0x1000, 5, MSG_NOSIGNAL)    = -1 EAGAIN (Resource temporarily unavailable)`
	if got := string(AppendStrace(nil, ev, tab, StraceOptions{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestStraceIovNull: an iovec whose base is NULL (recvmsg with MSG_PEEK|MSG_TRUNC
// to learn a datagram's size) is left unread by the kernel side and shows
// as strace's iov_base=NULL.
func TestStraceIovNull(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	iov := make([]byte, 16) // base NULL, length 0, not marked as read
	ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: 20 /* writev */, Args: [6]uint64{3, 0x1000, 1}, Ret: 0,
		Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: iov}}}
	want := `writev(3, [{iov_base=NULL, iov_len=0}], 1) = 0`
	if got := string(AppendStrace(nil, ev, tab, StraceOptions{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
