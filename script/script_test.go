package script

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func amd64(t testing.TB) *syscalls.Table {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// run runs the scripts (name -> source, in order) on the docs' events and
// returns the output, or the first error.
func run(t *testing.T, opts Options, scripts ...[2]string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Table = amd64(t)
	p := NewPipeline(&out, opts)
	defer p.Close()
	for _, s := range scripts {
		if err := p.AddSource(s[0], []byte(s[1])); err != nil {
			return out.String(), err
		}
	}
	if err := p.Start(); err != nil {
		return out.String(), err
	}
	for _, ev := range docEvents() {
		if err := p.Event(ev); err != nil {
			p.Flush()
			return out.String(), err
		}
	}
	err := p.Finish()
	return out.String(), err
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, src, want string
	}{
		{"compile", "a.star", "def on_syscall(ev):\n    return (\n", "compiling script: a.star:3:1: got outdent"},
		{"undefined", "a.star", "def on_syscall(ev):\n    return nope\n", "compiling script: a.star:2:12: undefined: nope"},
		{"runtime", "a.star", "def on_syscall(ev):\n    return ev.nope\n", "running script a.star: a.star:2:14: in on_syscall: strace.event has no .nope field or method"},
		{"bad return", "a.star", "def on_syscall(ev):\n    return 1\n", "running script a.star: on_syscall returned int, want bool, None or string"},
		{"arity", "a.star", "def on_syscall():\n    pass\n", "loading script a.star: on_syscall takes 0 parameters, want 1"},
		{"trace late", "a.star", "def on_syscall(ev):\n    trace(failed=True)\n", "trace: call it at the top level"},
		{"trace twice", "a.star", "trace()\ntrace()\n", "trace: called twice"},
		{"unknown syscall", "a.star", "trace(syscalls=[\"nope\"])\n", "trace: unknown syscall \"nope\""},
		{"budget", "a.star", "def on_syscall(ev):\n    while True:\n        pass\n", "too many steps"},
		{"lua compile", "a.lua", "function on_syscall(ev\n", "compiling script: a.lua"},
		{"lua runtime", "a.lua", "function on_syscall(ev) return ev.nope end\n", "running script a.lua: a.lua:1: strace.event has no field nope"},
		{"lua no io", "a.lua", "io.open('/etc/passwd')\n", "attempt to index a non-table object(nil)"},
		{"lua no os", "a.lua", "os.execute('true')\n", "attempt to index a non-table object(nil)"},
		{"lua no dofile", "a.lua", "dofile('/etc/passwd')\n", "attempt to call a non-function object"},
		{"lua bad return", "a.lua", "function on_syscall(ev) return 1 end\n", "on_syscall returned number"},
		{"load escapes", "a.star", "load(\"../x.star\", \"y\")\n", "only files next to the script"},
		{"language", "a.py", "", "unknown script language \".py\""},
		{"lua timeout", "a.lua", "function on_syscall(ev) while true do end end\n", "call took longer than 50ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, Options{MaxSteps: 100_000, CallTimeout: 50 * time.Millisecond}, [2]string{tc.file, tc.src})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestMixedPipeline(t *testing.T) {
	got, err := run(t, Options{},
		[2]string{"filter.lua", "function on_syscall(ev) return ev.name == 'openat' or ev.name == 'read' end\n"},
		[2]string{"fmt.star", "def on_syscall(ev):\n    return '%s %s' % (ev.name, ev.ret)\n"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("openat 3\nread 10\nopenat -2\n", got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	dir, _ := filepath.Abs("testdata")
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t)})
	defer p.Close()
	for name, src := range map[string]string{
		"a.star": "load(\"lib.star\", \"double\")\nprint(double(21))\n",
		"b.lua":  "print(require('lib').triple(3), require('lib.star').double(4))\n",
	} {
		if err := p.AddSource(filepath.Join(dir, name), []byte(src)); err != nil {
			t.Fatal(err)
		}
	}
	p.Flush()
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	sortStrings(got)
	if diff := cmp.Diff([]string{"42", "9\t8"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPushdown(t *testing.T) {
	tab := amd64(t)
	nr := func(names ...string) []int {
		var out []int
		for _, n := range names {
			out = append(out, tab.ByName(n).Nr)
		}
		sortInts(out)
		return out
	}
	for _, tc := range []struct {
		name    string
		scripts []string
		want    KernelFilter
	}{
		{"nothing", []string{"def on_syscall(ev):\n    pass\n"}, KernelFilter{}},
		{"first stage", []string{"trace(syscalls=['openat'], failed=True)\ndef on_syscall(ev):\n    pass\n"}, KernelFilter{Syscalls: nr("openat"), FailedOnly: true}},
		{"pure filters add up", []string{"trace(syscalls=['openat', 'read'])\n", "trace(syscalls=['read', 'close'])\ndef on_syscall(ev):\n    pass\n"}, KernelFilter{Syscalls: nr("read")}},
		{"after a hook stays in user space", []string{"def on_syscall(ev):\n    return True\n", "trace(syscalls=['read'], failed=True)\n"}, KernelFilter{}},
		{"succeeded only stays in user space", []string{"trace(failed=False)\n"}, KernelFilter{}},
		{"buffers", []string{"def on_syscall(ev):\n    return True\n", "trace(buffers=64)\n"}, KernelFilter{Buffers: 64}},
		{"process hooks keep exec", []string{"trace(syscalls=['openat'], failed=True)\ndef on_exec(p):\n    pass\n"},
			KernelFilter{Syscalls: nr("openat", "execve", "execveat", "exit", "exit_group", "clone", "clone3", "fork", "vfork")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPipeline(&bytes.Buffer{}, Options{Table: tab})
			defer p.Close()
			for i, src := range tc.scripts {
				if err := p.AddSource("s"+string(rune('0'+i))+".star", []byte(src)); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, p.Pushdown()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestScriptArgs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.star")
	os.WriteFile(path, []byte("n = arg('n', 1)\nname = arg('name', 'x')\nprint(n + 1, name)\n"), 0o644)
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t), Args: map[string]string{"name": "global"}})
	defer p.Close()
	if err := p.AddFile(path + ":n=41"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddFile(path + ":nope=1"); err == nil || !strings.Contains(err.Error(), `unknown script argument "nope"`) {
		t.Errorf("unknown argument: %v", err)
	}
	if err := p.AddFile(path + ":n=x"); err == nil || !strings.Contains(err.Error(), `arg: n="x" is not an integer`) {
		t.Errorf("bad integer: %v", err)
	}
	p.Flush()
	if got := out.String(); !strings.HasPrefix(got, "42 global\n") {
		t.Errorf("got %q", got)
	}
}

func TestInterrupt(t *testing.T) {
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t), MaxSteps: 1 << 62})
	defer p.Close()
	if err := p.AddSource("a.star", []byte("def on_syscall(ev):\n    while True:\n        pass\n")); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.Interrupt()
	}()
	err := p.Event(docEvents()[0])
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("error %v, want interrupted", err)
	}
	// The stage works again after the interruption.
	p2 := p.stages[0].(*starStage)
	if p2.thread == nil {
		t.Fatal("no thread")
	}
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
