package script

import (
	"io"
	"testing"
)

func TestDirectHook(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // builtin called directly, "" for none
		returns   bool
	}{
		{"stock hex", "def on_syscall(ev):\n    write_hex(ev)\n", "write_hex", false},
		{"return form", "def on_syscall(e):\n    return hex(e)\n", "hex", true},
		{"more statements", "def on_syscall(ev):\n    x = 1\n    write_hex(ev)\n", "", false},
		{"condition", "def on_syscall(ev):\n    return ev.failed and hex(ev)\n", "", false},
		{"other argument", "E = None\ndef on_syscall(ev):\n    write_hex(E)\n", "", false},
		{"not allowed builtin", "def on_syscall(ev):\n    print(ev)\n", "", false},
		{"shadowed builtin", "def write_hex(ev):\n    return True\ndef on_syscall(ev):\n    write_hex(ev)\n", "", false},
		{"redefined hook", "def on_syscall(ev):\n    write_hex(ev)\ndef g(ev):\n    return True\non_syscall = g\n", "", false},
	} {
		p := NewPipeline(io.Discard, Options{})
		defer p.Close()
		if err := p.AddSource(tc.name+".star", []byte(tc.src)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		st := p.stages[0].(*starStage)
		got := ""
		if st.direct != nil {
			got = st.direct.Name()
		}
		if got != tc.want || (got != "" && st.directReturns != tc.returns) {
			t.Errorf("%s: direct %q returns %v, want %q %v", tc.name, got, st.directReturns, tc.want, tc.returns)
		}
	}
}
