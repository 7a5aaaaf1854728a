package session

import (
	"strings"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// The formats, their options and what they need are format's (format.Formats);
// these names keep the plan's fields short.
type (
	Needs        = format.Needs
	Presentation = format.Presentation
)

// checkHonoured refuses a presentation option f does not apply.
func checkHonoured(f *format.Format, given format.Opt) error {
	if o, fmts := f.Refused(given); o != 0 {
		return usagef("choosing options: %s does not apply to -l %s (it applies to -l %s)", format.OptName(o), f.Name, strings.Join(fmts, ", -l "))
	}
	return nil
}

var errBinaryTerminal = usage("choosing output: -l bin writes binary data; give -o FILE or redirect stdout")
