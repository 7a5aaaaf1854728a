package session

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestParseInject checks strace's inject= and fault= grammar.
func TestParseInject(t *testing.T) {
	inf := uint16(engine.InjectLastInf)
	for _, tc := range []struct {
		expr string
		want InjectSet
		err  string
	}{
		{expr: "inject=openat:error=ENOSPC", want: InjectSet{Set: "openat", When: engine.Every, Fault: engine.Fault{Error: 28}}},
		{expr: "inject=openat:error=28:when=3", want: InjectSet{Set: "openat", When: engine.When{First: 3, Last: inf}, Fault: engine.Fault{Error: 28}}},
		{expr: "inject=read,write:retval=42:when=2+", want: InjectSet{Set: "read,write", When: engine.When{First: 2, Last: inf, Step: 1}, Fault: engine.Fault{Retval: 42, HasRetval: true}}},
		{expr: "inject=%file:signal=SIGUSR1:when=2..5", want: InjectSet{Set: "%file", When: engine.When{First: 2, Last: 5, Step: 1}, Fault: engine.Fault{Signal: 10}}},
		{expr: "inject=connect:delay_enter=200ms:when=1..9+3", want: InjectSet{Set: "connect", When: engine.When{First: 1, Last: 9, Step: 3}, Fault: engine.Fault{DelayEnter: 200 * time.Millisecond}}},
		{expr: "inject=connect:delay_enter=1500", want: InjectSet{Set: "connect", When: engine.Every, Fault: engine.Fault{DelayEnter: 1500 * time.Microsecond}}},
		{expr: "inject=umask:error=EPERM:when=2:when=4", want: InjectSet{Set: "umask", When: engine.When{First: 4, Last: inf}, Fault: engine.Fault{Error: 1}}},
		{expr: "inject=umask:error=EPERM:syscall=getpid", want: InjectSet{Set: "umask", When: engine.Every, Fault: engine.Fault{Error: 1}}},
		{expr: "fault=close", want: InjectSet{Set: "close", When: engine.Every, Fault: engine.Fault{Error: 38}}},
		{expr: "fault=close:error=EIO:when=3+", want: InjectSet{Set: "close", When: engine.When{First: 3, Last: inf, Step: 1}, Fault: engine.Fault{Error: 5}}},
		{expr: "inject=close", err: "no error=, retval=, signal=, delay_enter= or poke_enter="},
		{expr: "inject=close:error=EIO:retval=1", err: "exclusive"},
		{expr: "inject=close:delay_exit=1s", err: "delay_exit= is not supported"},
		{expr: "inject=write:poke_enter=@arg2=7a0b,@arg7=ff", want: InjectSet{Set: "write", When: engine.Every, Fault: engine.Fault{Pokes: []engine.Poke{{Arg: 2, Data: []byte{0x7a, 0x0b}}, {Arg: 7, Data: []byte{0xff}}}}}},
		{expr: "inject=close:poke_exit=@arg1=00", err: "poke_exit= is not supported"},
		{expr: "inject=close:poke_enter=@arg8=00", err: "not @argN=HEX"},
		{expr: "inject=close:poke_enter=@arg1=0", err: "even number"},
		{expr: "fault=close:poke_enter=@arg1=00", err: "not a fault= token"},
		{expr: "fault=close:signal=SIGUSR1", err: "not a fault= token"},
		{expr: "inject=close:error=EBOGUS", err: "unknown error"},
		{expr: "inject=close:error=EIO:when=0", err: "1..65535"},
		{expr: "inject=close:error=EIO:when=5..3", err: "LAST must be at least FIRST"},
		{expr: "inject=close:retval=-1", err: "is an error"},
		{expr: "inject=close:error=EIO:syscall=openat", err: "not a pure syscall"},
		{expr: "inject=:error=EIO", err: "no syscall set"},
	} {
		f, err := ParseFilter([]string{tc.expr})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one with %q", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		tc.want.Expr = tc.expr
		if diff := cmp.Diff([]InjectSet{tc.want}, f.Inject); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.expr, diff)
		}
	}
}

// TestInjectConfig resolves sets against a table, keeps only traced calls
// of -e inject= sets, and refuses injection without a command.
func TestInjectConfig(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFilter([]string{"trace=openat,close", "inject=openat,read:error=EIO", "fault=close:when=2"})
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Command: []string{"true"}, Filter: f}
	sel, err := f.Resolve(tab)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.injectConfig(tab, sel, nil)
	if err != nil {
		t.Fatal(err)
	}
	openat, closeNr := tab.ByName("openat").Nr, tab.ByName("close").Nr
	if diff := cmp.Diff([]int{openat}, c.Rules[0].Syscalls); diff != "" {
		t.Errorf("inject=openat,read with trace=openat,close (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{closeNr}, c.Rules[1].Syscalls); diff != "" {
		t.Errorf("fault=close (-want +got):\n%s", diff)
	}
	p.Command = nil
	if _, err := p.injectConfig(tab, sel, nil); err == nil || !strings.Contains(err.Error(), "seccomp cannot be given to a running process") {
		t.Errorf("without a command: %v", err)
	}
}
