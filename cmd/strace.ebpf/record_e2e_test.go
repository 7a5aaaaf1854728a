package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// These tests trace the syscaller helper with real BPF, record the run and
// replay it.

// tracerIn runs the tracer in dir and fails the test on a non-zero exit.
func tracerIn(t *testing.T, dir string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(testutil.Tracer(t), args...)
	cmd.Dir = dir
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		t.Fatalf("strace.ebpf %s: %v\nstderr: %s", strings.Join(args, " "), err, se.String())
	}
	return so.String(), se.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLiveEqualsReplay traces one run with a live format and, with -w, a
// recording of the same run; replaying the recording must print exactly
// what the live run printed.
func TestLiveEqualsReplay(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	tests := []struct {
		name   string
		live   []string // options of the live run
		replay []string // options of the replay
	}{
		{"hex", nil, nil},
		{"hex -t -K", []string{"-t", "-K", ","}, nil},
		{"hex -X", []string{"-X"}, nil},
		{"hex -e", []string{"-e", "trace=openat,close,write"}, nil},
		{"json", []string{"-l", "json"}, []string{"-l", "json"}},
		{"perfetto", []string{"-l", "perfetto"}, []string{"-l", "perfetto"}},
		{"strace", []string{"-l", "strace"}, []string{"-l", "strace"}},
		{"json with a script", []string{"-l", "json", "-s", "{script}"}, []string{"-l", "json", "-s", "{script}"}},
		{"hex with a script", []string{"-s", "{script}"}, []string{"-s", "{script}"}},
		{"strace -tt -T", []string{"-l", "strace", "-tt", "-T"}, []string{"-l", "strace", "-tt", "-T"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			script := filepath.Join(dir, "opens.star")
			os.WriteFile(script, []byte("def on_syscall(ev):\n    return ev.name in ('openat', 'write')\n"), 0o644)
			for _, args := range [][]string{tt.live, tt.replay} {
				for i := range args {
					if args[i] == "{script}" {
						args[i] = script
					}
				}
			}
			live, rec, replayed := filepath.Join(dir, "live"), filepath.Join(dir, "run.bin"), filepath.Join(dir, "replay")
			args := append([]string{"-o", live, "--record", rec}, tt.live...)
			tracerIn(t, dir, append(args, sc, "basic")...)
			tracerIn(t, dir, append([]string{"-i", rec, "-o", replayed}, tt.replay...)...)
			want, got := readFile(t, live), readFile(t, replayed)
			if !strings.Contains(want, "strace-ebpf-marker") && tt.name != "hex -X" {
				t.Errorf("live output lacks the marker path:\n%s", want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("replay differs from the live run (-live +replay):\n%s", diff)
			}
		})
	}
}

// TestRecordBin records with -l bin, checks trace.h and the recording, and
// replays it.
func TestRecordBin(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "run.bin")
	_, stderr := tracerIn(t, dir, "-d", "-l", "bin", "-o", rec, sc, "basic")
	if !strings.Contains(stderr, "wrote trace.h") {
		t.Errorf("no debug message about trace.h:\n%s", stderr)
	}
	if diff := cmp.Diff(string(record.TraceH()), readFile(t, filepath.Join(dir, "trace.h"))); diff != "" {
		t.Errorf("trace.h (-want +got):\n%s", diff)
	}
	// A second run keeps the existing trace.h and says so under -d.
	os.WriteFile(filepath.Join(dir, "trace.h"), []byte("mine"), 0o644)
	_, stderr = tracerIn(t, dir, "-d", "-l", "binary", "-o", rec, sc, "basic")
	if !strings.Contains(stderr, "skipping trace.h: the current directory already has one") || readFile(t, filepath.Join(dir, "trace.h")) != "mine" {
		t.Errorf("existing trace.h: stderr %q", stderr)
	}

	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := record.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	if h.Arch == "" || h.KernelRelease == "" || h.BootOffset == 0 || len(h.Syscalls) < 300 || len(h.Argv) == 0 {
		t.Errorf("header incomplete: arch %q kernel %q boot %d, %d syscalls, argv %q", h.Arch, h.KernelRelease, h.BootOffset, len(h.Syscalls), h.Argv)
	}
	var first *event.Event
	var paths []string
	for {
		var ev event.Event
		err := r.Next(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == nil && ev.Kind == event.Syscall && ev.Comm != "strace.ebpf" {
			first = &ev
		}
		if s, ok := ev.FirstString(); ok {
			paths = append(paths, s)
		}
	}
	if first == nil {
		t.Fatal("no event")
	}
	if !strings.Contains(strings.Join(paths, "\n"), "/nonexistent/strace-ebpf-marker") {
		t.Errorf("marker path not recorded; paths: %q", paths)
	}

	out, _ := tracerIn(t, dir, "-i", rec)
	if !strings.Contains(out, "/nonexistent/strace-ebpf-marker") || !strings.HasPrefix(out, strings.Join(h.Argv, "\t")+"\n") {
		t.Errorf("replay: want the recorded command line as title and the marker:\n%s", out)
	}

	// Buffers are captured with -S only; a replay into -l strace shows them.
	const write = `write(1, "syscaller: hello marker\n", 24) = 24`
	out, _ = tracerIn(t, dir, "-i", rec, "-l", "strace")
	if strings.Contains(out, write) {
		t.Errorf("buffer captured without -S:\n%s", out)
	}
	tracerIn(t, dir, "-l", "bin", "-S", "64", "-o", rec, sc, "basic")
	out, _ = tracerIn(t, dir, "-i", rec, "-l", "strace")
	if !strings.Contains(out, write) || !strings.Contains(out, "+++ exited with 0 +++") {
		t.Errorf("replay of -l bin -S 64 into -l strace lacks %s or the exit:\n%s", write, out)
	}
}

func TestLiveJSONAndPerfetto(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	dir := t.TempDir()
	js, pf := filepath.Join(dir, "t.json"), filepath.Join(dir, "t.perfetto")
	tracerIn(t, dir, "-l", "json", "-o", js, sc, "basic")
	tracerIn(t, dir, "-l", "perfetto", "-o", pf, sc, "basic")

	var marker, exit bool
	for i, line := range strings.Split(strings.TrimSpace(readFile(t, js)), "\n") {
		var obj struct {
			V       int
			Kind    string
			Name    string
			Errname string
			Data    []struct{ Value string }
		}
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		exit = exit || obj.Kind == "exit"
		if obj.V != format.JSONVersion || (obj.Kind != "syscall" && obj.Kind != "lost" && obj.Kind != "exit" && obj.Kind != "signal") {
			t.Errorf("line %d: v %d kind %q", i+1, obj.V, obj.Kind)
		}
		if len(obj.Data) > 0 && obj.Data[0].Value == "/nonexistent/strace-ebpf-marker" && obj.Errname == "ENOENT" {
			marker = true
		}
	}
	if !marker || !exit {
		t.Errorf("marker failure with ENOENT seen: %v; exit seen: %v", marker, exit)
	}
	var doc struct{ TraceEvents []map[string]any }
	if err := json.Unmarshal([]byte(readFile(t, pf)), &doc); err != nil {
		t.Fatalf("perfetto output: %v", err)
	}
	var slices, names int
	for _, e := range doc.TraceEvents {
		switch e["ph"] {
		case "X":
			slices++
		case "M":
			names++
		}
	}
	if slices < 10 || names < 2 {
		t.Errorf("perfetto: %d slices, %d metadata events", slices, names)
	}
}
