package script

import (
	"io"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func benchPipeline(b *testing.B, name, src string) {
	tab, _ := syscalls.ForArch("amd64")
	p := NewPipeline(io.Discard, Options{Table: tab})
	defer p.Close()
	if err := p.AddSource(name, []byte(src)); err != nil {
		b.Fatal(err)
	}
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	ev := &event.Event{Kind: event.Syscall, PID: 10, TID: 10, Nr: 0, Comm: "dd", Args: [6]uint64{0, 1, 1}, Ret: 1, Duration: 300}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.TS = uint64(i)
		if err := p.Event(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrivial is a trivial on_syscall: the cost of a call per event.
func BenchmarkTrivial(b *testing.B) {
	benchPipeline(b, "t.star", "def on_syscall(ev):\n    return False\n")
}

// BenchmarkCountDict counts calls by name in a dict, the idiom of DESIGN.md.
func BenchmarkCountDict(b *testing.B) {
	benchPipeline(b, "t.star", "n = {}\ndef on_syscall(ev):\n    n[ev.name] = n.get(ev.name, 0) + 1\n")
}

// BenchmarkCountAgg counts calls by name with count().
func BenchmarkCountAgg(b *testing.B) {
	benchPipeline(b, "t.star", "c = count()\ndef on_syscall(ev):\n    c.add(ev.name)\n")
}

// BenchmarkDeclaredOut is an event outside the stage's declaration: it
// never reaches the script.
func BenchmarkDeclaredOut(b *testing.B) {
	benchPipeline(b, "t.star", "trace(syscalls=[\"openat\"])\ndef on_syscall(ev):\n    return False\n")
}

func BenchmarkLuaTrivial(b *testing.B) {
	benchPipeline(b, "t.lua", "function on_syscall(ev) return false end\n")
}

func BenchmarkLuaCount(b *testing.B) {
	benchPipeline(b, "t.lua", "local c = count()\nfunction on_syscall(ev) c:add(ev.name) end\n")
}

// BenchmarkConcat builds a string per event ('+' is guarded in user
// scripts: guard.go).
func BenchmarkConcat(b *testing.B) {
	benchPipeline(b, "t.star", "def on_syscall(ev):\n    s = ev.name + \":\" + ev.comm\n")
}

// BenchmarkLuaConcat builds a string per event ('..' is guarded in user
// scripts: luaguard.go).
func BenchmarkLuaConcat(b *testing.B) {
	benchPipeline(b, "t.lua", "function on_syscall(ev) local s = ev.name .. ':' .. ev.comm end\n")
}
