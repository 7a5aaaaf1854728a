package main

// strace's -e qualifiers that are options, not filters: -e quiet=,
// -e decode-fds=, -e decode-pids= (each the same as the long option), and
// the ones refused by name (kvm, secontext, namespace).

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
)

// exprOptions are strace's -e spellings of an option: each qualifier (and
// strace's other spellings of it) sets that flag.
var exprOptions = map[string]string{
	"quiet": "quiet", "silent": "quiet", "silence": "quiet", "q": "quiet",
	"decode-fds": "decode-fds", "decode-fd": "decode-fds",
	"decode-pids": "decode-pids", "decode-pid": "decode-pids",
}

// exprRefused are strace's -e qualifiers that have no equivalent here,
// with the reason.
var exprRefused = map[string]string{
	"kvm":       "KVM vcpu exit reasons are not traced here (strace reads them from the vcpu's run structure with ptrace)",
	"secontext": "SELinux contexts are not shown here",
	"namespace": "namespace translations are not shown here (strace 6.x's -e namespace=new)",
}

// quietWords are the values of --quiet and -e quiet=, as strace takes them.
var quietWords = []string{"attach", "personality", "exit", "exits", "path-resolution", "superseded", "thread-execve", "all", "none"}

// takeExprOptions moves the -e qualifiers that are options out of the -e
// expressions, into their flags (applied after the flags given as such).
func (o *options) takeExprOptions(fs *pflag.FlagSet) error {
	var kept []string
	for _, e := range o.exprs {
		q, v, ok := strings.Cut(e, "=")
		if why, refused := exprRefused[q]; ok && refused {
			return fmt.Errorf("parsing -e %s: %s", e, why)
		}
		name, isOpt := exprOptions[q]
		if !ok || !isOpt {
			kept = append(kept, e)
			continue
		}
		if v == "" {
			return fmt.Errorf("parsing -e %s: empty list", e)
		}
		if strings.HasPrefix(v, "!") && name != "decode-fds" {
			return fmt.Errorf("parsing -e %s: a negated set is not supported for %s (give the keywords wanted)", e, q)
		}
		if name == "quiet" {
			for _, w := range strings.Split(v, ",") {
				if !slices.Contains(quietWords, w) {
					return fmt.Errorf("parsing -e %s: unknown keyword %q%s (%s)", e, w, suggest.Hint(w, quietWords), strings.Join(quietWords, ", "))
				}
			}
		}
		if name == "decode-pids" && v != "comm" && v != "container" {
			return fmt.Errorf("parsing -e %s: %q: comm (the command name, as strace -Y) or container%s", e, v, suggest.Hint(v, []string{"comm", "container"}))
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("parsing -e %s: %w", e, err)
		}
	}
	o.exprs = kept
	return nil
}

// decodeFdsValue is -y and --decode-fds[=SET]: -y counts (-yy is all), a
// SET of strace 6.1's keywords (path, socket, dev, pidfd,
// all, none, !SET) picks the kinds one by one.
type decodeFdsValue struct {
	pflag.Value // the -y count
	s           *straceOptions
}

func (d *decodeFdsValue) Set(v string) error {
	if v == "+1" { // -y, bare --decode-fds
		if err := d.Value.Set(v); err != nil {
			return err
		}
		d.s.fdKinds |= format.FdKindsOfLevel(d.s.decodeFds)
		return nil
	}
	k, err := format.ParseFdKinds(v)
	if err != nil {
		return err
	}
	d.s.fdKinds, d.s.decodeFds = k, k.Level()
	return nil
}
