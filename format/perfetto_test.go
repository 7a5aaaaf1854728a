package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

func perfettoOutput(t testing.TB, evs []event.Event) []byte {
	t.Helper()
	var out bytes.Buffer
	p := NewPerfetto(amd64Table(t))
	if err := p.Begin(&out); err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := p.Event(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.End(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestPerfettoGolden(t *testing.T) {
	golden(t, "perfetto.golden", perfettoOutput(t, machineEvents()))
}

// traceEvent is one element of traceEvents, as the trace-event format
// (Chrome's "Trace Event Format" document) defines it.
type traceEvent struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat"`
	Ph    string         `json:"ph"`
	Ts    *float64       `json:"ts"`
	Dur   *float64       `json:"dur"`
	Pid   *int64         `json:"pid"`
	Tid   *int64         `json:"tid"`
	S     string         `json:"s"`
	Args  map[string]any `json:"args"`
	Extra map[string]any `json:"-"`
}

type slice struct {
	name       string
	start, end float64
}

// parseTrace is a strict reader of the JSON object form of the trace-event
// format: it accepts only the phases the writer uses, with the fields each
// requires, and checks that the complete slices of every thread nest (a
// thread runs one syscall at a time, so they must not partly overlap) and
// that every thread is named before its first slice. It returns the
// slices by "pid/tid".
func parseTrace(data []byte) (map[string][]slice, error) {
	var doc struct {
		DisplayTimeUnit string            `json:"displayTimeUnit"`
		TraceEvents     []json.RawMessage `json:"traceEvents"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parsing the document: %w", err)
	}
	if dec.More() {
		return nil, errors.New("data after the document")
	}
	if doc.TraceEvents == nil {
		return nil, errors.New("no traceEvents array")
	}
	named := map[string]bool{}
	slices := map[string][]slice{}
	for i, raw := range doc.TraceEvents {
		var e traceEvent
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if e.Name == "" || e.Pid == nil || e.Tid == nil {
			return nil, fmt.Errorf("event %d: want name, pid and tid: %s", i, raw)
		}
		key := fmt.Sprintf("%d/%d", *e.Pid, *e.Tid)
		switch e.Ph {
		case "M":
			if e.Name != "thread_name" && e.Name != "process_name" {
				return nil, fmt.Errorf("event %d: unknown metadata %q", i, e.Name)
			}
			if _, ok := e.Args["name"].(string); !ok {
				return nil, fmt.Errorf("event %d: metadata without args.name", i)
			}
			if e.Name == "thread_name" {
				named[key] = true
			}
		case "X":
			if e.Ts == nil || e.Dur == nil || *e.Ts < 0 || *e.Dur < 0 {
				return nil, fmt.Errorf("event %d: complete event needs ts and dur >= 0: %s", i, raw)
			}
			if !named[key] {
				return nil, fmt.Errorf("event %d: thread %s has no thread_name before its first slice", i, key)
			}
			slices[key] = append(slices[key], slice{e.Name, *e.Ts, *e.Ts + *e.Dur})
		case "i":
			if e.Ts == nil || (e.S != "t" && e.S != "g" && e.S != "p") {
				return nil, fmt.Errorf("event %d: instant needs ts and scope t, p or g: %s", i, raw)
			}
		default:
			return nil, fmt.Errorf("event %d: unexpected phase %q", i, e.Ph)
		}
	}
	for key, ss := range slices {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].start < ss[j].start })
		var open []slice // stack of enclosing slices
		for _, s := range ss {
			for len(open) > 0 && open[len(open)-1].end <= s.start {
				open = open[:len(open)-1]
			}
			if len(open) > 0 && s.end > open[len(open)-1].end {
				return nil, fmt.Errorf("thread %s: %s [%v, %v] partly overlaps %s [%v, %v]", key, s.name, s.start, s.end, open[len(open)-1].name, open[len(open)-1].start, open[len(open)-1].end)
			}
			open = append(open, s)
		}
	}
	return slices, nil
}

func TestPerfettoLoads(t *testing.T) {
	got, err := parseTrace(perfettoOutput(t, machineEvents()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]slice{
		"100/100": {{"openat", 2, 4.5}, {"read", 5, 5.01}, {"stat", 7, 7.1}, {"syscall_0x3e7", 8, 8.001}, {"ioctl", 9, 9.002}},
		"100/101": {{"write", 3, 1237.567}},
		"200/200": {{"wait4", 9.5, 10}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(slice{})); diff != "" {
		t.Errorf("slices per thread (-want +got):\n%s", diff)
	}
}

func TestPerfettoEmpty(t *testing.T) {
	out := perfettoOutput(t, nil)
	if _, err := parseTrace(out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestParseTraceRejects(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{"traceEvents":[`, "parsing the document: unexpected EOF"},
		{"no array", `{}`, "no traceEvents array"},
		{"unknown phase", `{"traceEvents":[{"name":"a","ph":"Q","pid":1,"tid":1}]}`, `event 0: unexpected phase "Q"`},
		{"no dur", `{"traceEvents":[{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"x"}},{"name":"a","ph":"X","ts":1,"pid":1,"tid":1}]}`,
			`event 1: complete event needs ts and dur >= 0: {"name":"a","ph":"X","ts":1,"pid":1,"tid":1}`},
		{"unnamed thread", `{"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":1,"pid":1,"tid":1}]}`,
			"event 0: thread 1/1 has no thread_name before its first slice"},
		{"overlap", `{"traceEvents":[{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"x"}},` +
			`{"name":"a","ph":"X","ts":1,"dur":5,"pid":1,"tid":1},{"name":"b","ph":"X","ts":3,"dur":5,"pid":1,"tid":1}]}`,
			"thread 1/1: b [3, 8] partly overlaps a [1, 6]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTrace([]byte(tt.doc))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPerfettoComm checks that a thread's track is renamed when its comm
// changes (execve) and that strings in names are escaped.
func TestPerfettoComm(t *testing.T) {
	evs := []event.Event{
		{Kind: event.Syscall, PID: 1, TID: 1, Nr: 39, Comm: "sh", TS: 1000, Duration: 1},
		{Kind: event.Syscall, PID: 1, TID: 1, Nr: 39, Comm: "sh", TS: 2000, Duration: 1},
		{Kind: event.Syscall, PID: 1, TID: 1, Nr: 39, Comm: "we\"ird\n", TS: 3000, Duration: 1},
	}
	out := perfettoOutput(t, evs)
	if _, err := parseTrace(out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), `"thread_name"`); n != 2 {
		t.Errorf("%d thread_name events, want 2:\n%s", n, out)
	}
	if !strings.Contains(string(out), `"args":{"name":"we\"ird\n"}`) {
		t.Errorf("escaped comm missing:\n%s", out)
	}
}

func TestPerfettoLarge(t *testing.T) {
	// Enough events to cross the internal flush threshold several times.
	var evs []event.Event
	for i := range 5000 {
		evs = append(evs, event.Event{Kind: event.Syscall, PID: 1, TID: uint32(1 + i%3), Nr: 0, Comm: "dd",
			TS: uint64(i) * 1000, Duration: 999, Ret: 1, Args: [6]uint64{0, 1, 1},
			Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: bytes.Repeat([]byte{7}, 100)}}})
	}
	got, err := parseTrace(perfettoOutput(t, evs))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ss := range got {
		n += len(ss)
	}
	if n != len(evs) {
		t.Errorf("%d slices, want %d", n, len(evs))
	}
}

func TestPerfettoMisuse(t *testing.T) {
	p := NewPerfetto(amd64Table(t))
	if err := p.Event(&event.Event{Kind: event.Lost}); err == nil {
		t.Error("Event before Begin: no error")
	}
	if err := p.End(); err == nil {
		t.Error("End before Begin: no error")
	}
}

func BenchmarkPerfetto(b *testing.B) {
	evs := machineEvents()[1:4]
	p := NewPerfetto(amd64Table(b))
	var sink bytes.Buffer
	p.Begin(&sink)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Event(&evs[i%len(evs)])
		if sink.Len() > 1<<20 {
			sink.Reset()
		}
	}
}
