// Package format holds the stock output formats (hex, strace, json,
// perfetto, bin): each a Writer, registered in one table (Formats, writer.go)
// that also says which presentation options it honours and what it needs
// captured. The renderers under the writers (AppendHex, Strace, AppendJSON)
// are what scripts reach through hex(ev), strace(ev) and ev.strace().
package format

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
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
// by the separator, each argument escaped as strings in rows are (a newline
// in an argument must not move the header off line 2).
func HexTitle(argv []string, o HexOptions) string {
	var b []byte
	for i, a := range argv {
		if i > 0 {
			b = append(b, o.sep()...)
		}
		b = AppendEscaped(b, []byte(a))
	}
	return string(b)
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

// Hex renders a hex log: the title and header before the first row, and
// the rows, TIME(usec) relative to the previous row with -r. Use one Hex
// per output stream.
type Hex struct {
	tab     *syscalls.Table
	argv    []string
	opts    HexOptions
	prevTS  uint64 // the last row's TS, for -r
	row     bool   // a row was made
	started bool   // the title and header were made
}

// NewHex returns a hex renderer for events of table tab, titled argv.
func NewHex(tab *syscalls.Table, argv []string, o HexOptions) *Hex {
	if tab == nil {
		tab = syscalls.Native()
	}
	return &Hex{tab: tab, argv: argv, opts: o}
}

// AppendRow appends ev's row (no newline); nothing for events that have
// none (process exits, signals).
func (h *Hex) AppendRow(dst []byte, ev *event.Event) []byte {
	if !h.row && ev.Kind == event.Syscall {
		// -r: the first row is 0, as strace's first line.
		h.row, h.prevTS = true, ev.TS
	}
	n := len(dst)
	dst = AppendHex(dst, ev, h.tab, h.opts, h.prevTS)
	if len(dst) > n && ev.Kind == event.Syscall {
		h.prevTS = ev.TS
	}
	return dst
}

// Append appends ev's row with its newline, after the log's title and
// header lines when it is the first: a trace that no event reaches (a
// script in front that only counts) prints nothing.
func (h *Hex) Append(dst []byte, ev *event.Event) []byte {
	n := len(dst)
	dst = h.AppendRow(dst, ev)
	if len(dst) == n {
		return dst
	}
	if !h.started {
		h.started = true
		row := string(dst[n:])
		dst = append(dst[:n], HexTitle(h.argv, h.opts)...)
		dst = append(dst, '\n')
		dst = append(dst, HexHeader(h.opts)...)
		dst = append(dst, '\n')
		dst = append(dst, row...)
	}
	return append(dst, '\n')
}

// HexWriter writes the hex format.
type HexWriter struct {
	h    *Hex
	w    *bufio.Writer
	line []byte
}

// NewHexWriter returns the hex format's writer on w. A w that is already a
// *bufio.Writer of 256 KiB or more is written to directly: the scripts in
// front of a text format share its buffer.
func NewHexWriter(w io.Writer, tab *syscalls.Table, argv []string, o HexOptions) *HexWriter {
	return &HexWriter{h: NewHex(tab, argv, o), w: bufio.NewWriterSize(w, 256<<10)}
}

func (x *HexWriter) Start() error { return nil }
func (x *HexWriter) Event(ev *event.Event) error {
	x.line = x.h.Append(x.line[:0], ev)
	_, err := x.w.Write(x.line)
	return err
}
func (x *HexWriter) Idle() error   { return x.Flush() }
func (x *HexWriter) Finish() error { return x.Flush() }
func (x *HexWriter) Flush() error  { return flush(x.w) }

// flush flushes w, saying what failed.
func flush(w *bufio.Writer) error {
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing trace: %w", err)
	}
	return nil
}
