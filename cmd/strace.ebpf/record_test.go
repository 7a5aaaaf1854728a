package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// These tests replay recordings made in Go: no root, no BPF.

var recArgv = []string{"strace.ebpf", "-l", "bin", "-o", "run.bin", "ls"}

func recEvents() []event.Event {
	return []event.Event{
		{Kind: event.Syscall, PID: 10, TID: 10, Nr: 59, Comm: "ls", TS: 1000, Duration: 50000,
			Args: [6]uint64{0x1000, 0x2000, 0x3000},
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/usr/bin/ls")}}},
		{Kind: event.Syscall, PID: 10, TID: 10, Nr: 257, Comm: "ls", TS: 60000, Duration: 900, Ret: -2,
			Args: [6]uint64{0xffffff9c, 0x4000, 0x80000},
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/nonexistent\tpath")}}},
		{Kind: event.Lost, TS: 61000, LostN: 7},
		{Kind: event.Syscall, PID: 10, TID: 10, Nr: 1, Comm: "ls", TS: 62000, Duration: 300, Ret: 5,
			Args: [6]uint64{1, 0x5000, 5}},
		{Kind: event.Syscall, PID: 10, TID: 10, Nr: 231, Comm: "ls", TS: 70000, Flags: event.NoReturn},
	}
}

func writeRecording(t *testing.T, hdr record.Header, evs []event.Event, complete bool) string {
	t.Helper()
	return testutil.WriteRecording(t, hdr, evs, complete)
}

func amd64Header(opts map[string]string) record.Header {
	return record.Header{Arch: "amd64", KernelRelease: "6.18.0", Argv: recArgv, Options: opts}
}

// livePipeline is what a live run does with the events: -X's filter, then
// the stock format's writer, fed directly.
func livePipeline(t *testing.T, evs []event.Event, hex format.HexOptions, failed bool) string {
	t.Helper()
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	pipe := format.NewHexWriter(&out, tab, recArgv, hex)
	if err := pipe.Start(); err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		ev := evs[i]
		if failed && ev.Kind == event.Syscall && !ev.Failed() {
			continue
		}
		if err := pipe.Event(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := pipe.Finish(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func runInProcess(t *testing.T, args ...string) (stdout, stderr string, code int, err error) {
	t.Helper()
	var so, se bytes.Buffer
	code, err = run(append([]string{"strace.ebpf"}, args...), &so, &se)
	return so.String(), se.String(), code, err
}

func TestReplayMatchesLive(t *testing.T) {
	t.Parallel()
	evs := recEvents()
	tests := []struct {
		name   string
		opts   map[string]string // recorded options
		args   []string          // replay options
		hex    format.HexOptions // what the live run used
		failed bool
	}{
		{name: "defaults", opts: map[string]string{"hex_separator": "\t"}},
		{name: "recorded -K and -t apply", opts: map[string]string{"hex_separator": ",", "timestamp": "1"},
			hex: format.HexOptions{Sep: ",", Timestamp: true}},
		{name: "replay -K wins", opts: map[string]string{"hex_separator": ","}, args: []string{"-K", ";"},
			hex: format.HexOptions{Sep: ";"}},
		{name: "replay -t", args: []string{"-t"}, hex: format.HexOptions{Timestamp: true}},
		{name: "replay -X", args: []string{"-X"}, failed: true},
		{name: "hex_sl alias", args: []string{"-l", "hex_sl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRecording(t, amd64Header(tt.opts), evs, true)
			stdout, stderr, code, err := runInProcess(t, append([]string{"-i", path}, tt.args...)...)
			if err != nil || code != 0 {
				t.Fatalf("replay: code %d, err %v, stderr %s", code, err, stderr)
			}
			want := livePipeline(t, evs, tt.hex, tt.failed)
			if diff := cmp.Diff(want, stdout); diff != "" {
				t.Errorf("replayed output (-live +replay):\n%s", diff)
			}
			if diff := cmp.Diff("strace.ebpf: 7 events lost\n", stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplayFilters(t *testing.T) {
	t.Parallel()
	path := writeRecording(t, amd64Header(nil), recEvents(), true)
	stdout, _, code, err := runInProcess(t, "-i", path, "-e", "trace=openat,exit_group", "-l", "json")
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var obj struct{ Kind, Name string }
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		names = append(names, obj.Kind+":"+obj.Name)
	}
	if diff := cmp.Diff([]string{"syscall:openat", "lost:", "syscall:exit_group"}, names); diff != "" {
		t.Errorf("replayed events (-want +got):\n%s", diff)
	}

	stdout, _, code, err = runInProcess(t, "-i", path, "-e", "status=failed", "-l", "json")
	if err != nil || code != 0 || strings.Count(stdout, `"kind":"syscall"`) != 1 || !strings.Contains(stdout, `"name":"openat"`) {
		t.Errorf("-e status=failed: code %d, err %v:\n%s", code, err, stdout)
	}
}

// TestReplayRerecord replays into -l bin and -w: both recordings read back
// as the original events.
func TestReplayRerecord(t *testing.T) {
	evs := recEvents()
	path := writeRecording(t, amd64Header(nil), evs, true)
	dir := t.TempDir()
	t.Chdir(dir) // -l bin writes trace.h into the current directory
	bin, tee := filepath.Join(dir, "again.bin"), filepath.Join(dir, "tee.bin")
	if _, stderr, code, err := runInProcess(t, "-i", path, "-l", "bin", "-o", bin); err != nil || code != 0 {
		t.Fatalf("code %d, err %v, %s", code, err, stderr)
	}
	if _, stderr, code, err := runInProcess(t, "-i", path, "-l", "json", "-o", filepath.Join(dir, "x.json"), "--record", tee); err != nil || code != 0 {
		t.Fatalf("code %d, err %v, %s", code, err, stderr)
	}
	if h, err := os.ReadFile(filepath.Join(dir, "trace.h")); err != nil || !bytes.Equal(h, record.TraceH()) {
		t.Errorf("trace.h not written by -l bin: %v", err)
	}
	for _, p := range []string{bin, tee} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := record.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var got []event.Event
		for {
			var ev event.Event
			if err := r.Next(&ev); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			ev.Data = append([]event.Data(nil), ev.Data...)
			for i := range ev.Data {
				ev.Data[i].Bytes = bytes.Clone(ev.Data[i].Bytes)
			}
			got = append(got, ev)
		}
		f.Close()
		if diff := cmp.Diff(evs, got); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", filepath.Base(p), diff)
		}
		if diff := cmp.Diff(recArgv, r.Header().Argv); diff != "" {
			t.Errorf("%s: argv (-want +got):\n%s", filepath.Base(p), diff)
		}
	}
}

func TestReplayBadInput(t *testing.T) {
	t.Parallel()
	evs := recEvents()
	cut := writeRecording(t, amd64Header(nil), evs, false)
	notRec := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notRec, []byte("hello, world\n"), 0o600)
	arm := writeRecording(t, record.Header{Arch: "riscv64", Argv: recArgv}, nil, true)

	t.Run("cut short", func(t *testing.T) {
		stdout, _, code, err := runInProcess(t, "-i", cut, "-l", "json")
		if code != 1 || err == nil {
			t.Fatalf("code %d, err %v: want 1 and an error", code, err)
		}
		if want := "reading " + cut + ": record: offset "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "missing end record") {
			t.Errorf("error %q, want %q... missing end record", err, want)
		}
		if n := strings.Count(stdout, "\n"); n != len(evs) {
			t.Errorf("%d events printed before the error, want %d", n, len(evs))
		}
	})
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a recording", []string{"-i", notRec}, 1, "reading " + notRec + `: record: offset 0: not a strace.ebpf recording: want magic "SEBPFREC", have "hello, w"`},
		{"no such file", []string{"-i", "/nonexistent.bin"}, 1, "opening recording: open /nonexistent.bin: no such file or directory"},
		{"unknown arch", []string{"-i", arm}, 1, `replaying ` + arm + `: loading syscall table for "riscv64": unknown architecture (want amd64 or arm64)`},
		{"with a command", []string{"-i", cut, "ls"}, 2, "parsing options: -i replays a recording; it takes no command"},
		{"output is input", []string{"-i", cut, "-o", cut}, 2, "opening output: -o names the recording being replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, code, err := runInProcess(t, tt.args...)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || code != tt.code {
				t.Errorf("code %d, want %d; error (-want +got):\n%s", code, tt.code, diff)
			}
		})
	}
}

// TestScriptsFeedNative runs -s scripts in front of the native formats: the
// events a script keeps reach the format, a line a script returns replaces
// the event, print() output goes to the text stream.
func TestScriptsFeedNative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := writeRecording(t, amd64Header(nil), recEvents(), true)
	filter := filepath.Join(dir, "filter.star")
	os.WriteFile(filter, []byte(`
def on_start():
    print("# filter on")

def on_syscall(ev):
    if ev.name == "write":
        return "custom line for write"
    return ev.name in ("openat", "exit_group")
`), 0o644)

	stdout, stderr, code, err := runInProcess(t, "-i", path, "-s", filter, "-l", "json")
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v, stderr %s", code, err, stderr)
	}
	// What scripts print never enters the JSON stream: it goes to stderr.
	if diff := cmp.Diff("# filter on\ncustom line for write\nstrace.ebpf: 7 events lost\n", stderr); diff != "" {
		t.Errorf("-s filter -l json: stderr (-want +got):\n%s", diff)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var obj struct{ Kind, Name string }
		if json.Unmarshal([]byte(line), &obj) != nil {
			got = append(got, line)
			continue
		}
		got = append(got, obj.Kind+":"+obj.Name)
	}
	want := []string{"syscall:openat", "lost:", "syscall:exit_group"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-s filter -l json (-want +got):\n%s", diff)
	}

	// -X with a script: the filter applies before the scripts.
	stdout, _, _, err = runInProcess(t, "-i", path, "-X", "-s", filter, "-l", "json")
	if err != nil || strings.Count(stdout, `"kind":"syscall"`) != 1 || !strings.Contains(stdout, `"name":"openat"`) {
		t.Errorf("-X -s filter -l json: err %v:\n%s", err, stdout)
	}

	// Filtering into a recording.
	bin := filepath.Join(dir, "filtered.bin")
	if _, stderr, code, err := runInProcess(t, "-i", path, "-s", filter, "-l", "bin", "-o", bin); err != nil || code != 0 {
		t.Fatalf("code %d, err %v, stderr %s", code, err, stderr)
	}
	stdout, _, _, err = runInProcess(t, "-i", bin, "-l", "json")
	if err != nil || strings.Count(stdout, "\n") != 3 {
		t.Errorf("filtered recording: err %v, want openat, lost, exit_group:\n%s", err, stdout)
	}
}

func TestReplayTableMismatch(t *testing.T) {
	t.Parallel()
	hdr := amd64Header(nil)
	hdr.Syscalls = []record.Syscall{
		{Nr: 0, Name: "read", Args: []record.Arg{{Name: "fd"}, {Name: "buf"}, {Name: "count"}}},
		{Nr: 1, Name: "write_v2", Args: []record.Arg{{Name: "fd"}}},
	}
	path := writeRecording(t, hdr, recEvents(), true)
	_, stderr, code, err := runInProcess(t, "-i", path)
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	want := "strace.ebpf: warning: " + path + " was recorded with a different amd64 syscall table (1 entries differ, first 1 write_v2); calls are named by this build's\n"
	if !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr %q, want it to start with %q", stderr, want)
	}
}

func TestReplayStdin(t *testing.T) {
	t.Parallel()
	path := writeRecording(t, amd64Header(nil), recEvents(), true)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	stdout, _, code, err := runInProcess(t, "-i", "-", "-l", "json")
	if err != nil || code != 0 || strings.Count(stdout, "\n") != len(recEvents()) {
		t.Errorf("-i -: code %d, err %v:\n%s", code, err, stdout)
	}
}

func TestReplayPerfetto(t *testing.T) {
	t.Parallel()
	path := writeRecording(t, amd64Header(nil), recEvents(), true)
	stdout, _, code, err := runInProcess(t, "-i", path, "-l", "perfetto")
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	var doc struct{ TraceEvents []map[string]any }
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(doc.TraceEvents) < len(recEvents()) {
		t.Errorf("%d trace events for %d events", len(doc.TraceEvents), len(recEvents()))
	}
}

func TestTraceHFlag(t *testing.T) {
	t.Parallel()
	stdout, _, code, err := runInProcess(t, "--trace-h")
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	if diff := cmp.Diff(string(record.TraceH()), stdout); diff != "" {
		t.Errorf("--trace-h (-want +got):\n%s", diff)
	}
}

func TestFormatList(t *testing.T) {
	t.Parallel()
	stdout, _, _, _ := runInProcess(t, "-l", "list")
	for _, name := range []string{"bin", "binary", "json", "perfetto", "hex_sl", "hex_raw", "hex"} {
		if !strings.Contains(stdout, "  "+name+" ") {
			t.Errorf("-l list does not show %s:\n%s", name, stdout)
		}
	}
}
