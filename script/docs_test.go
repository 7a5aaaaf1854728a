package script

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the output blocks of docs/scripting.md")

const docsPath = "../docs/scripting.md"

// docEvents is the event stream every example of docs/scripting.md runs on
// (the doc describes it).
// fdItem is the kernel's description of descriptor fd (a regular file,
// its path's names from the leaf up) for argument arg, or the return value
// with event.FdAtExit.
func fdItem(arg uint8, fd uint32, flags event.FdFlags, names ...string) event.Data {
	b := make([]byte, event.FdInfoSize)
	binary.LittleEndian.PutUint32(b[8:], fd)
	binary.LittleEndian.PutUint16(b[16:], 0o100644)
	b[18] = byte(flags)
	for _, n := range names {
		b = append(append(b, n...), 0)
	}
	return event.Data{Arg: arg, Kind: event.Fd, Bytes: b}
}

func docEvents() []*event.Event {
	const ms = 1_000_000
	sockaddr := []byte{2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	return []*event.Event{
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 59, Comm: "cat", TS: 1 * ms, Duration: 50_000, Ret: 0,
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/cat")}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 257, Comm: "cat", TS: 2 * ms, Duration: 4_000, Ret: 3,
			Args: [6]uint64{0xffffff9c, 0x7ffd0000, 0, 0}, Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/etc/hostname")},
				fdItem(0, 3, event.FdAtExit, "hostname", "etc")},
			Stack: []event.Frame{
				{Addr: 0x7f3a9e0f8011, Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Offset: 0xf8011, Symbol: "__open64", SymOff: 0x51},
				{Addr: 0x55d0c1a01161, Module: "/usr/bin/cat", Offset: 0x1161, Symbol: "open_input", SymOff: 0x18},
				{Addr: 0x55d0c1a01188, Module: "/usr/bin/cat", Offset: 0x1188},
				{Addr: 0x7ffd00001234},
			}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 0, Comm: "cat", TS: 3 * ms, Duration: 1_500, Ret: 10,
			Args: [6]uint64{3, 0x7ffd1000, 4096}, Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: []byte("buildhost\n")},
				fdItem(0, 3, 0, "hostname", "etc")}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 257, Comm: "cat", TS: 4 * ms, Duration: 2_500, Ret: -2,
			Args: [6]uint64{0xffffff9c, 0x7ffd2000, 0, 0}, Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/nonexistent")}}},
		{Kind: event.Lost, TS: 4 * ms, LostN: 5},
		{Kind: event.Syscall, PID: 100, TID: 101, Nr: 42, Comm: "cat", TS: 5 * ms, Duration: 30_000, Ret: -111,
			Args: [6]uint64{4, 0x7ffd3000, 16}, Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: sockaddr}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 3, Comm: "cat", TS: 1200 * ms, Duration: 800, Ret: 0, Args: [6]uint64{3}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 231, Comm: "cat", TS: 1300 * ms, Flags: event.NoReturn},
	}
}

type docExample struct {
	lang, src, out string
	line           int
	outStart       int // byte offsets of the output block's body in the doc
	outEnd         int
}

var fenceRE = regexp.MustCompile("(?m)^```(starlark|lua)\n((?s:.*?))^```\n+```output\n((?s:.*?))^```")

func docExamples(t *testing.T, doc string) []docExample {
	var exs []docExample
	for _, m := range fenceRE.FindAllStringSubmatchIndex(doc, -1) {
		exs = append(exs, docExample{
			lang: doc[m[2]:m[3]], src: doc[m[4]:m[5]], out: doc[m[6]:m[7]],
			line:     strings.Count(doc[:m[0]], "\n") + 1,
			outStart: m[6], outEnd: m[7],
		})
	}
	if len(exs) == 0 {
		t.Fatal("no examples in the doc")
	}
	return exs
}

func runDocExample(ex docExample) string {
	tab, _ := syscalls.ForArch("amd64")
	var out bytes.Buffer
	p := NewPipeline(&out, Options{
		Table: tab, Args: map[string]string{"threshold_us": "2"},
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	defer p.Close()
	ext := ".star"
	if ex.lang == "lua" {
		ext = ".lua"
	}
	err := p.AddSource("example"+ext, []byte(ex.src))
	if err == nil {
		err = p.Start()
	}
	for _, ev := range docEvents() {
		if err != nil {
			break
		}
		err = p.Event(ev)
	}
	if err == nil {
		err = p.Finish()
	} else {
		p.Flush()
	}
	if err != nil {
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	return out.String()
}

// TestDocExamples runs every example of docs/scripting.md and checks its
// output block.
func TestDocExamples(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	exs := docExamples(t, doc)
	if *updateDocs {
		for i := len(exs) - 1; i >= 0; i-- {
			doc = doc[:exs[i].outStart] + runDocExample(exs[i]) + doc[exs[i].outEnd:]
		}
		if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, ex := range exs {
		got := runDocExample(ex)
		if diff := cmp.Diff(ex.out, got); diff != "" {
			t.Errorf("docs/scripting.md:%d: %s example output (-want +got):\n%s", ex.line, ex.lang, diff)
		}
	}
}

// TestEverythingDocumented fails when a hook, builtin, ev field, p field
// or aggregation method has no heading in docs/scripting.md or is used in
// no example.
func TestEverythingDocumented(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var code strings.Builder
	for _, ex := range docExamples(t, doc) {
		code.WriteString(ex.src)
	}
	type item struct{ heading, use string }
	var items []item
	for _, h := range Hooks() {
		items = append(items, item{h, "def " + h + "("})
	}
	for _, n := range Builtins() {
		items = append(items, item{n + "()", n + "("})
	}
	for _, f := range EventFields() {
		items = append(items, item{"ev." + f, "ev." + f})
	}
	for _, f := range ProcessFields() {
		items = append(items, item{"p." + f, "p." + f})
	}
	for _, m := range AggMethods() {
		items = append(items, item{"m." + m + "()", "." + m + "("})
	}
	for _, it := range items {
		if !strings.Contains(doc, "\n### `"+it.heading+"`") {
			t.Errorf("docs/scripting.md has no heading ### `%s`", it.heading)
		}
		if !strings.Contains(code.String(), it.use) {
			t.Errorf("docs/scripting.md: no example uses %s", it.use)
		}
	}
}
