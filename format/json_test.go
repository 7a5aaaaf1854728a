package format

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// The -update flag refreshes golden files. Another test file of the package
// may define it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./format -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got); go test ./format -update refreshes it:\n%s", path, diff)
	}
}

func amd64Table(t testing.TB) *syscalls.Table {
	t.Helper()
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// machineEvents is a small trace of two processes on amd64 numbers, with
// every kind of event and captured data: shared by the JSON and Perfetto
// tests.
func machineEvents() []event.Event {
	return []event.Event{
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 59, Comm: "strace.ebpf", TS: 1000, Flags: event.NoReturn,
			Args: [6]uint64{0x7ffc0000, 0x7ffc0100, 0x7ffc0200},
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/ls")}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 257, Comm: "ls", TS: 2000, Duration: 2500,
			Args: [6]uint64{0xffffff9c, 0x55550000, 0x80000, 0}, Ret: -2,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/tmp/\"quoted\"\\\t\n\x01é\xff")}}},
		{Kind: event.Syscall, PID: 100, TID: 101, Nr: 1, Comm: "ls", TS: 3000, Duration: 1234567, Ret: 3,
			Args: [6]uint64{1, 0x55551000, 3},
			Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: []byte("hi\n")}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 0, Comm: "ls", TS: 5000, Duration: 10, Ret: 4,
			Args: [6]uint64{3, 0x55552000, 4096},
			Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: []byte{0, 1, 0xfe, 0xff}}},
			Stack: []event.Frame{
				{Addr: 0x7f0000114a7d, Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Offset: 0x114a7d, Symbol: "read", SymOff: 0x1d},
				{Addr: 0x555500001234, Module: "/usr/bin/ls", Offset: 0x1234},
				{Addr: 0x7ffc00000010},
			}},
		{Kind: event.Lost, TS: 6000, LostN: 42},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 4, Comm: "ls", TS: 7000, Duration: 100, Ret: -13,
			Args: [6]uint64{0x55553000, 0x7ffc0300},
			Data: []event.Data{{Arg: 0, Kind: event.StrTrunc, Bytes: []byte("/very/long")}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 999, Comm: "ls", TS: 8000, Duration: 1, Ret: -38,
			Args: [6]uint64{1, 2, 3, 4, 5, 6}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 16, Comm: "ls", TS: 9000, Duration: 2, Ret: -4095,
			Args: [6]uint64{1, 0x5401, 0}},
		{Kind: event.Syscall, PID: 200, TID: 200, Nr: 61, Comm: "sleep", TS: 9500, Duration: 500, Flags: event.Unfinished,
			Args: [6]uint64{0xffffffffffffffff, 0x7ffd0000, 0, 0}},
		{Kind: event.Signal, PID: 200, TID: 200, Nr: 17, Comm: "sleep", TS: 9800,
			Data: []event.Data{{Arg: 0, Kind: event.BufOut, Bytes: []byte{17, 0, 0, 0, 0, 0, 0, 0}}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 231, Comm: "ls", TS: 10000, Flags: event.NoReturn},
		{Kind: event.Exit, PID: 100, TID: 101, Comm: "ls", TS: 10100, Ret: 0x8b},
		{Kind: event.Exit, PID: 100, TID: 100, Comm: "ls", TS: 10200, Ret: 0x300},
	}
}

func jsonLines(t testing.TB, evs []event.Event) []byte {
	tab := amd64Table(t)
	var out []byte
	for i := range evs {
		out = AppendJSON(out, &evs[i], tab)
		out = append(out, '\n')
	}
	return out
}

func TestJSONGolden(t *testing.T) {
	golden(t, "json.golden", jsonLines(t, machineEvents()))
}

// TestJSONParses parses every line with encoding/json and checks the values
// against the events.
func TestJSONParses(t *testing.T) {
	evs := machineEvents()
	lines := strings.Split(strings.TrimSuffix(string(jsonLines(t, evs)), "\n"), "\n")
	if len(lines) != len(evs) {
		t.Fatalf("%d lines for %d events", len(lines), len(evs))
	}
	type data struct {
		Arg   int
		Name  string
		Kind  string
		Len   int
		Value *string
		Hex   *string
	}
	type frame struct {
		Addr, Offset, Symoff uint64
		Module, Symbol       string
	}
	type obj struct {
		V, Ts, Dur, Pid, Tid, Nr, N uint64
		Kind, Comm, Name            string
		Args                        map[string]any
		Raw                         map[string]int64
		Data                        []data
		Ret                         *int64
		Errno                       int
		Errname, Errmsg             string
		Noreturn, Unfinished        bool
		Status                      *int64
		Code                        *int64
		Signal                      any
		Core                        bool
		Signo                       int
		Signame, Siginfo            string
		Stack                       []frame
	}
	for i, line := range lines {
		var got obj
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		ev := &evs[i]
		want := obj{V: JSONVersion, Ts: ev.TS}
		switch ev.Kind {
		case event.Lost:
			want.Kind, want.N = "lost", ev.LostN
		case event.Exit:
			want.Kind, want.Pid, want.Tid, want.Comm = "exit", uint64(ev.PID), uint64(ev.TID), ev.Comm
			st := ev.Ret
			want.Status = &st
			if sig := st & 0x7f; sig != 0 {
				want.Signal, want.Core = syscalls.SignalName(int(sig)), st&0x80 != 0
			} else {
				c := st >> 8
				want.Code = &c
			}
		case event.Signal:
			want.Kind, want.Pid, want.Tid, want.Comm = "signal", uint64(ev.PID), uint64(ev.TID), ev.Comm
			want.Signo, want.Signame, want.Siginfo = int(ev.Nr), syscalls.SignalName(int(ev.Nr)), fmt.Sprintf("%x", ev.Data[0].Bytes)
		default:
			tab := amd64Table(t)
			want.Kind, want.Dur, want.Pid, want.Tid, want.Nr = "syscall", ev.Duration, uint64(ev.PID), uint64(ev.TID), uint64(ev.Nr)
			want.Comm, want.Name = ev.Comm, tab.Name(int(ev.Nr))
			want.Args, want.Raw = map[string]any{}, map[string]int64{}
			sc := tab.ByNr(int(ev.Nr))
			argName := func(i int) string {
				if sc == nil {
					return fmt.Sprintf("arg%d", i)
				}
				return sc.Args[i].Name
			}
			n := 6
			if sc != nil {
				n = len(sc.Args)
			}
			for a := range n {
				if sc != nil {
					raw := int64(sc.Args[a].Normalize(ev.Args[a]))
					want.Raw[argName(a)] = raw
					want.Args[argName(a)] = json.Number(strconv.FormatInt(raw, 10))
					if ft := tab.Flags(sc.Args[a].Decoder); ft != nil && (sc.Args[a].Kind == syscalls.Flags || sc.Args[a].Kind == syscalls.Dirfd) {
						want.Args[argName(a)] = ft.Format(sc.Args[a].Normalize(ev.Args[a]))
					}
					if s, ok := ev.String(a); ok && (sc.Args[a].Kind == syscalls.Path || sc.Args[a].Kind == syscalls.Str) {
						want.Args[argName(a)] = strings.ToValidUTF8(s, "\uFFFD")
					}
				} else {
					want.Raw[argName(a)] = int64(ev.Args[a])
					want.Args[argName(a)] = json.Number(strconv.FormatUint(ev.Args[a], 10))
				}
			}
			for _, d := range ev.Data {
				wd := data{Arg: int(d.Arg), Name: argName(int(d.Arg)), Len: len(d.Bytes)}
				wd.Kind = map[event.DataKind]string{event.Str: "str", event.StrTrunc: "str_trunc", event.BufIn: "buf_in", event.BufOut: "buf_out"}[d.Kind]
				str := d.Kind == event.Str || d.Kind == event.StrTrunc
				if str {
					v := strings.ToValidUTF8(string(d.Bytes), "\uFFFD")
					wd.Value = &v
				}
				if !str || !utf8.Valid(d.Bytes) {
					h := fmt.Sprintf("%x", d.Bytes)
					wd.Hex = &h
				}
				want.Data = append(want.Data, wd)
			}
			for _, f := range ev.Stack {
				want.Stack = append(want.Stack, frame{Addr: f.Addr, Offset: f.Offset, Symoff: f.SymOff, Module: f.Module, Symbol: f.Symbol})
			}
			switch {
			case ev.Flags&event.NoReturn != 0:
				want.Noreturn = true
			case ev.Flags&event.Unfinished != 0:
				want.Unfinished = true
			default:
				r := ev.Ret
				want.Ret = &r
				if e := ev.Errno(); e != 0 {
					want.Errno, want.Errname, want.Errmsg = e, syscalls.ErrnoName(e), syscalls.ErrnoMessage(e)
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-want +got):\n%s\n%s", i+1, diff, line)
		}
	}
}

func TestJSONString(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", `""`},
		{"plain /path", `"plain /path"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\t\n\r\x00\x1f\x7f", `"\t\n\r\u0000\u001f` + "\x7f" + `"`},
		{"é€😀", `"é€😀"`},
		{"a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // a UTF-16 surrogate is not UTF-8
		{"</script>\u2028", `"</script>` + "\u2028" + `"`},
	}
	for _, tt := range tests {
		got := string(AppendJSONString(nil, []byte(tt.in)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("AppendJSONString(%q) (-want +got):\n%s", tt.in, diff)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("AppendJSONString(%q) = %s: not JSON: %v", tt.in, got, err)
		}
		if want := strings.ToValidUTF8(tt.in, "\uFFFD"); utf8.ValidString(tt.in) && back != want {
			t.Errorf("AppendJSONString(%q) reads back as %q", tt.in, back)
		}
	}
	// Every byte value, alone and in context, gives valid JSON.
	for c := range 256 {
		b := []byte{'a', byte(c), 'z'}
		s := AppendJSONString(nil, b)
		if !json.Valid(s) || !utf8.Valid(s) {
			t.Errorf("byte %#x: %q is not valid JSON", c, s)
		}
	}
}

func TestJSONNoAlloc(t *testing.T) {
	tab := amd64Table(t)
	// Events without flag arguments: rendering flags allocates.
	var evs []event.Event
	for _, ev := range machineEvents() {
		if !hasFlagArg(&ev, tab) {
			evs = append(evs, ev)
		}
	}
	if len(evs) < 5 {
		t.Fatalf("only %d events without flags", len(evs))
	}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		for i := range evs {
			buf = AppendJSON(buf[:0], &evs[i], tab)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendJSON allocates %v times for %d events, want 0", allocs, len(evs))
	}
}

// hasFlagArg says ev has an argument args shows decoded as flags.
func hasFlagArg(ev *event.Event, tab *syscalls.Table) bool {
	sc := tab.ByNr(int(ev.Nr))
	for i := 0; sc != nil && i < len(sc.Args); i++ {
		if flagTable(sc, i, tab) != nil {
			return true
		}
	}
	return false
}

// execve's argv is an array in args, its NUL-joined capture in data; a
// path is its text.
func TestJSONExecveArgv(t *testing.T) {
	tab := amd64Table(t)
	ev := event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: 59, Comm: "sh", Args: [6]uint64{0x1000, 0x2000, 0x3000},
		Data:  []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/ls")}, {Arg: 1, Kind: event.Str, Bytes: []byte("ls\x00-l\x00/tmp dir\x00")}},
		Flags: event.NoReturn}
	var got struct {
		Args struct {
			Filename string
			Argv     []string
			Envp     int64
		}
		Raw map[string]int64
	}
	line := AppendJSON(nil, &ev, tab)
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("%v\n%s", err, line)
	}
	if got.Args.Filename != "/bin/ls" || !slices.Equal(got.Args.Argv, []string{"ls", "-l", "/tmp dir"}) || got.Args.Envp != 0x3000 ||
		got.Raw["argv"] != 0x2000 || got.Raw["filename"] != 0x1000 {
		t.Errorf("execve: %s", line)
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	tab := amd64Table(b)
	evs := machineEvents()[1:4]
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendJSON(buf[:0], &evs[i%len(evs)], tab)
	}
}

// TestJSONSchema checks every object against docs/json-schema.json with a
// validator for the subset of JSON Schema the file uses, and checks that the
// schema documents every field the writer emits.
func TestJSONSchema(t *testing.T) {
	raw, err := os.ReadFile("../docs/json-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("docs/json-schema.json: %v", err)
	}
	v := validator{root: schema}
	for i, line := range bytes.Split(bytes.TrimSuffix(jsonLines(t, machineEvents()), []byte("\n")), []byte("\n")) {
		var obj any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := v.check(schema, obj, "$"); err != nil {
			t.Errorf("line %d: %v\n%s", i+1, err, line)
		}
	}
	// And the schema rejects what it should.
	bad := []string{
		`{"v":2,"kind":"lost","ts":1}`,
		`{"v":1,"kind":"lost","ts":1,"n":1}`,
		`{"v":2,"kind":"lost","ts":1,"n":1,"extra":0}`,
		`{"v":2,"kind":"syscall","ts":1,"dur":0,"pid":1,"tid":1,"comm":"x","nr":0,"name":"read","args":{"fd":3},"raw":{"fd":"3"}}`,
		`{"v":2,"kind":"syscall","ts":1,"dur":0,"pid":1,"tid":1,"comm":"x","nr":0,"name":"read","args":{"fd":{"n":3}},"raw":{"fd":3}}`,
		`{"v":2,"kind":"syscall","ts":1,"dur":0,"pid":1,"tid":1,"comm":"x","nr":0,"name":"read","args":{"fd":3}}`,
		`{"v":2,"kind":"syscall","ts":1,"dur":0,"pid":1,"tid":1,"comm":"x","nr":0,"name":"read","args":{},"raw":{},"data":[{"arg":1,"name":"buf","kind":"blob","len":0}]}`,
	}
	for _, s := range bad {
		var obj any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			t.Fatal(err)
		}
		if v.check(schema, obj, "$") == nil {
			t.Errorf("schema accepts %s", s)
		}
	}
}

// validator implements the JSON Schema keywords docs/json-schema.json uses:
// $ref (local), oneOf, type, const, enum, required, properties,
// additionalProperties, items, minimum, maximum, pattern.
type validator struct{ root map[string]any }

func (v validator) check(s map[string]any, x any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		def, ok := v.root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unresolved $ref %s", path, ref)
		}
		return v.check(def, x, path)
	}
	if alts, ok := s["oneOf"].([]any); ok {
		n := 0
		var errs []string
		for _, a := range alts {
			if err := v.check(a.(map[string]any), x, path); err != nil {
				errs = append(errs, err.Error())
			} else {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: matches %d of oneOf, want 1: %s", path, n, strings.Join(errs, "; "))
		}
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(x) {
		return fmt.Errorf("%s: %v, want const %v", path, x, c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, c := range e {
			found = found || fmt.Sprint(c) == fmt.Sprint(x)
		}
		if !found {
			return fmt.Errorf("%s: %v not in enum %v", path, x, e)
		}
	}
	if ts, ok := s["type"].([]any); ok {
		var errs []string
		for _, t := range ts {
			err := v.check(map[string]any{"type": t}, x, path)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err.Error())
		}
		if errs != nil {
			return fmt.Errorf("%s: no type matches: %s", path, strings.Join(errs, "; "))
		}
	}
	switch s["type"] {
	case "object":
		if _, ok := x.(map[string]any); !ok {
			return fmt.Errorf("%s: %T, want object", path, x)
		}
	case "array":
		if _, ok := x.([]any); !ok {
			return fmt.Errorf("%s: %T, want array", path, x)
		}
	case "string":
		if _, ok := x.(string); !ok {
			return fmt.Errorf("%s: %T, want string", path, x)
		}
	case "integer":
		n, ok := x.(json.Number)
		if !ok || strings.ContainsAny(n.String(), ".eE") {
			return fmt.Errorf("%s: %v, want integer", path, x)
		}
	}
	if n, ok := x.(json.Number); ok {
		f, _ := n.Float64()
		if m, ok := s["minimum"].(float64); ok && f < m {
			return fmt.Errorf("%s: %v below minimum %v", path, n, m)
		}
		if m, ok := s["maximum"].(float64); ok && f > m {
			return fmt.Errorf("%s: %v above maximum %v", path, n, m)
		}
	}
	if p, ok := s["pattern"].(string); ok {
		if str, _ := x.(string); !regexp.MustCompile(p).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", path, str, p)
		}
	}
	if obj, ok := x.(map[string]any); ok {
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				return fmt.Errorf("%s: missing required %q", path, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, val := range obj {
			if ps, ok := props[k].(map[string]any); ok {
				if err := v.check(ps, val, path+"."+k); err != nil {
					return err
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					return fmt.Errorf("%s: property %q not in the schema", path, k)
				}
			case map[string]any:
				if err := v.check(ap, val, path+"."+k); err != nil {
					return err
				}
			}
		}
	}
	if arr, ok := x.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				if err := v.check(items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func asSlice(x any) []any { s, _ := x.([]any); return s }
