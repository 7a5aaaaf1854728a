package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// appendStack appends a call's stack as strace -k prints it, one line per
// frame, each after a newline:
//
//	> /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x51) [0xf8011]
//	> /usr/bin/prog() [0x1161]                     (no symbol)
//	> unexpected_backtracing_error [0x7f0012345678] (no mapping)
func appendStack(dst []byte, stack []event.Frame) []byte {
	for i := range stack {
		dst = append(dst, '\n')
		dst = AppendFrame(dst, &stack[i])
	}
	return dst
}

// AppendFrame appends one frame as strace -k prints it, without the
// newline.
func AppendFrame(dst []byte, f *event.Frame) []byte {
	dst = append(dst, " > "...)
	switch {
	case f.Module == "":
		dst = append(dst, "unexpected_backtracing_error [0x"...)
		dst = strconv.AppendUint(dst, f.Addr, 16)
	case f.Symbol == "":
		dst = append(dst, f.Module...)
		dst = append(dst, "() [0x"...)
		dst = strconv.AppendUint(dst, f.Offset, 16)
	default:
		dst = append(dst, f.Module...)
		dst = append(dst, '(')
		dst = append(dst, f.Symbol...)
		dst = append(dst, "+0x"...)
		dst = strconv.AppendUint(dst, f.SymOff, 16)
		dst = append(dst, ") [0x"...)
		dst = strconv.AppendUint(dst, f.Offset, 16)
	}
	return append(dst, ']')
}
