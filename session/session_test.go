package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// workload is a recording of a real run (examples/testdata/workload.sh):
// opens that succeed and fail, execs in a process tree, signals, exits.
var workload = func() string {
	p, err := filepath.Abs("../examples/testdata/workload.bin")
	if err != nil {
		panic(err)
	}
	return p
}()

// replay runs plan p (its Input set to rec) and returns stdout and stderr.
func replay(t *testing.T, rec string, p Plan) (stdout, stderr string, err error) {
	t.Helper()
	if p.Format == "bin" {
		// -l bin writes trace.h into the current directory.
		t.Chdir(t.TempDir())
	}
	var so, se bytes.Buffer
	p.Input = rec
	p.Stdout, p.Stderr = &so, &se
	if p.Argv == nil {
		p.Argv = []string{"strace.ebpf"}
	}
	s, err := Open(&p)
	if err != nil {
		return "", se.String(), err
	}
	_, err = s.Run(context.Background())
	return so.String(), se.String(), err
}

func mustFilter(t *testing.T, exprs ...string) Filter {
	t.Helper()
	f, err := ParseFilter(exprs)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestGolden replays the workload under plans that combine formats,
// filters and presentation options, and compares with testdata/NAME.golden
// (refresh with -update).
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		plan Plan
	}{
		{"hex_openat", Plan{Filter: mustFilter(t, "trace=openat")}},
		{"hex_times", Plan{Filter: mustFilter(t, "trace=execve,wait4"), Show: Presentation{Timestamps: 1, Relative: true, SyscallTime: true}, Given: format.OptTimestamp | format.OptRelative | format.OptSyscallTime}},
		{"strace_failed", Plan{Format: "strace", Filter: mustFilter(t, "status=failed")}},
		{"strace_successful_file", Plan{Format: "strace", Filter: mustFilter(t, "trace=%file", "status=successful"), Follow: true}},
		{"strace_unfinished", Plan{Format: "strace", Filter: mustFilter(t, "status=unfinished")}},
		{"strace_status_none", Plan{Format: "strace", Filter: mustFilter(t, "status=none"), Follow: true}},
		{"json_not_successful", Plan{Format: "json", Filter: mustFilter(t, "trace=openat,connect", "status=!successful")}},
		{"perfetto_execve", Plan{Format: "perfetto", Filter: mustFilter(t, "trace=execve")}},
		{"strace_script", Plan{Format: "strace", Scripts: []string{"testdata/mark.star"}}},
		{"hex_script", Plan{Scripts: []string{"testdata/mark.star"}, Filter: mustFilter(t, "trace=execve,openat,close")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := replay(t, workload, tt.plan)
			if err != nil {
				t.Fatalf("replay: %v (stderr %s)", err, stderr)
			}
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), out); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// shown is what a format's output shows of the syscalls: their names with
// "!" for a failed call and "?" for one that did not return, sorted.
func shown(t *testing.T, fmtName, out string, tab *syscalls.Table) []string {
	t.Helper()
	var got []string
	switch fmtName {
	case "hex":
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		for _, l := range lines[min(2, len(lines)):] {
			if l == "" {
				continue
			}
			c := strings.Split(l, "\t")
			mark := ""
			switch {
			case c[2] == "?":
				mark = "?"
			case c[1] != "0000000000000000":
				mark = "!"
			}
			got = append(got, c[3]+mark)
		}
	case "strace":
		re := regexp.MustCompile(`^(?:\d+ +)?(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>).* += (-1|\?)?`)
		for _, l := range strings.Split(out, "\n") {
			m := re.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			switch m[2] {
			case "-1":
				m[1] += "!"
			case "?":
				m[1] += "?"
			}
			got = append(got, m[1])
		}
	case "json":
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l == "" {
				continue
			}
			var o struct {
				Kind, Name string
				Errno      int
				Ret        *int64
			}
			if err := json.Unmarshal([]byte(l), &o); err != nil {
				t.Fatalf("json line %q: %v", l, err)
			}
			if o.Kind != "syscall" {
				continue
			}
			switch {
			case o.Errno != 0:
				o.Name += "!"
			case o.Ret == nil:
				o.Name += "?"
			}
			got = append(got, o.Name)
		}
	case "perfetto":
		var doc struct {
			TraceEvents []struct {
				Name, Cat string
				Args      map[string]any
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("perfetto JSON: %v", err)
		}
		for _, e := range doc.TraceEvents {
			if e.Cat != "syscall" {
				continue
			}
			name := e.Name
			if _, ok := e.Args["errno"]; ok {
				name += "!"
			} else if _, ok := e.Args["ret"]; !ok {
				name += "?"
			}
			got = append(got, name)
		}
	case "bin":
		r, err := record.NewReader(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		var ev event.Event
		for r.Next(&ev) == nil {
			if ev.Kind != event.Syscall {
				continue
			}
			name := tab.Name(int(ev.Nr))
			switch filter.StatusOf(&ev) {
			case filter.Failed:
				name += "!"
			case filter.Unfinished:
				name += "?"
			}
			got = append(got, name)
		}
	}
	sort.Strings(got)
	return got
}

// TestFilterEveryFormat holds each filter option to the same events in
// every format family: the oracle is the recording itself.
func TestFilterEveryFormat(t *testing.T) {
	f, err := os.Open(workload)
	if err != nil {
		t.Fatal(err)
	}
	r, err := record.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := syscalls.ForArch(r.Header().Arch)
	var all []event.Event
	var ev event.Event
	for r.Next(&ev) == nil {
		all = append(all, *cloneEvent(&ev))
	}
	f.Close()
	names := func(keep func(*event.Event) bool) []string {
		var out []string
		for i := range all {
			e := &all[i]
			if e.Kind != event.Syscall || !keep(e) {
				continue
			}
			name := tab.Name(int(e.Nr))
			switch filter.StatusOf(e) {
			case filter.Failed:
				name += "!"
			case filter.Unfinished:
				name += "?"
			}
			out = append(out, name)
		}
		sort.Strings(out)
		return out
	}
	isOpen := func(e *event.Event) bool { return tab.Name(int(e.Nr)) == "openat" }
	filters := []struct {
		name   string
		filter Filter
		only   filter.Status // -X, -z, -Z
		keep   func(*event.Event) bool
	}{
		{"trace=openat", mustFilter(t, "trace=openat"), 0, isOpen},
		{"-X", mustFilter(t), filter.Failed, func(e *event.Event) bool { return e.Failed() }},
		{"-Z trace=openat", mustFilter(t, "openat"), filter.Failed, func(e *event.Event) bool { return isOpen(e) && e.Failed() }},
		{"-z trace=openat", mustFilter(t, "openat"), filter.Successful, func(e *event.Event) bool { return isOpen(e) && filter.StatusOf(e) == filter.Successful }},
		{"status=!successful", mustFilter(t, "status=!successful"), 0, func(e *event.Event) bool { return filter.StatusOf(e) != filter.Successful }},
		{"status=unfinished", mustFilter(t, "status=unfinished"), 0, func(e *event.Event) bool { return filter.StatusOf(e) == filter.Unfinished }},
		{"status=none", mustFilter(t, "status=none"), 0, func(*event.Event) bool { return false }},
		{"-z -Z", mustFilter(t), filter.Successful, func(*event.Event) bool { return false }},
		{"trace=!%file,read", mustFilter(t, "trace=!%file,read"), 0, func(e *event.Event) bool {
			sc := tab.ByNr(int(e.Nr))
			return sc != nil && sc.Classes&syscalls.File == 0 && sc.Name != "read"
		}},
	}
	for _, fmtName := range []string{"hex", "strace", "json", "perfetto", "bin"} {
		for _, ft := range filters {
			t.Run(fmtName+"/"+ft.name, func(t *testing.T) {
				p := Plan{Format: fmtName, Filter: ft.filter}
				if ft.only != 0 {
					p.Filter.Only(ft.only)
				}
				if ft.name == "-z -Z" {
					p.Filter.Only(filter.Failed)
				}
				out, stderr, err := replay(t, workload, p)
				if err != nil {
					t.Fatalf("replay: %v (%s)", err, stderr)
				}
				want := names(ft.keep)
				if diff := cmp.Diff(want, shown(t, fmtName, out, tab)); diff != "" {
					t.Errorf("syscalls shown (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestSignalFilterEveryFormat: signal= holds in every format that shows
// signals.
func TestSignalFilterEveryFormat(t *testing.T) {
	hdr := record.Header{Arch: "amd64", Argv: []string{"strace.ebpf"}}
	siginfo := make([]byte, 48)
	evs := []event.Event{
		{Kind: event.Signal, PID: 7, TID: 7, Nr: 17, Comm: "sh", TS: 10, Data: []event.Data{{Kind: event.BufOut, Bytes: siginfo}}},
		{Kind: event.Signal, PID: 7, TID: 7, Nr: 10, Comm: "sh", TS: 20, Data: []event.Data{{Kind: event.BufOut, Bytes: siginfo}}},
		{Kind: event.Exit, PID: 7, TID: 7, Comm: "sh", TS: 30},
	}
	rec := testutil.WriteRecording(t, hdr, evs, true)
	for _, fmtName := range []string{"strace", "json", "perfetto"} {
		for _, tt := range []struct {
			expr      string
			chld, usr bool
		}{{"signal=all", true, true}, {"signal=SIGCHLD", true, false}, {"signal=!SIGCHLD", false, true}, {"signal=none", false, false}} {
			out, _, err := replay(t, rec, Plan{Format: fmtName, Filter: mustFilter(t, tt.expr)})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "SIGCHLD") != tt.chld || strings.Contains(out, "SIGUSR1") != tt.usr {
				t.Errorf("-l %s -e %s: want SIGCHLD %v, SIGUSR1 %v:\n%s", fmtName, tt.expr, tt.chld, tt.usr, out)
			}
			if !strings.Contains(out, "exit") {
				t.Errorf("-l %s -e %s: the exit is gone:\n%s", fmtName, tt.expr, out)
			}
		}
	}
}

// TestCrossArchReplay replays an arm64 recording here: -e names resolve
// against the recording's table (openat is 56 on arm64, 257 on amd64).
func TestCrossArchReplay(t *testing.T) {
	arm, err := syscalls.ForArch("arm64")
	if err != nil {
		t.Fatal(err)
	}
	openat, clone := arm.ByName("openat").Nr, arm.ByName("clone").Nr
	hdr := record.Header{Arch: "arm64", KernelRelease: "6.18.0", Argv: []string{"strace.ebpf", "-l", "bin", "ls"}}
	evs := []event.Event{
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(openat), Comm: "ls", Args: [6]uint64{0xffffff9c, 0x1000}, Ret: 3,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/etc/passwd")}}},
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(clone), Comm: "ls", Ret: 8},
	}
	rec := testutil.WriteRecording(t, hdr, evs, true)

	for _, tt := range []struct{ expr, want string }{
		{"trace=openat", `openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`},
		{"trace=clone", `clone(`},
	} {
		out, stderr, err := replay(t, rec, Plan{Format: "strace", Filter: mustFilter(t, tt.expr)})
		if err != nil {
			t.Fatalf("%s: %v (%s)", tt.expr, err, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], tt.want) {
			t.Errorf("-e %s on an arm64 recording: got %q, want one line starting %q", tt.expr, out, tt.want)
		}
	}
	// A name only amd64 has is unknown to an arm64 recording.
	if _, _, err := replay(t, rec, Plan{Filter: mustFilter(t, "trace=open")}); err == nil || !strings.Contains(err.Error(), `unknown arm64 syscall "open"`) {
		t.Errorf("-e trace=open on arm64: err %v", err)
	}
}

// TestReplayReadsNoLiveState: -y on a replay prints numbers and says why
// once; nothing comes from this machine's /proc.
func TestReplayReadsNoLiveState(t *testing.T) {
	out, stderr, err := replay(t, workload, Plan{Format: "strace", Filter: mustFilter(t, "trace=read,close"), Show: Presentation{DecodeFds: 1}, Given: format.OptDecodeFds})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "</") {
		t.Errorf("a replay printed fd paths:\n%s", out)
	}
	// The workload was recorded without -S: that is noted too.
	if strings.Count(stderr, "-y: the recording holds no fd paths") != 1 || strings.Count(stderr, "\n") != 2 {
		t.Errorf("stderr %q, want one note about -y (and one about buffers)", stderr)
	}
}

// TestRefused: options that cannot apply to the chosen format are errors
// naming both, before anything runs.
func TestRefused(t *testing.T) {
	tests := []struct {
		plan Plan
		want string
	}{
		{Plan{Format: "hex", Show: Presentation{DecodeFds: 1}, Given: format.OptDecodeFds}, "choosing options: -y does not apply to -l hex (it applies to -l strace, -l json, -l bin)"},
		{Plan{Format: "json", Given: format.OptSeparator}, "choosing options: -K does not apply to -l json (it applies to -l hex, -l bin)"},
		{Plan{Format: "perfetto", Given: format.OptStrSize}, "choosing options: -S does not apply to -l perfetto (it applies to -l strace, -l json, -l bin)"},
		{Plan{Summary: SummaryOnly, Given: format.OptSyscallTime}, "choosing options: -c prints only the summary table; -T applies to a trace (use -C for both)"},
		{Plan{Summary: SummaryAlso, Format: "json"}, "parsing options: -C prints the summary after a text trace: -l hex or -l strace, not -l json"},
		{Plan{Format: "xml"}, `choosing format: unknown format "xml"`},
		{Plan{Split: true}, "parsing options: -ff, -fff, -FF and -FFF need -o FILE"},
		{Plan{Format: "hex", Given: format.OptHexStrings}, "choosing options: -x does not apply to -l hex (it applies to -l strace)"},
		{Plan{Format: "json", Given: format.OptDump}, "choosing options: -e read=/write= does not apply to -l json (it applies to -l strace)"},
		{Plan{Format: "bin", Given: format.OptDetachExec}, "choosing options: -b execve does not apply to -l bin (it applies to -l strace)"},
		{Plan{Format: "perfetto", Given: format.OptDecodeFds}, "choosing options: -y does not apply to -l perfetto (it applies to -l strace, -l json, -l bin)"},
		{Plan{ObjectDir: "/tmp"}, "parsing options: -N and -n choose what the kernel runs and captures; a replay (-i) has no kernel side"},
	}
	for _, tt := range tests {
		_, _, err := replay(t, workload, tt.plan)
		var ue *UsageError
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: err %v, want %q", tt.plan, err, tt.want)
		} else if !errors.As(err, &ue) && !strings.HasPrefix(tt.want, "choosing format") {
			t.Errorf("%+v: %v is not a usage error", tt.plan, err)
		}
	}
}

// TestNeeds: what the kernel is asked for comes from the format, the
// scripts and the filter, in one place.
func TestNeeds(t *testing.T) {
	dir := t.TempDir()
	bufScript := filepath.Join(dir, "buf.star")
	os.WriteFile(bufScript, []byte("trace(syscalls=['read'], buffers=64)\ndef on_syscall(ev):\n    return True\n"), 0o644)
	tests := []struct {
		name string
		plan Plan
		want Needs
		k    filter.Kernel
	}{
		{"hex", Plan{}, Needs{}, filter.Kernel{}},
		{"strace", Plan{Format: "strace", Show: Presentation{StrSize: 32}}, Needs{Buffers: 32, ProcessEvents: true, EnterMarks: true}, filter.Kernel{}},
		{"strace -Z", Plan{Format: "strace", Show: Presentation{StrSize: 32}, Filter: Filter{Status: filter.Failed}}, Needs{Buffers: 32, ProcessEvents: true}, filter.Kernel{FailedOnly: true}},
		{"strace -z", Plan{Format: "strace", Show: Presentation{StrSize: 32}, Filter: Filter{Status: filter.Successful}}, Needs{Buffers: 32, ProcessEvents: true}, filter.Kernel{}},
		{"json", Plan{Format: "json"}, Needs{ProcessEvents: true}, filter.Kernel{}},
		{"json -S", Plan{Format: "json", Show: Presentation{StrSize: 100, StrSizeSet: true}}, Needs{Buffers: 100, ProcessEvents: true}, filter.Kernel{}},
		{"bin", Plan{Format: "bin"}, Needs{}, filter.Kernel{}},
		{"hex + script", Plan{Scripts: []string{bufScript}}, Needs{Buffers: 64}, filter.Kernel{Syscalls: []int{0}}},
		{"strace + record", Plan{Format: "strace", Record: filepath.Join(dir, "r.bin")}, Needs{Buffers: 1, ProcessEvents: true}, filter.Kernel{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan
			p.Command = []string{"true"}
			p.Stdout, p.Stderr = new(bytes.Buffer), new(bytes.Buffer)
			s, err := prepare(&p)
			if err != nil {
				t.Fatal(err)
			}
			c := s.config
			got := Needs{Buffers: c.BufSize, ProcessEvents: c.ProcessEvents, EnterMarks: c.EnterMarks}
			if !c.CaptureBuffers {
				got.Buffers = 0
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("needs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.k, filter.Kernel{Syscalls: c.Syscalls, FailedOnly: c.FailedOnly}); diff != "" {
				t.Errorf("kernel filter (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecordedOptionsReplay: the presentation options of a recording are
// what its replay shows, unless given again.
func TestRecordedOptionsReplay(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "r.bin")
	// Re-record the workload with -T -r, as bin keeps them.
	if _, stderr, err := replay(t, workload, Plan{Format: "bin", Output: rec, Filter: mustFilter(t, "trace=execve"),
		Show: Presentation{Relative: true, SyscallTime: true}, Given: format.OptRelative | format.OptSyscallTime}); err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	direct, _, err := replay(t, workload, Plan{Format: "strace", Filter: mustFilter(t, "trace=execve"),
		Show: Presentation{Relative: true, SyscallTime: true}})
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := replay(t, rec, Plan{Format: "strace"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(direct, again); diff != "" || !strings.Contains(again, "<0.") {
		t.Errorf("replay of a -T -r recording (-want +got):\n%s", diff)
	}
}
