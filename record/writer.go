package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

var le = binary.LittleEndian

// Writer writes a recording. It is not safe for concurrent use.
type Writer struct {
	bw      *bufio.Writer
	buf     []byte // reused for every record
	records uint64
	err     error // sticky
	closed  bool
	stacks  bool // the header says Stacks: events' stacks are written
	compat  bool // the header says Compat: calls made in 32-bit mode are written
	// raise is the file whose header's version becomes 3 when the first
	// call made in 32-bit mode is written (nil once done, or when the
	// header was written as version 3 already).
	raise io.WriterAt
	// cgroups numbers the header's target cgroups (cgroup.go).
	cgroups map[uint64]uint16
}

// NewWriter writes hdr to w and returns a Writer for the records. Writes are
// buffered; Close writes the end record and flushes, but does not close w.
//
// With hdr.Compat, the version is 3 only if a call made in 32-bit mode is
// written: into a regular file the header is written as version 1 or 2 and
// raised to 3 in place by the first such call, so that an older reader
// refuses the file rather than decode such a call with the native table;
// into a pipe it is 3 from the start.
func NewWriter(w io.Writer, hdr Header) (*Writer, error) {
	written := hdr
	var raise io.WriterAt
	if f, ok := w.(*os.File); ok && hdr.Compat {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil && off == 0 {
				raise, written.Compat = f, false
			}
		}
	}
	head, err := appendHeader(nil, &written)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := bw.Write(head); err != nil {
		return nil, fmt.Errorf("writing recording header: %w", err)
	}
	return &Writer{bw: bw, buf: make([]byte, 0, 4096), stacks: hdr.Stacks, compat: hdr.Compat, raise: raise,
		cgroups: cgroupIndex(hdr.Cgroups())}, nil
}

// compatCall checks that the header allows a call made in 32-bit mode and
// raises the file's version to 3 at the first one.
func (w *Writer) compatCall() error {
	if !w.compat {
		return errors.New("writing record: a call made in 32-bit mode in a recording whose header has no Compat")
	}
	if w.raise != nil {
		// The header may still be in the buffer: out first, then raised.
		if err := w.bw.Flush(); err != nil {
			return fmt.Errorf("writing recording header: %w", err)
		}
		if _, err := w.raise.WriteAt(le.AppendUint32(nil, 3), 8); err != nil {
			return fmt.Errorf("writing recording header: raising the version to 3: %w", err)
		}
		w.raise = nil
	}
	return nil
}

// Write appends one event. Syscall, Exit and Signal events keep every
// field and their captured data; Lost events keep PID, TID, TS and LostN. It does not allocate once the record
// buffer has grown to the largest record.
func (w *Writer) Write(ev *event.Event) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("writing record: writer is closed")
	}
	b := w.buf[:0]
	switch ev.Kind {
	case event.Syscall, event.Exit, event.Signal:
		size := syscallFixedSize
		for i := range ev.Data {
			size += dataHeaderSize + pad8(len(ev.Data[i].Bytes))
		}
		ndata := len(ev.Data)
		if len(ev.Stack) > 0 {
			if !w.stacks {
				return errors.New("writing record: an event with a stack in a recording whose header has no Stacks")
			}
			size += dataHeaderSize + stackSize(ev.Stack)
			ndata++
		}
		if size > MaxRecordSize {
			return fmt.Errorf("writing record: %d bytes of captured data exceed the %d-byte record limit", size, MaxRecordSize)
		}
		if ev.Flags&event.Compat != 0 {
			if err := w.compatCall(); err != nil {
				return err
			}
		}
		if ndata > 0xffff {
			return fmt.Errorf("writing record: %d data items exceed the limit of 65535", ndata)
		}
		b = le.AppendUint32(b, uint32(size))
		b = le.AppendUint16(b, recordKinds[ev.Kind])
		b = le.AppendUint16(b, uint16(ev.Flags))
		b = le.AppendUint32(b, ev.PID)
		b = le.AppendUint32(b, ev.TID)
		b = le.AppendUint32(b, uint32(ev.Nr))
		b = le.AppendUint16(b, uint16(ndata))
		b = le.AppendUint16(b, w.cgroups[ev.Cgroup]) // 0 when not a target's
		b = le.AppendUint64(b, ev.TS)
		b = le.AppendUint64(b, ev.Duration)
		for _, a := range ev.Args {
			b = le.AppendUint64(b, a)
		}
		b = le.AppendUint64(b, uint64(ev.Ret))
		b = appendComm(b, ev.Comm)
		for i := range ev.Data {
			d := &ev.Data[i]
			b = append(b, d.Arg, uint8(d.Kind), 0, 0)
			b = le.AppendUint32(b, uint32(len(d.Bytes)))
			b = append(b, d.Bytes...)
			b = appendPad(b)
		}
		if len(ev.Stack) > 0 {
			b = appendStack(b, ev.Stack)
		}
	case event.Lost:
		b = le.AppendUint32(b, lostSize)
		b = le.AppendUint16(b, KindLost)
		b = le.AppendUint16(b, uint16(ev.Flags))
		b = le.AppendUint32(b, ev.PID)
		b = le.AppendUint32(b, ev.TID)
		b = le.AppendUint64(b, ev.TS)
		b = le.AppendUint64(b, ev.LostN)
	default:
		return fmt.Errorf("writing record: unknown event kind %d", ev.Kind)
	}
	w.buf = b
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("writing record: %w", err)
		return w.err
	}
	w.records++
	return nil
}

// Flush writes buffered records to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("flushing recording: %w", err)
	}
	return w.err
}

// Close writes the end record, which marks the recording complete, and
// flushes. It does not close the underlying writer. Calling it twice is a
// no-op.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	b := w.buf[:0]
	b = le.AppendUint32(b, endSize)
	b = le.AppendUint16(b, KindEnd)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint64(b, w.records)
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("writing end record: %w", err)
		return w.err
	}
	return w.Flush()
}

// Records returns how many events have been written.
func (w *Writer) Records() uint64 { return w.records }

// stackSize is the padded payload of a stack item.
func stackSize(st []event.Frame) int {
	n := stackHeaderSize
	for i := range st {
		n += pad8(frameHeaderSize + len(clip(st[i].Module)) + len(clip(st[i].Symbol)))
	}
	return n
}

// appendStack appends a DataStack item: struct trace_data, struct
// trace_stack, then each struct trace_frame with its module and symbol.
func appendStack(b []byte, st []event.Frame) []byte {
	b = append(b, 0, DataStack, 0, 0)
	b = le.AppendUint32(b, uint32(stackSize(st)))
	b = le.AppendUint32(b, uint32(len(st)))
	b = le.AppendUint32(b, 0)
	for i := range st {
		f := &st[i]
		mod, sym := clip(f.Module), clip(f.Symbol)
		b = le.AppendUint64(b, f.Addr)
		b = le.AppendUint64(b, f.Offset)
		b = le.AppendUint64(b, f.SymOff)
		b = le.AppendUint16(b, uint16(len(mod)))
		b = le.AppendUint16(b, uint16(len(sym)))
		b = le.AppendUint32(b, 0)
		b = append(b, mod...)
		b = append(b, sym...)
		b = appendPad(b)
	}
	return b
}

// clip cuts a frame's name to what its u16 length holds.
func clip(s string) string {
	if len(s) > 0xffff {
		return s[:0xffff]
	}
	return s
}

func appendComm(b []byte, comm string) []byte {
	if len(comm) > commSize {
		comm = comm[:commSize]
	}
	b = append(b, comm...)
	for range commSize - len(comm) {
		b = append(b, 0)
	}
	return b
}

func appendPad(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// appendHeader encodes the fixed header and the header items.
func appendHeader(b []byte, h *Header) ([]byte, error) {
	start := len(b)
	b = append(b, Magic...)
	version := uint32(1)
	if h.Stacks {
		version = 2
	}
	if h.Options["fds"] != "" || h.Compat {
		version = 3
	}
	b = le.AppendUint32(b, version)
	b = le.AppendUint32(b, 0) // header_size, patched below
	b = le.AppendUint64(b, h.BootOffset)
	b = le.AppendUint32(b, auditArch[h.Arch])
	b = le.AppendUint32(b, 0)

	b = appendMeta(b, MetaArch, []byte(h.Arch))
	b = appendMeta(b, MetaKernel, []byte(h.KernelRelease))
	var words []byte
	for _, a := range h.Argv {
		words = append(words, a...)
		words = append(words, 0)
	}
	b = appendMeta(b, MetaArgv, words)
	keys := make([]string, 0, len(h.Options))
	for k := range h.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kv := append([]byte(k), 0)
		kv = append(kv, h.Options[k]...)
		kv = append(kv, 0)
		b = appendMeta(b, MetaOption, kv)
	}
	for _, sc := range h.Syscalls {
		if len(sc.Args) > 0xffff {
			return nil, fmt.Errorf("encoding recording header: syscall %s has %d arguments", sc.Name, len(sc.Args))
		}
		p := le.AppendUint32(nil, uint32(sc.Nr))
		p = le.AppendUint16(p, uint16(len(sc.Args)))
		p = le.AppendUint16(p, 0)
		p = append(p, sc.Name...)
		p = append(p, 0)
		for _, a := range sc.Args {
			p = append(p, a.Name...)
			p = append(p, 0)
			p = append(p, a.Type...)
			p = append(p, 0)
		}
		b = appendMeta(b, MetaSyscall, p)
	}
	size := len(b) - start
	if size > MaxHeaderSize {
		return nil, fmt.Errorf("encoding recording header: %d bytes exceed the %d-byte limit", size, MaxHeaderSize)
	}
	le.PutUint32(b[start+12:], uint32(size))
	return b, nil
}

func appendMeta(b []byte, typ uint16, payload []byte) []byte {
	b = le.AppendUint16(b, typ)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	return appendPad(b)
}
