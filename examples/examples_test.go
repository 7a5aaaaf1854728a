// Package examples holds the analyzers users copy (*.star, *.lua). Each is
// tested on a recorded event stream (testdata/workload.bin, the trace of
// testdata/workload.sh) against a golden file, without root, and once live.
package examples

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var (
	update   = flag.Bool("update", false, "rewrite the golden files")
	doRecord = flag.Bool("record", false, "re-record testdata/workload.bin (needs BPF)")
)

const recording = "testdata/workload.bin"

// args are the script arguments each example is tested with.
var args = map[string]map[string]string{
	"slowcalls":    {"ms": "20"},
	"latency":      {"syscall": "read"},
	"topfiles":     {"top": "5"},
	"topfiles.lua": {"top": "5"},
}

func scripts(t *testing.T) []string {
	var names []string
	for _, pat := range []string{"*.star", "*.lua"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	if len(names) == 0 {
		t.Fatal("no examples")
	}
	return names
}

// replay runs the recording through one script, as -i does.
func replay(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(recording)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := record.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := syscalls.ForArch(r.Header().Arch)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a := args[name]
	if a == nil {
		a = args[strings.TrimSuffix(name, filepath.Ext(name))]
	}
	p := script.NewPipeline(&out, script.Options{
		Table: tab, Args: a, Interval: 10 * time.Millisecond,
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	if err := p.AddFile(name); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	for {
		ev := new(event.Event)
		if err := r.Next(ev); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		cp := *ev
		cp.Data = nil
		for _, d := range ev.Data {
			cp.Data = append(cp.Data, event.Data{Arg: d.Arg, Kind: d.Kind, Bytes: bytes.Clone(d.Bytes)})
		}
		if err := p.Event(&cp); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestRecorded(t *testing.T) {
	for _, name := range scripts(t) {
		t.Run(name, func(t *testing.T) {
			got := replay(t, name)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./examples -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s on %s (-want +got):\n%s", name, recording, diff)
			}
			if strings.TrimSpace(got) == "" {
				t.Errorf("%s printed nothing", name)
			}
		})
	}
}

// inKernel are the examples that count in the kernel (trace(counts =
// True)), with what their live output must hold.
var inKernel = map[string][]string{
	"kcount.star":   {"SYSCALL", "openat"},
	"syscount.star": {"openat", "workload.sh", "head"},
	"latency.star":  {"@usecs[read]:", "[1]"},
}

// keepsAggs are those that name kernel_hist or kernel_procs: the kernel
// keeps the histograms and per-process counts for them only.
var keepsAggs = map[string]bool{"syscount.star": true, "latency.star": true}

// TestLive runs every example with real BPF on the workload; the ones that
// count in the kernel must say so (--explain) and send no record per call.
func TestLive(t *testing.T) {
	testutil.RequireBPF(t)
	tracer := testutil.Tracer(t)
	for _, name := range scripts(t) {
		t.Run(name, func(t *testing.T) {
			argv := []string{"-f", "-o", filepath.Join(t.TempDir(), "out")}
			want, kernel := inKernel[name]
			if kernel {
				argv = append(argv, "--explain")
			}
			spec := name
			for k, v := range args[strings.TrimSuffix(name, filepath.Ext(name))] {
				argv = append(argv, "--arg", k+"="+v)
			}
			argv = append(argv, "-s", spec, "./testdata/workload.sh")
			cmd := exec.Command(tracer, argv...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tracer, strings.Join(argv, " "), err, stderr.String())
			}
			out, err := os.ReadFile(argv[2])
			if err != nil {
				t.Fatal(err)
			}
			if len(bytes.TrimSpace(out)) == 0 {
				t.Errorf("%s printed nothing live", name)
			}
			if !kernel {
				return
			}
			if !strings.Contains(stderr.String(), "counted in the kernel, no record per call") {
				t.Errorf("%s does not count in the kernel:\n%s", name, stderr.String())
			}
			if aggs := strings.Contains(stderr.String(), "duration histogram per syscall"); aggs != keepsAggs[name] {
				t.Errorf("%s: the kernel keeps histograms and per-process counts: %v, want %v:\n%s", name, aggs, keepsAggs[name], stderr.String())
			}
			for _, w := range want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("%s live: no %q in:\n%s", name, w, out)
				}
			}
		})
	}
}

// TestRecord re-records the workload with -record: every event but the
// kinds the bin format does not carry yet.
func TestRecord(t *testing.T) {
	if !*doRecord {
		t.Skip("re-record with -record")
	}
	testutil.RequireBPF(t)
	tab := syscalls.Native()
	f, err := os.Create(recording)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := record.Header{Arch: tab.Arch(), Argv: []string{"strace.ebpf", "-f", "./testdata/workload.sh"}}
	for _, sc := range tab.All() {
		rs := record.Syscall{Nr: int32(sc.Nr), Name: sc.Name}
		for _, a := range sc.Args {
			rs.Args = append(rs.Args, record.Arg{Name: a.Name, Type: a.Type})
		}
		hdr.Syscalls = append(hdr.Syscalls, rs)
	}
	w, err := record.NewWriter(f, hdr)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := engine.New(engine.Config{
		Command: []string{"./testdata/workload.sh"}, FollowForks: true,
		CaptureBuffers: true, BufSize: 256, Table: tab,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &recorder{w: w}
	if _, err := sess.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events", w.Records())
}

type recorder struct{ w *record.Writer }

func (r *recorder) Event(ev *event.Event) error {
	err := r.w.Write(ev)
	if err != nil && strings.Contains(err.Error(), "unknown event kind") {
		return nil
	}
	return err
}
func (r *recorder) Idle() error { return nil }

var _ = errors.New
