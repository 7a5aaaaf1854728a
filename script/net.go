package script

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

func init() {
	modules["net"] = &starlarkstruct.Module{Name: "net", Members: starlark.StringDict{
		"sockaddr": starlark.NewBuiltin("net.sockaddr", netSockaddr),
		"family":   starlark.NewBuiltin("net.family", netFamily),
	}}
}

// net.sockaddr(b) renders a struct sockaddr as bytes (ev.buf("uservaddr")):
// "127.0.0.1:80", "[::1]:443", "/run/socket" or "@abstract" for AF_UNIX;
// None when b is None, empty or of another family.
func netSockaddr(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	buf, err := bytesArg(b, v)
	if buf == nil || err != nil {
		return starlark.None, err
	}
	if s, ok := sockaddrString(buf); ok {
		return starlark.String(s), nil
	}
	return starlark.None, nil
}

// net.family(b) is the address family of a struct sockaddr: "AF_INET",
// "AF_INET6", "AF_UNIX", "AF_NETLINK", or the number; None for no bytes.
func netFamily(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	buf, err := bytesArg(b, v)
	if len(buf) < 2 || err != nil {
		return starlark.None, err
	}
	fam := binary.LittleEndian.Uint16(buf)
	if n, ok := families[fam]; ok {
		return starlark.String(n), nil
	}
	return starlark.String(strconv.Itoa(int(fam))), nil
}

var families = map[uint16]string{1: "AF_UNIX", 2: "AF_INET", 10: "AF_INET6", 16: "AF_NETLINK", 17: "AF_PACKET"}

func bytesArg(b *starlark.Builtin, v starlark.Value) ([]byte, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bytes:
		return []byte(v), nil
	case starlark.String:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("%s: got %s, want bytes", b.Name(), v.Type())
}

func sockaddrString(b []byte) (string, bool) {
	if len(b) < 2 {
		return "", false
	}
	switch binary.LittleEndian.Uint16(b) {
	case 2: // AF_INET
		if len(b) < 8 {
			return "", false
		}
		port := binary.BigEndian.Uint16(b[2:])
		ip := netip.AddrFrom4([4]byte(b[4:8]))
		return netip.AddrPortFrom(ip, port).String(), true
	case 10: // AF_INET6
		if len(b) < 24 {
			return "", false
		}
		port := binary.BigEndian.Uint16(b[2:])
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		return netip.AddrPortFrom(ip, port).String(), true
	case 1: // AF_UNIX
		p := b[2:]
		if len(p) > 0 && p[0] == 0 {
			end := len(p)
			for end > 1 && p[end-1] == 0 {
				end--
			}
			return "@" + string(p[1:end]), true
		}
		for i, c := range p {
			if c == 0 {
				p = p[:i]
				break
			}
		}
		return string(p), true
	}
	return "", false
}
