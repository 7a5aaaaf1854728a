package script

import (
	"bytes"
	"errors"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	lua "github.com/yuin/gopher-lua"
)

// runEvents runs one script over the docs' events as the tracer does: the
// first error stops the events, and Flush writes what came before it.
func runEvents(t *testing.T, opts Options, name, src string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Table = amd64(t)
	p := NewPipeline(&out, opts)
	defer p.Close()
	err := p.AddSource(name, []byte(src))
	if err == nil {
		err = p.Start()
	}
	for _, ev := range docEvents() {
		if err != nil {
			break
		}
		err = p.Event(ev)
	}
	if err != nil {
		p.Flush()
		return out.String(), err
	}
	err = p.Finish()
	return out.String(), err
}

// printNames prints the events' names up to the read, then runs bomb.
const printNames = "def on_syscall(ev):\n    print(ev.name)\n    if ev.name == 'read':\n"

func TestBudgets(t *testing.T) {
	small := Options{MemoryLimit: 64 << 20, MaxSteps: 1 << 40, CallTimeout: time.Minute}
	for _, tc := range []struct {
		what      string
		opts      Options // the default budgets when zero
		file, src string
		budget    string
		line      int    // 0: any (the interpreter names a line of the loop's block)
		out       string // printed (and flushed) before the stop
	}{
		// Memory, in one go: refused before any byte is allocated.
		{what: "star repeat", file: "a.star", src: "def on_syscall(ev):\n    x = [0] * 1000000000\n", budget: "memory", line: 2},
		{what: "star repeat right", file: "a.star", src: "n = 1000000000\nx = n * (0,)\n", budget: "memory", line: 2},
		{what: "star repeat assign", file: "a.star", src: "x = [0]\nx *= 1000000000\n", budget: "memory", line: 2},
		{what: "star repeat index", file: "a.star", src: "d = {'k': 'x'}\nd['k'] *= 2000000000\n", budget: "memory", line: 2},
		{what: "star list range", file: "a.star", src: "def on_syscall(ev):\n    return len(list(range(1000000000))) > 0\n", budget: "memory", line: 2},
		{what: "star sorted range", file: "a.star", src: "x = sorted(range(1000000000))\n", budget: "memory", line: 1},
		{what: "lua string.rep", file: "a.lua", src: "function on_syscall(ev)\n  local s = string.rep('x', 2^31)\nend\n", budget: "memory", line: 2},
		{what: "lua method rep", file: "a.lua", src: "local s = ('x'):rep(2^31)\n", budget: "memory", line: 1},
		{what: "lua table.concat", file: "a.lua", src: "local s, t = string.rep('x', 2^20), {}\nfor i = 1, 2048 do t[i] = s end\nlocal r = table.concat(t)\n", budget: "memory", line: 3},
		{what: "star join", file: "a.star", src: "l = ['x' * 1000000] * 2000\nx = ''.join(l)\n", budget: "memory", line: 2},
		{what: "star replace", file: "a.star", src: "s = 'x' * 100000\nx = s.replace('x', s)\n", budget: "memory", line: 2},
		{what: "star format", file: "a.star", src: "s = 'x' * 1000000\nx = ('{0}' * 2000).format(s)\n", budget: "memory", line: 2},
		{what: "star percent", file: "a.star", src: "s = 'x' * 1000000\nx = ('%s' * 2000) % tuple([s] * 2000)\n", budget: "memory", line: 2},
		{what: "star extend", opts: small, file: "a.star", src: "l = [0] * 3000000\nl.extend(l)\n", budget: "memory", line: 2},
		{what: "lua gsub", file: "a.lua", src: "local s = string.rep('x', 100000)\nlocal r = s:gsub('x', s)\n", budget: "memory", line: 2},
		{what: "lua format", file: "a.lua", src: "local s, t = string.rep('x', 1000000), {}\nfor i = 1, 2000 do t[i] = s end\nlocal r = string.format(string.rep('%s', 2000), unpack(t))\n", budget: "memory", line: 3},
		// Memory, bit by bit: the watchdog stops the call; the output
		// printed before is flushed.
		{what: "star growth", opts: small, file: "a.star", src: printNames + "        l = []\n        for i in range(100000000):\n            l.append('x' * 1000 + str(i))\n", budget: "memory", line: 6, out: "execve\nopenat\nread\n"},
		{what: "lua growth", opts: small, file: "a.lua", src: "t = {}\nfunction on_syscall(ev)\n  print(ev.name)\n  if ev.name == 'read' then\n    for i = 1, 1e8 do t[i] = string.rep('x', 1000) .. i end\n  end\nend\n", budget: "memory", line: 5, out: "execve\nopenat\nread\n"},
		{what: "lua doubling", opts: small, file: "a.lua", src: "local s = 'x'\nwhile true do s = s .. s end\n", budget: "memory", line: 2},
		{what: "lua doubling chain", opts: small, file: "a.lua", src: "local s = 'x'\nwhile true do s = s .. 1 .. s end\n", budget: "memory", line: 2},
		{what: "star string doubling", opts: small, file: "a.star", src: "s = 'x'\nfor i in range(64):\n    s = s + s\n", budget: "memory", line: 3},
		{what: "star list doubling", opts: small, file: "a.star", src: "l = [0]\nfor i in range(64):\n    l += l\n", budget: "memory", line: 3},
		// Time (Lua) and steps (Starlark), at the top level as in hooks.
		{what: "lua top-level loop", opts: Options{CallTimeout: 100 * time.Millisecond}, file: "a.lua", src: "local n = 0\nwhile true do n = n + 1 end\n", budget: "time", line: 2},
		{what: "lua hook loop", opts: Options{CallTimeout: 100 * time.Millisecond}, file: "a.lua", src: "function on_syscall(ev)\n  print(ev.name)\n  if ev.name == 'read' then\n    while true do end\n  end\nend\n", budget: "time", line: 4, out: "execve\nopenat\nread\n"},
		{what: "star top-level loop", opts: Options{MaxSteps: 100_000}, file: "a.star", src: "n = 0\nwhile True:\n    n += len('x')\n", budget: "steps"},
		{what: "star hook loop", opts: Options{MaxSteps: 100_000}, file: "a.star", src: printNames + "        while True:\n            n = len('x')\n", budget: "steps", line: 3, out: "execve\nopenat\nread\n"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			start := time.Now()
			out, err := runEvents(t, tc.opts, tc.file, tc.src)
			if !errors.Is(err, ErrBudget) {
				t.Fatalf("error %v, want a budget error", err)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T, want a *script.Error", err)
			}
			if se.Budget != tc.budget || se.File != tc.file || se.Line == 0 || (tc.line != 0 && se.Line != tc.line) {
				t.Errorf("stopped by %q at %s:%d, want %q at %s:%d: %v", se.Budget, se.File, se.Line, tc.budget, tc.file, tc.line, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, strings.TrimSuffix(tc.budget, "s")+" budget exceeded") {
				t.Errorf("error is not one line naming the %s budget: %q", tc.budget, msg)
			}
			if diff := cmp.Diff(tc.out, out); diff != "" {
				t.Errorf("output before the stop (-want +got):\n%s", diff)
			}
			t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), msg)
		})
	}
}

// A runaway Lua call stops after the documented 5 s, not twice that.
func TestLuaTimeBudgetDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 5s")
	}
	start := time.Now()
	_, err := runEvents(t, Options{}, "spin.lua", "function on_syscall(ev)\n  while true do end\nend\n")
	took := time.Since(start)
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "spin.lua:2: time budget exceeded: call took longer than 5s") {
		t.Fatalf("error %v, want spin.lua:2 and the 5s time budget", err)
	}
	if took < DefaultCallTimeout || took > DefaultCallTimeout+time.Second {
		t.Errorf("the call stopped after %v, want %v", took, DefaultCallTimeout)
	}
	t.Logf("stopped after %v", took)
}

func TestInterruptIsTyped(t *testing.T) {
	for _, tc := range [][2]string{
		{"a.star", "def on_syscall(ev):\n    while True:\n        n = len('')\n"},
		{"a.lua", "function on_syscall(ev)\n  while true do end\nend\n"},
	} {
		var out bytes.Buffer
		p := NewPipeline(&out, Options{Table: amd64(t), MaxSteps: 1 << 40, CallTimeout: time.Minute})
		if err := p.AddSource(tc[0], []byte(tc[1])); err != nil {
			t.Fatal(err)
		}
		go func() {
			for !p.inCall.Load() {
				time.Sleep(time.Millisecond)
			}
			p.Interrupt()
		}()
		err := p.Event(docEvents()[0])
		p.Flush()
		p.Close()
		if !errors.Is(err, ErrInterrupted) || errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), tc[0]+":") {
			t.Errorf("%s: error %v, want an interrupt", tc[0], err)
		}
	}
}

// Every failure of a running script is a *script.Error; only budget stops
// are ErrBudget.
func TestScriptErrorsTyped(t *testing.T) {
	for _, tc := range []struct{ file, src, want string }{
		{"a.star", "def on_syscall(ev):\n    return 1 // 0\n", "running script a.star: a.star:2:14: in on_syscall: floored division by zero"},
		{"a.star", "def on_syscall(ev):\n    return 1\n", "running script a.star: on_syscall returned int, want bool, None or string"},
		{"a.star", "x = 'a' * 'b'\n", "running script a.star: a.star:1:9: in <toplevel>: unknown binary op: string * string"},
		{"a.star", "fail('no')\n", "running script a.star: a.star:1:5: in <toplevel>: fail: no"},
		{"a.lua", "function on_exit()\n  error('boom')\nend\n", "running script a.lua: a.lua:2: boom"},
		{"a.lua", "function on_syscall(ev) return {} end\n", "running script a.lua: on_syscall returned table, want bool, None or string"},
	} {
		_, err := runEvents(t, Options{}, tc.file, tc.src)
		var se *Error
		if !errors.As(err, &se) || errors.Is(err, ErrBudget) {
			t.Errorf("%s: error %T %v, want a *script.Error, not a budget's", tc.src, err, err)
			continue
		}
		if se.Summary() != tc.want {
			t.Errorf("%s: error %q, want %q", tc.src, se.Summary(), tc.want)
		}
	}
}

// Runaway recursion: the traceback keeps the first and last frames.
func TestTracebackCapped(t *testing.T) {
	for _, tc := range []struct{ file, src, want, omitted string }{
		{"a.star", "def f(n):\n    return f(n + 1)\n\ndef on_syscall(ev):\n    f(0)\n",
			"running script a.star: a.star:2:12: in f: Starlark stack overflow", "  ... 99991 frames omitted"},
		{"a.lua", "function f(n) return f(n + 1) + 1 end\nfunction on_syscall(ev) f(0) end\n",
			"running script a.lua: a.lua:1: stack overflow", "levels omitted"},
	} {
		_, err := runEvents(t, Options{}, tc.file, tc.src)
		if err == nil {
			t.Fatalf("%s: no error", tc.file)
		}
		lines := strings.Split(err.Error(), "\n")
		if lines[0] != tc.want {
			t.Errorf("%s: first line %q, want %q", tc.file, lines[0], tc.want)
		}
		if len(lines) > 2*tracebackEnds+4 || !strings.Contains(err.Error(), tc.omitted) {
			t.Errorf("%s: traceback of %d lines, want at most %d with %q:\n%s", tc.file, len(lines), 2*tracebackEnds+4, tc.omitted, err)
		}
		if tc.file == "a.star" && (lines[2] != "  a.star:5:6: in on_syscall" || lines[len(lines)-1] != "Error: Starlark stack overflow") {
			t.Errorf("%s: traceback lost its outer frame or its error line:\n%s", tc.file, err)
		}
	}
}

// The guard of '*' computes exactly what the operator does.
func TestRepeatGuardSemantics(t *testing.T) {
	src := `
x = [1, 2]
x *= 2
y = 3
y *= 4
d = {"k": "ab", "n": 5}
d["k"] *= 3
d["n"] *= 2
t = (1,) * 3
s = 2 * "xy"
f = 1.5 * 2
def g(a, b = 2 * 3):
    return a * b
l = [i * i for i in range(4) if i * 2 > 1]
h = lambda z: z * 2
print(x, y, d, t, s, f, g(7), g(2, 5), l, h(4), -3 * -3, 1 if False else 2 * 2 * 2)
a = [1]
b = a
a += [2]
c = "a" + "b" + "c"
n = 1
n += 2
m = n + n
e = (1,) + (2,)
print(a, b, b == a, c, n, m, e, [1] + [2], 0.5 + n)
b.extend([3])
print(",".join(["p", "q"]), "aXb".replace("X", "--"), "{} {x}".format(1, x = 2), a, "%s-%d" % ("a", 1), "%s" % "z", 7 % 4, "a b".split(" "))
`
	out, err := runEvents(t, Options{}, "a.star", src)
	if err != nil {
		t.Fatal(err)
	}
	want := `[1, 2, 1, 2] 12 {"k": "ababab", "n": 10} (1, 1, 1) xyxy 3.0 42 10 [1, 4, 9] 8 9 8` + "\n" +
		`[1, 2] [1, 2] True abc 3 6 (1, 2) [1, 2] 3.5` + "\n" +
		`p,q a--b 1 2 [1, 2, 3] a-1 z 3 ["a", "b"]` + "\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The guard of Lua's '..' computes exactly what the operator does.
func TestConcatGuardSemantics(t *testing.T) {
	src := `
local mt = {__concat = function(a, b)
  local x = type(a) == "table" and a.name or a
  local y = type(b) == "table" and b.name or b
  return x .. "+" .. y
end}
local o = setmetatable({name = "o"}, mt)
print("a" .. "b" .. 1 .. 2.5, 1 .. "", o .. "s", "s" .. o, "p" .. o .. "q", ("x"):rep(3) .. "y")
print(("abc"):gsub("b", "XY"), string.gsub("aaa", "a", "bb", 2), string.format("%s=%d %5.1f", "k", 3, 2.25), table.concat({1, "a", 2}, "-"))
local ok, err = pcall(function() return "a" .. {} end)
print(ok, err)
`
	out, err := runEvents(t, Options{}, "a.lua", src)
	if err != nil {
		t.Fatal(err)
	}
	// What the VM's own '..' prints.
	var native strings.Builder
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				native.WriteByte('\t')
			}
			native.WriteString(L.ToStringMeta(L.Get(i)).String())
		}
		native.WriteByte('\n')
		return 0
	}))
	fn, err := L.Load(strings.NewReader(src), "a.lua")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatal(err)
	}
	want := native.String()
	if !strings.Contains(want, "po+q") || !strings.Contains(want, "a.lua:10: cannot perform concat") {
		t.Fatalf("the VM printed %q", want)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The soft memory limit set while scripts run is given back.
func TestSoftLimitRestored(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t), MemoryLimit: 64 << 20})
	if err := p.AddSource("a.star", []byte("x = 1\n")); err != nil {
		t.Fatal(err)
	}
	if during := debug.SetMemoryLimit(-1); during >= before {
		t.Errorf("soft limit %d while scripts run, want it lower than %d", during, before)
	}
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("soft limit %d after the pipeline, want %d back", after, before)
	}
}

// Flush, which a recording calls at every event, writes the output and
// leaves the budgets on.
func TestFlushKeepsBudgets(t *testing.T) {
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: amd64(t), CallTimeout: 100 * time.Millisecond})
	defer p.Close()
	src := "function on_syscall(ev)\n  print(ev.name)\n  if ev.name == 'read' then\n    while true do end\n  end\nend\n"
	if err := p.AddSource("spin.lua", []byte(src)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for _, ev := range docEvents() {
			if err := p.Event(ev); err != nil {
				done <- err
				return
			}
			if err := p.Flush(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrBudget) {
			t.Fatalf("error %v, want the time budget", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the runaway call was not stopped after a Flush")
	}
	if diff := cmp.Diff("execve\nopenat\n", out.String()); diff != "" {
		t.Errorf("flushed output (-want +got):\n%s", diff)
	}
}
