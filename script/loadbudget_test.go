package script

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// luaConstLines is n lines of "xI = I": 2n constants in the main chunk.
func luaConstLines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "x%d = %d\n", i, i)
	}
	return b.String()
}

// Loading is bounded: a file over MaxScriptSize is refused before it is
// read, a Lua function with too many constants before it compiles, and
// compiling counts against the time and memory budgets.
func TestLoadBudgets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.star", strings.Repeat("x = 1\n", MaxScriptSize/6+1))
	write("bigmod.star", strings.Repeat("x = 1\n", MaxScriptSize/6+1))
	loader := write("loader.star", `load("bigmod.star", "x")`+"\n")
	luaLoader := write("loader.lua", `require("big.lua")`+"\n")
	write("big.lua", strings.Repeat("x = 1\n", MaxScriptSize/6+1))
	consts := write("consts.lua", luaConstLines(20000))
	fnConsts := write("fnconsts.lua", "local t\nfunction f()\n"+luaConstLines(20000)+"end\n")
	slow := write("slow.star", strings.Repeat("x = [1, 2, 3, 4, 5, 6, 7, 8]\n", 30000))
	for _, tc := range []struct {
		name, path string
		opts       Options
		want       string
		within     time.Duration
	}{
		{"size", big, Options{}, "loading script " + big + ": 1048578 bytes, more than a script file may have (1 MiB)", time.Second},
		{"size of a loaded module", loader, Options{}, "bigmod.star: 1048578 bytes, more than a script file may have (1 MiB)", time.Second},
		{"size of a required module", luaLoader, Options{}, `require("big.lua"): 1048578 bytes, more than a script file may have (1 MiB)`, time.Second},
		{"lua constants", consts, Options{}, "loading script " + consts + ": the main chunk uses 40000 constants (40000 distinct): gopher-lua compiles that in quadratic time", time.Second},
		{"lua constants in a function", fnConsts, Options{}, "loading script " + fnConsts + ": the function at line 2 uses 40000 constants", time.Second},
		{"compile time", slow, Options{CallTimeout: time.Millisecond}, "loading script " + slow + ": time budget exceeded: compiling took longer than 1ms", time.Second},
		{"compile memory", slow, Options{MemoryLimit: 1 << 20}, "loading script " + slow + ": compiling: memory budget exceeded: scripts hold more than 1 MiB", 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Table = amd64(t)
			p := NewPipeline(&bytes.Buffer{}, tc.opts)
			defer p.Close()
			start := time.Now()
			err := p.AddFile(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > tc.within {
				t.Errorf("took %v, want under %v", d, tc.within)
			}
		})
	}
	// The Go API's sources too.
	p := NewPipeline(&bytes.Buffer{}, Options{Table: amd64(t)})
	if err := p.AddSource("src.star", make([]byte, MaxScriptSize+1)); err == nil || !strings.Contains(err.Error(), "loading script src.star: 1048577 bytes, more than a script file may have (1 MiB)") {
		t.Errorf("AddSource of %d bytes: %v", MaxScriptSize+1, err)
	}
	p.Close()
	// What the bounds let through still loads: a file just under the size
	// limit (a quarter of it under the race detector, which makes the
	// compiler ten times slower).
	n := MaxScriptSize/6 - 1
	if raceDetector {
		n /= 4
	}
	for _, src := range []string{luaConstLines(2000), strings.Repeat("x = 1\n", n)} {
		name := write("ok.lua", src)
		if !strings.HasPrefix(src, "x0") {
			name = write("ok.star", src)
		}
		p := NewPipeline(&bytes.Buffer{}, Options{Table: amd64(t)})
		if err := p.AddFile(name); err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
		}
		p.Close()
	}
}
