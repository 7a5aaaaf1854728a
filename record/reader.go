package record

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

const readBufSize = 256 << 10

// Reader reads a recording. It is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	hdr     *Header
	off     int64  // offset of the next unread byte
	big     []byte // records larger than the bufio buffer
	records uint64
	comms   map[string]string // interned comm strings
	// the last comm field read and its string
	lastCommField [commSize]byte
	lastComm      string
	err           error    // sticky: io.EOF or the first error
	cgroups       []Cgroup // the header's target cgroups (cgroup.go)
}

// NewReader reads and checks the header of a recording; Header returns it.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, readBufSize), comms: make(map[string]string)}
	h, err := rd.readHeader()
	if err != nil {
		return nil, err
	}
	rd.hdr = h
	rd.cgroups = h.Cgroups()
	return rd, nil
}

// Header returns the header of the recording.
func (r *Reader) Header() *Header { return r.hdr }

// Offset returns the byte offset of the next record.
func (r *Reader) Offset() int64 { return r.off }

// Next reads the next event into ev, overwriting every field. The Bytes of
// ev.Data alias the Reader's buffers and are valid until the next call to
// Next; ev.Data's backing array is reused. At the end of a complete
// recording Next returns io.EOF; bad input returns a *FormatError naming the
// offset, after every good record before it has been returned.
func (r *Reader) Next(ev *event.Event) error {
	if r.err != nil {
		return r.err
	}
	err := r.next(ev)
	if err != nil {
		r.err = err
	}
	return err
}

func (r *Reader) next(ev *event.Event) error {
	start := r.off
	p, err := r.br.Peek(8)
	if len(p) < 8 {
		if len(p) == 0 && errors.Is(err, io.EOF) {
			return formatErr(start, ErrTruncated, "missing end record: the recording was cut short after %d records", r.records)
		}
		return r.short(start, "record", 8, len(p), 0, err)
	}
	size := int(le.Uint32(p))
	kind := le.Uint16(p[4:])
	flags := le.Uint16(p[6:])
	if size < 8 || size%8 != 0 || size > MaxRecordSize {
		return formatErr(start, ErrCorrupt, "bad record size %d: want a multiple of 8 between 8 and %d", size, MaxRecordSize)
	}
	switch kind {
	case KindSyscall, KindExit, KindSignal:
		if size < syscallFixedSize {
			return formatErr(start, ErrCorrupt, "bad %s record size %d: want at least %d", kindName(kind), size, syscallFixedSize)
		}
	case KindLost:
		if size != lostSize {
			return formatErr(start, ErrCorrupt, "bad lost record size %d: want %d", size, lostSize)
		}
	case KindEnd:
		if size != endSize {
			return formatErr(start, ErrCorrupt, "bad end record size %d: want %d", size, endSize)
		}
	default:
		return formatErr(start, ErrCorrupt, "unknown record kind %d: want 1 (syscall), 2 (lost), 3 (end), 4 (exit) or 5 (signal)", kind)
	}
	rec, err := r.read(size, "record", 0)
	if err != nil {
		return err
	}
	switch kind {
	case KindLost:
		*ev = event.Event{
			Kind:  event.Lost,
			Flags: event.Flags(flags),
			PID:   le.Uint32(rec[8:]),
			TID:   le.Uint32(rec[12:]),
			TS:    le.Uint64(rec[16:]),
			LostN: le.Uint64(rec[24:]),
			Data:  ev.Data[:0],
		}
		r.records++
		return nil
	case KindEnd:
		n := le.Uint64(rec[8:])
		if n != r.records {
			return formatErr(start, ErrCorrupt, "end record counts %d records, read %d", n, r.records)
		}
		if _, err := r.br.Peek(1); err == nil {
			return formatErr(r.off, ErrCorrupt, "data after the end record")
		} else if !errors.Is(err, io.EOF) {
			return fmt.Errorf("record: offset %d: reading: %w", r.off, err)
		}
		return io.EOF
	}
	ndata := int(le.Uint16(rec[20:]))
	data := ev.Data[:0]
	var stack []event.Frame // fresh: callers may keep it
	pos := syscallFixedSize
	maxKind := event.DataKind(DataStrTrunc)
	if r.hdr.Version >= 2 {
		maxKind = DataStack
	}
	if r.hdr.Version >= 3 {
		maxKind = DataFd
	}
	for i := range ndata {
		if size-pos < dataHeaderSize {
			return formatErr(start+int64(pos), ErrCorrupt, "%s record of %d bytes ends before data item %d of %d", kindName(kind), size, i+1, ndata)
		}
		arg, dk := rec[pos], event.DataKind(rec[pos+1])
		n := int(le.Uint32(rec[pos+4:]))
		if dk < DataStr || dk > maxKind {
			return formatErr(start+int64(pos), ErrCorrupt, "data item %d: unknown kind %d: want 1 to %d", i+1, dk, maxKind)
		}
		if arg >= 6 {
			return formatErr(start+int64(pos), ErrCorrupt, "data item %d: argument %d: want 0 to 5", i+1, arg)
		}
		if n > size-pos-dataHeaderSize {
			return formatErr(start+int64(pos), ErrCorrupt, "data item %d: length %d overruns the record: %d bytes left", i+1, n, size-pos-dataHeaderSize)
		}
		b := rec[pos+dataHeaderSize : pos+dataHeaderSize+n : pos+dataHeaderSize+n]
		if dk == DataStack {
			var err error
			if stack, err = r.frames(stack, b); err != nil {
				return formatErr(start+int64(pos), ErrCorrupt, "data item %d: %v", i+1, err)
			}
		} else {
			data = append(data, event.Data{Arg: arg, Kind: dk, Bytes: b})
		}
		pos += dataHeaderSize + pad8(n)
	}
	if pos != size {
		return formatErr(start, ErrCorrupt, "%s record size %d: its %d data items end at %d", kindName(kind), size, ndata, pos)
	}
	if event.Flags(flags)&event.Compat != 0 && !r.hdr.Compat {
		return formatErr(start, ErrCorrupt, "%s record flags 0x%x: COMPAT (0x%x) in a version %d recording: want version 3", kindName(kind), flags, uint16(event.Compat), r.hdr.Version)
	}
	*ev = event.Event{
		Kind:     eventKinds[kind],
		Flags:    event.Flags(flags),
		PID:      le.Uint32(rec[8:]),
		TID:      le.Uint32(rec[12:]),
		Nr:       int32(le.Uint32(rec[16:])),
		TS:       le.Uint64(rec[24:]),
		Duration: le.Uint64(rec[32:]),
		Ret:      int64(le.Uint64(rec[88:])),
		Comm:     r.comm(rec[96 : 96+commSize]),
		Data:     data,
	}
	if len(stack) > 0 {
		ev.Stack = stack
	}
	if n := int(le.Uint16(rec[22:])); n > 0 && n <= len(r.cgroups) {
		ev.Cgroup, ev.Container = r.cgroups[n-1].ID, r.cgroups[n-1].Name
	}
	for i := range ev.Args {
		ev.Args[i] = le.Uint64(rec[40+8*i:])
	}
	r.records++
	return nil
}

// frames decodes a stack item (struct trace_stack and its frames) into
// st. Module names are interned: a stack repeats a few files.
func (r *Reader) frames(st []event.Frame, b []byte) ([]event.Frame, error) {
	if len(b) < stackHeaderSize {
		return st, fmt.Errorf("stack of %d bytes: want at least %d", len(b), stackHeaderSize)
	}
	n := int(le.Uint32(b))
	pos := stackHeaderSize
	for i := range n {
		if len(b)-pos < frameHeaderSize {
			return st, fmt.Errorf("stack ends before frame %d of %d", i+1, n)
		}
		ml, sl := int(le.Uint16(b[pos+24:])), int(le.Uint16(b[pos+26:]))
		if ml+sl > len(b)-pos-frameHeaderSize {
			return st, fmt.Errorf("frame %d: names of %d bytes overrun the stack", i+1, ml+sl)
		}
		names := b[pos+frameHeaderSize:]
		st = append(st, event.Frame{
			Addr:   le.Uint64(b[pos:]),
			Offset: le.Uint64(b[pos+8:]),
			SymOff: le.Uint64(b[pos+16:]),
			Module: r.intern(names[:ml]),
			Symbol: string(names[ml : ml+sl]),
		})
		pos += pad8(frameHeaderSize + ml + sl)
	}
	if pos != len(b) {
		return st, fmt.Errorf("stack of %d bytes: its %d frames end at %d", len(b), n, pos)
	}
	return st, nil
}

func (r *Reader) intern(b []byte) string {
	s, ok := r.comms[string(b)]
	if !ok {
		s = string(b)
		if len(r.comms) < 1<<16 {
			r.comms[s] = s
		}
	}
	return s
}

func kindName(kind uint16) string {
	switch kind {
	case KindExit:
		return "exit"
	case KindSignal:
		return "signal"
	}
	return "syscall"
}

// comm returns the interned string of a NUL-padded comm field; runs of
// events from one process cost a 16-byte compare.
func (r *Reader) comm(field []byte) string {
	if [commSize]byte(field) == r.lastCommField {
		return r.lastComm
	}
	b := field
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s, ok := r.comms[string(b)]
	if !ok {
		s = string(b)
		if len(r.comms) < 1<<16 {
			r.comms[s] = s
		}
	}
	r.lastCommField, r.lastComm = [commSize]byte(field), s
	return s
}

// read returns the next n bytes and advances past them. The bytes alias the
// bufio buffer (or r.big) and are valid until the next read. Short input is a
// FormatError wrapping ErrTruncated, and wrapping io.EOF too when no byte at
// all was left.
// already counts bytes of the same unit read before, for the message.
func (r *Reader) read(n int, what string, already int) ([]byte, error) {
	start := r.off
	if n <= r.br.Size() {
		p, err := r.br.Peek(n)
		if len(p) == n {
			r.br.Discard(n)
			r.off += int64(n)
			return p, nil
		}
		return nil, r.short(start, what, n, len(p), already, err)
	}
	// Grow as bytes arrive, so a corrupt size costs no more memory than the
	// input actually holds.
	r.big = r.big[:0]
	for len(r.big) < n {
		chunk := min(n-len(r.big), readBufSize)
		l := len(r.big)
		r.big = append(r.big, make([]byte, chunk)...)
		m, err := io.ReadFull(r.br, r.big[l:])
		r.big = r.big[:l+m]
		r.off += int64(m)
		if err != nil {
			return nil, r.short(start, what, n, len(r.big), already, err)
		}
	}
	return r.big, nil
}

func (r *Reader) short(start int64, what string, want, have, already int, err error) error {
	start -= int64(already)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("record: offset %d: reading %s: %w", start, what, err)
	}
	return formatErr(start, ErrTruncated, "truncated %s: want %d bytes, have %d", what, want+already, have+already)
}

func (r *Reader) readHeader() (*Header, error) {
	p, err := r.read(fileHeaderSize, "header", 0)
	if err != nil {
		return nil, r.headerErr(err)
	}
	if string(p[:8]) != Magic {
		return nil, formatErr(0, ErrNotRecording, "not a strace.ebpf recording: want magic %q, have %q", Magic, p[:8])
	}
	h := &Header{Version: le.Uint32(p[8:])}
	h.Stacks = h.Version >= 2
	h.Compat = h.Version >= 3
	if h.Version == 0 || h.Version > Version {
		return nil, formatErr(8, ErrVersion, "unsupported format version %d: this strace.ebpf reads versions 1 to %d; a newer one wrote it", h.Version, Version)
	}
	size := int(le.Uint32(p[12:]))
	h.BootOffset = le.Uint64(p[16:])
	if size < fileHeaderSize || size%8 != 0 || size > MaxHeaderSize {
		return nil, formatErr(12, ErrCorrupt, "bad header size %d: want a multiple of 8 between %d and %d", size, fileHeaderSize, MaxHeaderSize)
	}
	meta, err := r.read(size-fileHeaderSize, "header", fileHeaderSize)
	if err != nil {
		return nil, err
	}
	if err := parseMeta(h, meta, fileHeaderSize); err != nil {
		return nil, err
	}
	if h.Arch == "" {
		return nil, formatErr(fileHeaderSize, ErrCorrupt, "header has no architecture item")
	}
	return h, nil
}

// headerErr turns a short fixed header into the right complaint: a short
// input that does not start with the magic is not a recording at all.
func (r *Reader) headerErr(err error) error {
	var fe *FormatError
	if !errors.As(err, &fe) {
		return err
	}
	p, _ := r.br.Peek(r.br.Buffered())
	n := min(len(p), len(Magic))
	if n == 0 {
		return formatErr(0, ErrNotRecording, "empty input: want a strace.ebpf recording")
	}
	if string(p[:n]) != Magic[:n] {
		return formatErr(0, ErrNotRecording, "not a strace.ebpf recording: want magic %q, have %q", Magic, p[:n])
	}
	return err
}

func parseMeta(h *Header, b []byte, base int) error {
	pos := 0
	for pos < len(b) {
		off := int64(base + pos)
		if len(b)-pos < metaHeaderSize {
			return formatErr(off, ErrCorrupt, "header item header: want %d bytes, have %d", metaHeaderSize, len(b)-pos)
		}
		typ := le.Uint16(b[pos:])
		n := int(le.Uint32(b[pos+4:]))
		if n > len(b)-pos-metaHeaderSize {
			return formatErr(off, ErrCorrupt, "header item of type %d: length %d overruns the header: %d bytes left", typ, n, len(b)-pos-metaHeaderSize)
		}
		p := b[pos+metaHeaderSize : pos+metaHeaderSize+n]
		switch typ {
		case MetaArch:
			h.Arch = string(p)
		case MetaKernel:
			h.KernelRelease = string(p)
		case MetaArgv:
			words, err := cstrings(p, -1)
			if err != nil {
				return formatErr(off, ErrCorrupt, "command line item: %v", err)
			}
			h.Argv = words
		case MetaOption:
			kv, err := cstrings(p, 2)
			if err != nil {
				return formatErr(off, ErrCorrupt, "option item: %v", err)
			}
			if h.Options == nil {
				h.Options = make(map[string]string)
			}
			h.Options[kv[0]] = kv[1]
		case MetaSyscall:
			if n < metaSyscallSize {
				return formatErr(off, ErrCorrupt, "syscall item: want at least %d bytes, have %d", metaSyscallSize, n)
			}
			nargs := int(le.Uint16(p[4:]))
			if nargs > 6 {
				return formatErr(off, ErrCorrupt, "syscall item: %d arguments: want at most 6", nargs)
			}
			words, err := cstrings(p[metaSyscallSize:], 1+2*nargs)
			if err != nil {
				return formatErr(off, ErrCorrupt, "syscall item: %v", err)
			}
			sc := Syscall{Nr: int32(le.Uint32(p)), Name: words[0]}
			for i := range nargs {
				sc.Args = append(sc.Args, Arg{Name: words[1+2*i], Type: words[2+2*i]})
			}
			h.Syscalls = append(h.Syscalls, sc)
		default:
			// Unknown item types are skipped: items may be added without
			// a version bump, since the length says how far to skip.
		}
		pos += metaHeaderSize + pad8(n)
	}
	return nil
}

// cstrings splits NUL-terminated words; want < 0 accepts any number.
func cstrings(p []byte, want int) ([]string, error) {
	var out []string
	for len(p) > 0 {
		i := bytes.IndexByte(p, 0)
		if i < 0 {
			return nil, errors.New("word without a NUL terminator")
		}
		out = append(out, string(p[:i]))
		p = p[i+1:]
	}
	if want >= 0 && len(out) != want {
		return nil, fmt.Errorf("want %d NUL-terminated words, have %d", want, len(out))
	}
	return out, nil
}
