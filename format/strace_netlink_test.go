package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceNlmsgerr checks NLMSG_ERROR payloads as strace 6.1's
// decode_nlmsgerr prints them: shorter than struct nlmsgerr as bytes, a
// request header with an invalid nlmsg_len as the header alone, extended
// acks after the request.
func TestStraceNlmsgerr(t *testing.T) {
	hdr := func(n, typ, flags int) []byte {
		return []byte{byte(n), 0, 0, 0, byte(typ), 0, byte(flags), byte(flags >> 8), 1, 0, 0, 0, 0, 0, 0, 0}
	}
	enodev := []byte{0xed, 0xff, 0xff, 0xff}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"short", cat(hdr(24, 2, 0), enodev, []byte{0, 0, 0, 0}),
			`recvfrom(3, [{nlmsg_len=24, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=1, nlmsg_pid=0}, "\xed\xff\xff\xff\x00\x00\x00\x00"], 4096, 0, NULL, NULL) = 24`},
		{"zero request length", cat(hdr(36, 2, 0), enodev, make([]byte, 16)),
			`recvfrom(3, [{nlmsg_len=36, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=1, nlmsg_pid=0}, {error=-ENODEV, msg={nlmsg_len=0, nlmsg_type=0 /* NLMSG_??? */, nlmsg_flags=0, nlmsg_seq=0, nlmsg_pid=0}}], 4096, 0, NULL, NULL) = 36`},
		{"capped with extended ack", cat(hdr(48, 2, 0x300), enodev, hdr(40, 18, 1), []byte{8, 0, 2, 0, 16, 0, 0, 0}, []byte{4, 0, 3, 0}),
			`recvfrom(3, [{nlmsg_len=48, nlmsg_type=NLMSG_ERROR, nlmsg_flags=NLM_F_CAPPED|NLM_F_ACK_TLVS, nlmsg_seq=1, nlmsg_pid=0}, [{error=-ENODEV, msg={nlmsg_len=40, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=1, nlmsg_pid=0}}, [[{nla_len=8, nla_type=NLMSGERR_ATTR_OFFS}, 16], {nla_len=4, nla_type=NLMSGERR_ATTR_COOKIE}]]], 4096, 0, NULL, NULL) = 48`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := fuzzTables[0]
			ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName("recvfrom").Nr),
				Flags: event.Netlink, Args: [6]uint64{3, 0x1000, 4096}, Ret: int64(len(tc.msg)),
				Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: tc.msg}}}
			got := string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1}))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
