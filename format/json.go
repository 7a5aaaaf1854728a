package format

import (
	"bufio"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// JSONVersion is the "v" field of every JSON object: the version of the
// schema in docs/json-schema.json. Adding fields keeps it; renaming,
// removing or changing the meaning of one bumps it.
const JSONVersion = 2

// AppendJSON appends ev as one JSON object, without a newline (the -l json
// format writes one per line). docs/json-schema.json describes it:
//
//	{"v":2,"kind":"syscall","ts":1000,"pid":100,"tid":100,"comm":"ls","dur":2500,
//	 "nr":257,"name":"openat","args":{"dfd":"AT_FDCWD","filename":"/nonexistent","flags":"O_RDONLY|O_CLOEXEC","mode":"000"},
//	 "raw":{"dfd":-100,"filename":93824992247808,"flags":524288,"mode":0},
//	 "data":[{"arg":1,"name":"filename","kind":"str","len":12,"value":"/nonexistent"}],
//	 "ret":-2,"errno":2,"errname":"ENOENT","errmsg":"No such file or directory"}
//	{"v":2,"kind":"lost","ts":6000,"n":42}
//	{"v":2,"kind":"signal","ts":7500,"pid":100,"tid":100,"comm":"ls","signo":17,"signame":"SIGCHLD","siginfo":"1100..."}
//	{"v":2,"kind":"exit","ts":7600,"pid":100,"tid":100,"comm":"ls","status":256,"code":1}
//
// "args" holds each argument decoded where it can be (a captured string,
// execve's argv as an array, flags and constants as strace names them),
// else its number; "raw" the registers normalized to their C types, as
// signed 64-bit integers (so AT_FDCWD is -100, an unsigned int fd
// 0xffffffff is 4294967295). It allocates nothing beyond growing dst.
func AppendJSON(dst []byte, ev *event.Event, tab *syscalls.Table) []byte {
	dst = append(dst, `{"v":`...)
	dst = strconv.AppendInt(dst, JSONVersion, 10)
	if ev.Kind == event.Lost {
		dst = append(dst, `,"kind":"lost","ts":`...)
		dst = strconv.AppendUint(dst, ev.TS, 10)
		dst = append(dst, `,"n":`...)
		dst = strconv.AppendUint(dst, ev.LostN, 10)
		return append(dst, '}')
	}
	switch ev.Kind {
	case event.Exit:
		dst = append(dst, `,"kind":"exit"`...)
		dst = appendJSONTask(dst, ev)
		if ev.Superseded() {
			// Another thread's execve: the process lives on as that thread.
			dst = append(dst, `,"superseded_by":`...)
			dst = strconv.AppendInt(dst, int64(ev.Nr), 10)
		}
		return append(appendExitStatus(dst, ev.Ret), '}')
	case event.Signal:
		dst = append(dst, `,"kind":"signal"`...)
		dst = appendJSONTask(dst, ev)
		dst = append(dst, `,"signo":`...)
		dst = strconv.AppendInt(dst, int64(ev.Nr), 10)
		if name := syscalls.SignalName(int(ev.Nr)); name != "" {
			dst = append(dst, `,"signame":`...)
			dst = appendJSONStr(dst, name)
		}
		if len(ev.Data) > 0 {
			dst = append(dst, `,"siginfo":"`...)
			dst = appendLowerHex(dst, ev.Data[0].Bytes)
			dst = append(dst, '"')
		}
		return append(dst, '}')
	}
	dst = append(dst, `,"kind":"syscall"`...)
	dst = appendJSONTask(dst, ev)
	dst = append(dst, `,"dur":`...)
	dst = strconv.AppendUint(dst, ev.Duration, 10)
	dst = append(dst, `,"nr":`...)
	dst = strconv.AppendInt(dst, int64(ev.Nr), 10)
	if ev.Flags&event.Compat != 0 {
		// A call made in 32-bit mode: nr and args are i386's.
		dst = append(dst, `,"personality":"32"`...)
		tab = tab.Compat()
	}
	sc := tab.ByNr(int(ev.Nr))
	dst = append(dst, `,"name":`...)
	switch {
	case sc != nil:
		dst = appendJSONStr(dst, sc.Name)
	case ev.Nr < 0:
		dst = appendJSONStr(dst, tab.Name(int(ev.Nr)))
	default:
		// tab.Name's spelling, without its allocation.
		dst = append(dst, `"syscall_0x`...)
		dst = strconv.AppendUint(dst, uint64(uint32(ev.Nr)), 16)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"args":{`...)
	nargs := len(ev.Args)
	if sc != nil {
		nargs = min(len(sc.Args), len(ev.Args))
	}
	for i := range nargs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendArgName(dst, sc, i)
		dst = append(dst, ':')
		dst = appendJSONArg(dst, ev, sc, tab, i)
	}
	dst = append(dst, `},"raw":{`...)
	for i := range nargs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendArgName(dst, sc, i)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, argValue(ev, sc, i), 10)
	}
	dst = append(dst, '}')
	if len(ev.Data) > 0 {
		dst = append(dst, `,"data":[`...)
		for i := range ev.Data {
			d := &ev.Data[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"arg":`...)
			dst = strconv.AppendUint(dst, uint64(d.Arg), 10)
			dst = append(dst, `,"name":`...)
			dst = appendArgName(dst, sc, int(d.Arg))
			dst = append(dst, `,"kind":"`...)
			dst = append(dst, dataKindName(d.Kind)...)
			dst = append(dst, `","len":`...)
			dst = strconv.AppendInt(dst, int64(len(d.Bytes)), 10)
			if d.Kind == event.Fd {
				dst = appendJSONFd(dst, d.Bytes)
				dst = append(dst, '}')
				continue
			}
			str := d.Kind == event.Str || d.Kind == event.StrTrunc
			if str {
				dst = append(dst, `,"value":`...)
				dst = AppendJSONString(dst, d.Bytes)
			}
			if !str || !utf8.Valid(d.Bytes) {
				dst = append(dst, `,"hex":"`...)
				dst = appendLowerHex(dst, d.Bytes)
				dst = append(dst, '"')
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(ev.Stack) > 0 {
		dst = appendJSONStack(dst, ev.Stack)
	}
	switch {
	case ev.Flags&event.NoReturn != 0:
		dst = append(dst, `,"noreturn":true`...)
	case ev.Flags&event.Unfinished != 0:
		dst = append(dst, `,"unfinished":true`...)
	default:
		dst = append(dst, `,"ret":`...)
		dst = strconv.AppendInt(dst, ev.Ret, 10)
		if errno := ev.Errno(); errno != 0 {
			dst = append(dst, `,"errno":`...)
			dst = strconv.AppendInt(dst, int64(errno), 10)
			if name := syscalls.ErrnoName(errno); name != "" {
				dst = append(dst, `,"errname":`...)
				dst = appendJSONStr(dst, name)
			}
			if msg := syscalls.ErrnoMessage(errno); msg != "" {
				dst = append(dst, `,"errmsg":`...)
				dst = appendJSONStr(dst, msg)
			}
		}
	}
	dst = appendJSONInjected(dst, ev.Flags)
	return append(dst, '}')
}

// appendJSONStack appends "stack": the frames of -k, innermost first;
// module and symbol are absent when unknown.
func appendJSONStack(dst []byte, stack []event.Frame) []byte {
	dst = append(dst, `,"stack":[`...)
	for i := range stack {
		f := &stack[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"addr":`...)
		dst = strconv.AppendUint(dst, f.Addr, 10)
		if f.Module != "" {
			dst = append(dst, `,"module":`...)
			dst = appendJSONStr(dst, f.Module)
			dst = append(dst, `,"offset":`...)
			dst = strconv.AppendUint(dst, f.Offset, 10)
		}
		if f.Symbol != "" {
			dst = append(dst, `,"symbol":`...)
			dst = appendJSONStr(dst, f.Symbol)
			dst = append(dst, `,"symoff":`...)
			dst = strconv.AppendUint(dst, f.SymOff, 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendJSONTask appends the fields every task event has: ts, pid, tid,
// comm; cgroup and container in a trace by cgroup.
func appendJSONTask(dst []byte, ev *event.Event) []byte {
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendUint(dst, ev.TS, 10)
	dst = append(dst, `,"pid":`...)
	dst = strconv.AppendUint(dst, uint64(ev.PID), 10)
	dst = append(dst, `,"tid":`...)
	dst = strconv.AppendUint(dst, uint64(ev.TID), 10)
	dst = append(dst, `,"comm":`...)
	dst = appendJSONStr(dst, ev.Comm)
	if ev.Cgroup != 0 {
		dst = append(dst, `,"cgroup":`...)
		dst = strconv.AppendUint(dst, ev.Cgroup, 10)
	}
	if ev.Container != "" {
		dst = append(dst, `,"container":`...)
		dst = appendJSONStr(dst, ev.Container)
	}
	return dst
}

// appendExitStatus appends the wait status and what it means: "code" for
// an exit, "signal" (and "core") for a death by signal.
func appendExitStatus(dst []byte, status int64) []byte {
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, status, 10)
	if sig := status & 0x7f; sig != 0 {
		dst = append(dst, `,"signal":`...)
		if name := syscalls.SignalName(int(sig)); name != "" {
			dst = appendJSONStr(dst, name)
		} else {
			dst = strconv.AppendInt(dst, sig, 10)
		}
		if status&0x80 != 0 {
			dst = append(dst, `,"core":true`...)
		}
		return dst
	}
	dst = append(dst, `,"code":`...)
	return strconv.AppendInt(dst, (status>>8)&0xff, 10)
}

// appendJSONArg appends argument i decoded: a captured string as text (its
// exact bytes stay in data), a string array (execve's argv) as an array of
// strings, a flag, constant, mode or directory descriptor as strace names
// it; any other argument, or one not captured, as its number (as in raw).
func appendJSONArg(dst []byte, ev *event.Event, sc *syscalls.Syscall, tab *syscalls.Table, i int) []byte {
	if sc != nil && i < len(sc.Args) {
		a := &sc.Args[i]
		switch a.Kind {
		case syscalls.StrArray:
			for j := range ev.Data {
				d := &ev.Data[j]
				if int(d.Arg) != i || (d.Kind != event.Str && d.Kind != event.StrTrunc) {
					continue
				}
				dst = append(dst, '[')
				b := d.Bytes
				for n := 0; len(b) > 0; n++ {
					end := 0
					for end < len(b) && b[end] != 0 {
						end++
					}
					if n > 0 {
						dst = append(dst, ',')
					}
					dst = AppendJSONString(dst, b[:end])
					b = b[min(end+1, len(b)):]
				}
				return append(dst, ']')
			}
		case syscalls.Path, syscalls.Str:
			for j := range ev.Data {
				d := &ev.Data[j]
				if int(d.Arg) == i && (d.Kind == event.Str || d.Kind == event.StrTrunc) {
					return AppendJSONString(dst, d.Bytes)
				}
			}
		}
		if ft := flagTable(sc, i, tab); ft != nil {
			return appendJSONStr(dst, ft.Format(a.Normalize(ev.Args[i])))
		}
	}
	return strconv.AppendInt(dst, argValue(ev, sc, i), 10)
}

// flagTable is the table that decodes argument i, or nil.
func flagTable(sc *syscalls.Syscall, i int, tab *syscalls.Table) *syscalls.FlagTable {
	if sc == nil || i >= len(sc.Args) {
		return nil
	}
	a := &sc.Args[i]
	if a.Decoder == "" || (a.Kind != syscalls.Flags && a.Kind != syscalls.Dirfd) {
		return nil
	}
	return tab.Flags(a.Decoder)
}

// argValue is argument i as a signed integer: the register truncated to
// the argument's C type and sign-extended when that type is signed (so an
// int AT_FDCWD is -100 whatever the upper half of the register held), the
// whole register as int64 for an unknown syscall.
func argValue(ev *event.Event, sc *syscalls.Syscall, i int) int64 {
	if sc != nil && i < len(sc.Args) {
		return int64(sc.Args[i].Normalize(ev.Args[i]))
	}
	return int64(ev.Args[i])
}

// appendArgName appends the JSON string naming argument i: the table's name,
// or "argN" (0-based) for an unknown syscall or an unnamed argument.
func appendArgName(dst []byte, sc *syscalls.Syscall, i int) []byte {
	if sc != nil && i < len(sc.Args) && sc.Args[i].Name != "" {
		return appendJSONStr(dst, sc.Args[i].Name)
	}
	dst = append(dst, `"arg`...)
	dst = strconv.AppendInt(dst, int64(i), 10)
	return append(dst, '"')
}

func dataKindName(k event.DataKind) string {
	switch k {
	case event.Str:
		return "str"
	case event.StrTrunc:
		return "str_trunc"
	case event.BufIn:
		return "buf_in"
	case event.BufOut:
		return "buf_out"
	case event.Fd:
		return "fd"
	}
	return "unknown"
}

func appendLowerHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexLower[c>>4], hexLower[c&0xF])
	}
	return dst
}

// AppendJSONString appends b as a quoted JSON string. Bytes that are not
// valid UTF-8 become U+FFFD (callers that must keep them add a hex copy);
// quotes, backslashes and control characters are escaped, so the result is
// always valid JSON and never spans lines.
func AppendJSONString(dst, b []byte) []byte { return appendJSONStr(dst, b) }

func appendJSONStr[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xF])
			}
			i++
			start = i
			continue
		}
		var r rune
		var size int
		switch v := any(s).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, size = utf8.DecodeRune(v[i:])
		}
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// JSONWriter writes the json format: one object per line.
type JSONWriter struct {
	w   *bufio.Writer
	tab *syscalls.Table
	buf []byte
}

// NewJSONWriter returns the json format's writer on w.
func NewJSONWriter(w io.Writer, tab *syscalls.Table) *JSONWriter {
	return &JSONWriter{w: bufio.NewWriterSize(w, 256<<10), tab: tab}
}

func (s *JSONWriter) Start() error { return nil }
func (s *JSONWriter) Event(ev *event.Event) error {
	s.buf = AppendJSON(s.buf[:0], ev, s.tab)
	s.buf = append(s.buf, '\n')
	_, err := s.w.Write(s.buf)
	return err
}
func (s *JSONWriter) Idle() error   { return s.Flush() }
func (s *JSONWriter) Finish() error { return s.Flush() }
func (s *JSONWriter) Flush() error  { return flush(s.w) }
