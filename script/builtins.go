package script

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
)

// builtins are the predeclared functions of every script, by name.
var builtins = map[string]*starlark.Builtin{
	"hex":          starlark.NewBuiltin("hex", hexBuiltin),
	"write_hex":    starlark.NewBuiltin("write_hex", writeHexBuiltin),
	"hex_header":   starlark.NewBuiltin("hex_header", hexHeaderBuiltin),
	"hex_title":    starlark.NewBuiltin("hex_title", hexTitleBuiltin),
	"strace":       starlark.NewBuiltin("strace", straceBuiltin),
	"write_strace": starlark.NewBuiltin("write_strace", writeStraceBuiltin),
}

// Builtins is the sorted list of predeclared names.
// Module members are listed as "module.member".
func Builtins() []string {
	names := make([]string, 0, len(builtins)+len(hostBuiltins))
	for n := range builtins {
		names = append(names, n)
	}
	for n := range hostBuiltins {
		names = append(names, n)
	}
	for n, m := range modules {
		for member := range m.Members {
			names = append(names, n+"."+member)
		}
	}
	sort.Strings(names)
	return names
}

func (p *Pipeline) predeclared() starlark.StringDict {
	d := make(starlark.StringDict, len(builtins)+len(hostBuiltins)+len(modules))
	for n, b := range builtins {
		d[n] = b
	}
	for n, b := range hostBuiltins {
		d[n] = b
	}
	for n, m := range modules {
		d[n] = m
	}
	return d
}

func pipelineOf(t *starlark.Thread) *Pipeline {
	return t.Local(pipelineKey).(*Pipeline)
}

// eventArg is the one event argument of a per-event builtin, read without
// reflective unpacking: these builtins run for every event.
func eventArg(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Event, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if ev, ok := args[0].(*Event); ok {
			return ev, nil
		}
	}
	return nil, argError(b, args, kwargs, "an event")
}

// argError is the error of a builtin that takes exactly one argument, want.
func argError(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, want string) error {
	if len(kwargs) > 0 {
		return fmt.Errorf("%s: unexpected keyword argument %s", b.Name(), kwargs[0][0])
	}
	if len(args) != 1 {
		return fmt.Errorf("%s: got %d arguments, want 1", b.Name(), len(args))
	}
	return fmt.Errorf("%s: got %s, want %s", b.Name(), args[0].Type(), want)
}
