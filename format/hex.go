// Package format renders events as text: the native halves of the stock
// formats, which stdlib scripts call as builtins so that a stock format costs
// one script call per event.
package format

import (
	"encoding/binary"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// HexOptions are the knobs of the hex format.
type HexOptions struct {
	Sep       string // field separator; "\t" when empty
	Timestamp bool   // add TIME(usec) after PID
	Relative  bool   // TIME(usec) is the time since the previous row (-r); implies the column
	Duration  bool   // add DUR(usec), the time spent in the call, after TIME (-T)
}

func (o HexOptions) timeColumn() bool { return o.Timestamp || o.Relative }

func (o HexOptions) sep() string {
	if o.Sep == "" {
		return "\t"
	}
	return o.Sep
}

// HexArgs is the number of argument columns of the hex format.
const HexArgs = 6

// HexTitle is the first line of a hex log: the tracer's command line joined
// by the separator.
func HexTitle(argv []string, o HexOptions) string {
	return strings.Join(argv, o.sep())
}

// HexHeader is the column header of a hex log.
func HexHeader(o HexOptions) string {
	sep := o.sep()
	var b strings.Builder
	b.WriteString("PID")
	if o.timeColumn() {
		b.WriteString(sep + "TIME(usec)")
	}
	if o.Duration {
		b.WriteString(sep + "DUR(usec)")
	}
	b.WriteString(sep + "ERR" + sep + "RES" + sep + "SYSCALL")
	for i := 1; i <= HexArgs; i++ {
		b.WriteString(sep + "ARG")
		b.WriteByte(byte('0' + i))
	}
	b.WriteString(sep + "AUX_DATA")
	return b.String()
}

// hexDigits are the hex log's digits; hexLower the escapes' of the JSON and
// strace formats.
const (
	hexDigits = "0123456789ABCDEF"
	hexLower  = "0123456789abcdef"
)

// appendHex16 appends v as 16 upper-case hex digits.
func appendHex16(dst []byte, v uint64) []byte {
	dst = binary.BigEndian.AppendUint64(dst, hexWord(uint32(v>>32)))
	return binary.BigEndian.AppendUint64(dst, hexWord(uint32(v)))
}

// hexWord spells the 8 nibbles of v as upper-case hex digits, the first
// digit in the top byte, all at once: each nibble spread to a byte of its
// own, then '0' added, and 7 more to those of 10 and above ('A' - '9' - 1).
func hexWord(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*7
}

// AppendHex appends one hex-format row for ev (no newline): PID, optional
// TIME(usec), ERR (errno, 0 on success), RES (FFFFFFFFFFFFFFFF on failure,
// ? for calls that never return or were still blocked when tracing ended), the syscall name, six argument columns
// (a captured string argument as its escaped text, columns past the
// syscall's arity empty) and AUX_DATA, the process name.
//
// The hex log has rows for syscalls and for lost events (a LOST row where
// the gap is, see appendHexLost); process exits and signals append
// nothing.
//
// prevTS is the previous row's TS, for Relative.
func AppendHex(dst []byte, ev *event.Event, tab *syscalls.Table, o HexOptions, prevTS uint64) []byte {
	if ev.Kind == event.Lost {
		return appendHexLost(dst, ev, o)
	}
	if ev.Kind != event.Syscall {
		return dst
	}
	tab = tab.Personality(ev.Flags&event.Compat != 0)
	sep := o.sep()
	dst = appendHex16(dst, uint64(ev.PID))
	if o.timeColumn() {
		dst = append(dst, sep...)
		ts := ev.TS
		if o.Relative {
			ts = 0
			if ev.TS > prevTS {
				ts = ev.TS - prevTS
			}
		}
		dst = appendHex16(dst, ts/1000)
	}
	if o.Duration {
		dst = append(dst, sep...)
		dst = appendHex16(dst, ev.Duration/1000)
	}
	dst = append(dst, sep...)
	dst = appendHex16(dst, uint64(ev.Errno()))
	dst = append(dst, sep...)
	switch {
	case ev.Flags&(event.NoReturn|event.Unfinished) != 0:
		dst = append(dst, '?')
	case ev.Failed():
		dst = append(dst, "FFFFFFFFFFFFFFFF"...)
	default:
		dst = appendHex16(dst, uint64(ev.Ret))
	}
	dst = append(dst, sep...)
	sc := tab.ByNr(int(ev.Nr))
	nargs := HexArgs
	if sc != nil {
		dst = append(dst, sc.Name...)
		nargs = len(sc.Args)
	} else {
		dst = append(dst, tab.Name(int(ev.Nr))...)
	}
	for i := 0; i < HexArgs; i++ {
		dst = append(dst, sep...)
		if i >= nargs {
			continue
		}
		if d := stringArg(ev, i); d != nil {
			dst = AppendEscaped(dst, d.Bytes)
			if d.Kind == event.StrTrunc {
				dst = append(dst, "..."...)
			}
			continue
		}
		dst = appendHex16(dst, ev.Args[i])
	}
	dst = append(dst, sep...)
	// The process name is the process's to choose (PR_SET_NAME): escaped,
	// it cannot break a row.
	dst = AppendEscaped(dst, []byte(ev.Comm))
	return dst
}

func stringArg(ev *event.Event, arg int) *event.Data {
	for i := range ev.Data {
		d := &ev.Data[i]
		if int(d.Arg) == arg && (d.Kind == event.Str || d.Kind == event.StrTrunc) {
			return d
		}
	}
	return nil
}

// AppendEscaped appends b with backslash, control and non-ASCII bytes
// escaped C-style (\t, \n, \\, \xNN), so that a string never breaks a
// line or a tab-separated column.
func AppendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendHexLost is the row that marks lost events where they were missed:
// PID 0, RES the number lost, SYSCALL LOST, empty arguments, so that awk
// can count or skip it ($4 == "LOST" with the default columns).
func appendHexLost(dst []byte, ev *event.Event, o HexOptions) []byte {
	sep := o.sep()
	dst = appendHex16(dst, 0)
	if o.timeColumn() {
		dst = append(dst, sep...)
		dst = appendHex16(dst, 0)
	}
	if o.Duration {
		dst = append(dst, sep...)
		dst = appendHex16(dst, 0)
	}
	dst = append(dst, sep...)
	dst = appendHex16(dst, 0)
	dst = append(dst, sep...)
	dst = appendHex16(dst, ev.LostN)
	dst = append(dst, sep...)
	dst = append(dst, "LOST"...)
	for i := 0; i < HexArgs; i++ {
		dst = append(dst, sep...)
	}
	dst = append(dst, sep...)
	return dst
}
