package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A peer is another tracer measured in the same run as the rows, on the
// same dd workload against the same bare dd, so that every machine's
// figures carry their own yardstick. Peers that are not installed are
// listed as such.
type peer struct {
	name string
	bin  string // the program that must be installed
	// wrap is the peer's command line around the workload (strace, perf
	// trace), with {out} for its output file; attach (bpftrace) is a
	// system-wide tracer started before the workload and interrupted
	// after it.
	wrap, attach []string
	// calls is the dd count: the slow peers trace fewer calls (a
	// million strace'd calls take a minute).
	calls int
	// startup is the peer's command whose wall time is its start-up.
	startup []string
}

var peers = []peer{
	{name: "bpftrace count", bin: "bpftrace", calls: 500_000,
		attach:  []string{"bpftrace", "-e", "tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }"},
		startup: []string{"bpftrace", "-e", "BEGIN { exit(); }"}},
	{name: "bpftrace printf", bin: "bpftrace", calls: 25_000,
		// Its lines come on its stdout, which the bench reads.
		attach: []string{"bpftrace", "-e", `tracepoint:raw_syscalls:sys_exit { printf("%d %s %d %d\n", pid, comm, args->id, args->ret); }`}},
	{name: "perf trace", bin: "perf", calls: 25_000,
		wrap:    []string{"perf", "trace", "-o", "{out}", "--"},
		startup: []string{"perf", "trace", "-o", "/dev/null", "--", "true"}},
	{name: "strace -f", bin: "strace", calls: 25_000,
		wrap:    []string{"strace", "-f", "-o", "{out}"},
		startup: []string{"strace", "-o", "/dev/null", "true"}},
}

// peerResult is what one peer measured: ns per syscall added in dd's CPU
// time, the ratio of whole-command wall times, and its start-up.
type peerResult struct {
	name    string
	missing bool
	ns      float64
	ratio   float64
	startup time.Duration
}

var (
	peersOnce    sync.Once
	peerResults  []peerResult
	ourStartup   map[string]time.Duration
	startupReps  = 5
	machineNotes string
)

// measurePeers measures every peer once per run, and the tracer's own
// start-up beside theirs.
func measurePeers(b *testing.B, tracer string) {
	peersOnce.Do(func() {
		machineNotes = machine()
		ourStartup = map[string]time.Duration{
			"hex":       startupOf(b, tracer, "-o", "/dev/null", "true"),
			"-l strace": startupOf(b, tracer, "-l", "strace", "-o", "/dev/null", "true"),
		}
		for _, p := range peers {
			r := peerResult{name: p.name}
			if _, err := exec.LookPath(p.bin); err != nil {
				r.missing = true
				peerResults = append(peerResults, r)
				continue
			}
			r.ns, r.ratio = measurePeer(b, p)
			if p.startup != nil {
				r.startup = startupOf(b, p.startup[0], p.startup[1:]...)
			}
			peerResults = append(peerResults, r)
		}
	})
}

// startupOf is the median wall time of argv.
func startupOf(b *testing.B, name string, args ...string) time.Duration {
	var d []time.Duration
	for i := 0; i < startupReps; i++ {
		cmd := exec.Command(name, args...)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		d = append(d, time.Since(start))
	}
	return median(d)
}

// ddCount is the workload with dd's count set to n (n reads and n writes).
func ddCount(n int) []string {
	w := append([]string(nil), workload...)
	w[len(w)-1] = fmt.Sprintf("count=%d", n)
	return w
}

// measurePeer runs dd bare and under p, alternating, reps times each,
// and returns the ns each syscall gains in dd's CPU time (medians) and
// the ratio of the median wall times.
func measurePeer(b *testing.B, p peer) (float64, float64) {
	dir := b.TempDir()
	out := filepath.Join(dir, "peer.out")
	bare := wrapped(ddCount(p.calls))
	var bs, ts, cbs, cts []time.Duration
	for r := 0; r < reps; r++ {
		d, stderr := runIn(b, dir, bare)
		bs, cbs = append(bs, d), append(cbs, cpuTime(b, stderr))
		if p.attach != nil {
			d, stderr = runAttached(b, dir, expandOut(p.attach, out), bare)
		} else {
			d, stderr = runIn(b, dir, append(expandOut(p.wrap, out), bare...))
		}
		ts, cts = append(ts, d), append(cts, cpuTime(b, stderr))
	}
	ns := float64(median(cts)-median(cbs)) / float64(2*p.calls)
	return ns, float64(median(ts)) / float64(median(bs))
}

func expandOut(argv []string, out string) []string {
	r := make([]string, len(argv))
	for i, a := range argv {
		r[i] = strings.ReplaceAll(a, "{out}", out)
	}
	return r
}

// runAttached starts the system-wide tracer attach, waits until it says
// it is attached, runs argv, and interrupts the tracer. The wall time is
// the workload's alone.
func runAttached(b *testing.B, dir string, attach, argv []string) (time.Duration, string) {
	tr := exec.Command(attach[0], attach[1:]...)
	tr.Dir = dir
	stdout, err := tr.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	tr.Stderr = tr.Stdout
	if err := tr.Start(); err != nil {
		b.Fatalf("%v: %v", attach, err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "Attaching") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			tr.Wait()
			b.Fatalf("%v ended without attaching", attach)
		}
	case <-time.After(60 * time.Second):
		tr.Process.Kill()
		tr.Wait()
		b.Fatalf("%v did not attach in 60 s", attach)
	}
	// bpftrace says "Attaching" before the probes are in: give it time.
	time.Sleep(time.Second)
	d, stderr := runIn(b, dir, argv)
	tr.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- tr.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		tr.Process.Kill()
		<-done
	}
	return d, stderr
}

// machine names the machine the figures come from.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	release := utsString(u.Release[:])
	clock, _ := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	load, _ := os.ReadFile("/proc/loadavg")
	hyp := ""
	if b, err := os.ReadFile("/sys/hypervisor/type"); err == nil {
		hyp = ", hypervisor " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d CPUs, Linux %s, clocksource %s%s, load average %s at start",
		model, runtime.NumCPU(), release, strings.TrimSpace(string(clock)), hyp, strings.Join(strings.Fields(string(load))[:3], " "))
}

func utsString(a []int8) string {
	var sb strings.Builder
	for _, c := range a {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	return sb.String()
}

// peersLine is what a row prints beside its own figures: the peers of
// the same run, each above this run's floor (what our programs cost
// attached and doing nothing).
func peersLine(floor float64) string {
	var parts []string
	for _, r := range peerResults {
		if r.missing {
			parts = append(parts, r.name+" not installed")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.0f (%.0f above)", r.name, r.ns, r.ns-floor))
	}
	return "peers, ns/syscall: " + strings.Join(parts, ", ")
}

// row is one line of the run's table.
type row struct {
	name         string
	ns, above    float64
	ratio        float64
	lost         uint64
	peer         bool
	startup      time.Duration
	startupKnown bool
}

var rows []row

// printTable prints the run's rows and peers as the README's table.
func printTable() {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(os.Stderr, "\nmachine: %s\n\n", machineNotes)
	fmt.Fprintln(os.Stderr, "| mode | ns added per syscall | above the floor | whole command | lost | start-up |")
	fmt.Fprintln(os.Stderr, "|---|---|---|---|---|---|")
	all := append([]row(nil), rows...)
	floor := 0.0
	for _, r := range rows {
		if r.name == "floor" {
			floor = r.ns
		}
	}
	for _, p := range peerResults {
		if p.missing {
			all = append(all, row{name: p.name + " (not installed)", peer: true})
			continue
		}
		all = append(all, row{name: p.name, ns: p.ns, above: p.ns - floor, ratio: p.ratio, peer: true, startup: p.startup, startupKnown: p.startup > 0})
	}
	sort.SliceStable(all, func(i, j int) bool { return !all[i].peer && all[j].peer })
	for _, r := range all {
		name := "`" + r.name + "`"
		if r.peer {
			name = "**" + r.name + "** (peer)"
		}
		if r.ns == 0 && r.peer {
			fmt.Fprintf(os.Stderr, "| %s | | | | | |\n", name)
			continue
		}
		st := ""
		if r.startupKnown {
			st = fmt.Sprintf("%.0f ms", float64(r.startup)/1e6)
		}
		lost := fmt.Sprint(r.lost)
		if r.peer {
			lost = ""
		}
		fmt.Fprintf(os.Stderr, "| %s | %.0f | %.0f | %.2fx | %s | %s |\n", name, r.ns, r.above, r.ratio, lost, st)
	}
}

// startupKey says which rows show which of our start-ups.
var startupKey = map[string]string{"hex": "hex", "strace": "-l strace"}
