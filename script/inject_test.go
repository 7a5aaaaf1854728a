package script

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestInjectHook: inject() declarations, and on_inject deciding from the
// call's strings, in Starlark and Lua.
func TestInjectHook(t *testing.T) {
	tab := amd64(t)
	openat := int32(tab.ByName("openat").Nr)
	call := func(path string) *event.Event {
		return &event.Event{Kind: event.Syscall, Nr: openat, PID: 1, TID: 1, Args: [6]uint64{0xffffff9c, 1},
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte(path)}}}
	}
	for _, tc := range []struct{ name, src string }{
		{"x.star", `
inject(syscalls = ["openat"])
inject(syscalls = ["write"], fault = "error=EIO:when=3")

def on_inject(ev):
    if ev.path.startswith("/var/lib/"):
        return "error=EACCES"
    return None
`},
		{"x.lua", `
inject{syscalls = {"openat"}}
inject{syscalls = {"write"}, fault = "error=EIO:when=3"}

function on_inject(ev)
  if string.sub(ev.path, 1, 9) == "/var/lib/" then return "error=EACCES" end
  return nil
end
`},
	} {
		p := NewPipeline(&bytes.Buffer{}, Options{Table: tab})
		if err := p.AddSource(tc.name, []byte(tc.src)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		decls, err := p.Injects()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := []InjectDecl{{Script: tc.name, Syscalls: []string{"openat"}}, {Script: tc.name, Syscalls: []string{"write"}, Fault: "error=EIO:when=3"}}
		if diff := cmp.Diff(want, decls); diff != "" {
			t.Errorf("%s: declarations (-want +got):\n%s", tc.name, diff)
		}
		for path, want := range map[string]string{"/var/lib/x": "error=EACCES", "/etc/passwd": ""} {
			got, err := p.Inject(call(path))
			if err != nil || got != want {
				t.Errorf("%s: on_inject(%s) = %q, %v; want %q", tc.name, path, got, err, want)
			}
		}
		p.Close()
	}
}

func TestInjectDeclErrors(t *testing.T) {
	tab := amd64(t)
	for _, tc := range []struct{ src, want string }{
		{`inject(syscalls = ["openat"])`, "needs on_inject"},
		{"inject(syscalls = [\"openat\"], fault = \"error=EIO\")\ndef on_inject(ev):\n    return None\n", "sees no call"},
		{`inject(syscalls = [])`, "name at least one call"},
		{`inject(syscalls = ["openat"], fault = 3)`, "want a string"},
	} {
		p := NewPipeline(&bytes.Buffer{}, Options{Table: tab})
		err := p.AddSource("x.star", []byte(tc.src))
		if err == nil {
			_, err = p.Injects()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
		p.Close()
	}
}
