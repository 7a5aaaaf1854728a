package script

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/strace-ebpf/strace.ebpf/stdlib"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// hostBuiltins are the predeclared functions of the scripting API besides
// the stock formats' ones (builtins.go).
var hostBuiltins = map[string]*starlark.Builtin{
	"trace":   starlark.NewBuiltin("trace", traceBuiltin),
	"inject":  starlark.NewBuiltin("inject", injectBuiltin),
	"arg":     starlark.NewBuiltin("arg", argBuiltin),
	"count":   starlark.NewBuiltin("count", newAggBuiltin(aggCount)),
	"sum":     starlark.NewBuiltin("sum", newAggBuiltin(aggSum)),
	"stats":   starlark.NewBuiltin("stats", newAggBuiltin(aggStats)),
	"hist":    starlark.NewBuiltin("hist", newAggBuiltin(aggHist)),
	"lhist":   starlark.NewBuiltin("lhist", newAggBuiltin(aggLhist)),
	"table":   starlark.NewBuiltin("table", tableBuiltin),
	"sprintf": starlark.NewBuiltin("sprintf", sprintfBuiltin),
}

// modules are the predeclared modules, grouping related builtins.
var modules = map[string]*starlarkstruct.Module{
	"json": json.Module,
	"time": {Name: "time", Members: starlark.StringDict{
		"duration": starlark.NewBuiltin("time.duration", timeDuration),
		"format":   starlark.NewBuiltin("time.format", timeFormat),
	}},
	"errno": {Name: "errno", Members: starlark.StringDict{
		"name": starlark.NewBuiltin("errno.name", errnoName),
		"msg":  starlark.NewBuiltin("errno.msg", errnoMsg),
		"num":  starlark.NewBuiltin("errno.num", errnoNum),
	}},
	"signal": {Name: "signal", Members: starlark.StringDict{
		"name": starlark.NewBuiltin("signal.name", signalName),
		"num":  starlark.NewBuiltin("signal.num", signalNum),
	}},
	"syscall": {Name: "syscall", Members: starlark.StringDict{
		"name":    starlark.NewBuiltin("syscall.name", syscallName),
		"nr":      starlark.NewBuiltin("syscall.nr", syscallNr),
		"classes": starlark.NewBuiltin("syscall.classes", syscallClasses),
		"args":    starlark.NewBuiltin("syscall.args", syscallArgs),
	}},
}

func readStdlib(name string) ([]byte, error) {
	b, err := stdlib.Files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("no stock module %s", name)
	}
	return b, nil
}

// arg(name, default=None) is the script argument name (--arg name=value or
// -s FILE:name=value), converted to the type of default; default when not
// given.
func argBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var def starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "default?", &def); err != nil {
		return nil, err
	}
	in, _ := t.Local(stageKey).(*stageInfo)
	if in == nil {
		return def, nil
	}
	in.used[name] = true
	s, ok := in.args[name]
	if !ok {
		return def, nil
	}
	switch def.(type) {
	case starlark.Int:
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s=%q is not an integer", b.Name(), name, s)
		}
		return starlark.MakeInt64(n), nil
	case starlark.Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s=%q is not a number", b.Name(), name, s)
		}
		return starlark.Float(f), nil
	case starlark.Bool:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %s=%q is not true or false", b.Name(), name, s)
		}
		return starlark.Bool(v), nil
	}
	return starlark.String(s), nil
}

// table(rows, header=None, limit=0) renders rows as aligned columns: numbers
// right-aligned, the rest left-aligned. rows is a list of tuples, or an
// aggregation (its items, largest first, tuple keys spread over columns).
func tableBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var rowsV, headerV starlark.Value
	headerV = starlark.None
	limit := 0
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "rows", &rowsV, "header?", &headerV, "limit?", &limit); err != nil {
		return nil, err
	}
	var rows [][]starlark.Value
	if a, ok := rowsV.(*Agg); ok {
		for _, e := range a.sorted(true) {
			var row []starlark.Value
			if k, ok := e.key.(starlark.Tuple); ok {
				row = append(row, k...)
			} else {
				row = append(row, e.key)
			}
			switch a.kind {
			case aggStats:
				row = append(row, starlark.MakeInt64(e.count), starlark.MakeInt64(e.min), starlark.MakeInt64(e.avg()), starlark.MakeInt64(e.max), starlark.MakeInt64(e.sum))
			default:
				row = append(row, a.value(e))
			}
			rows = append(rows, row)
		}
	} else {
		it, ok := rowsV.(starlark.Iterable)
		if !ok {
			return nil, fmt.Errorf("%s: rows: got %s, want a list of tuples or an aggregation", b.Name(), rowsV.Type())
		}
		iter := it.Iterate()
		var x starlark.Value
		for iter.Next(&x) {
			switch r := x.(type) {
			case starlark.Tuple:
				rows = append(rows, r)
			case *starlark.List:
				row := make([]starlark.Value, r.Len())
				for i := range row {
					row[i] = r.Index(i)
				}
				rows = append(rows, row)
			default:
				rows = append(rows, []starlark.Value{x})
			}
		}
		iter.Done()
	}
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	var header []string
	if headerV != starlark.None {
		h, err := stringList(b.Name(), "header", headerV)
		if err != nil {
			return nil, err
		}
		header = h
	}
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	width := make([]int, ncol)
	numeric := make([]bool, ncol)
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = make([]string, len(r))
		for j, v := range r {
			cells[i][j] = str(v)
			width[j] = max(width[j], utf8.RuneCountInString(cells[i][j]))
			switch v.(type) {
			case starlark.Int, starlark.Float:
				numeric[j] = true
			}
		}
	}
	for j, h := range header {
		width[j] = max(width[j], utf8.RuneCountInString(h))
	}
	var sb strings.Builder
	line := func(cols []string) {
		var l strings.Builder
		for j := 0; j < ncol; j++ {
			c := ""
			if j < len(cols) {
				c = cols[j]
			}
			if j > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if numeric[j] {
				l.WriteString(pad + c)
			} else {
				l.WriteString(c + pad)
			}
		}
		sb.WriteString(strings.TrimRight(l.String(), " "))
		sb.WriteByte('\n')
	}
	if header != nil {
		line(header)
	}
	for _, c := range cells {
		line(c)
	}
	return starlark.String(strings.TrimSuffix(sb.String(), "\n")), nil
}

// str is str(v): strings bare, everything else as Starlark prints it.
func str(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return v.String()
}

// sprintf(format, *args) formats like C's printf: %d %i %u %x %X %o %c %s
// %q %f %e %g %v and %%, with flags, width and precision.
func sprintfBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("%s: takes no keyword arguments", b.Name())
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: missing format", b.Name())
	}
	f, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("%s: format: got %s, want string", b.Name(), args[0].Type())
	}
	s, err := sprintf(f, args[1:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(s), nil
}

func sprintf(f string, args starlark.Tuple) (string, error) {
	var out strings.Builder
	ai := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("-+ #0123456789.*", f[j]) >= 0 {
			j++
		}
		if j == len(f) {
			return "", fmt.Errorf("format %q ends in the middle of a directive", f)
		}
		spec, verb := f[i+1:j], f[j]
		i = j
		if verb == '%' {
			out.WriteByte('%')
			continue
		}
		if strings.Contains(spec, "*") {
			return "", fmt.Errorf("format %q: * widths are not supported", f)
		}
		if ai >= len(args) {
			return "", fmt.Errorf("format %q needs more than %d arguments", f, len(args))
		}
		a := args[ai]
		ai++
		var goArg any
		goVerb := verb
		switch verb {
		case 'd', 'i', 'u', 'x', 'X', 'o', 'c':
			switch v := a.(type) {
			case starlark.Int:
				if n, ok := v.Int64(); ok {
					goArg = n
				} else if u, ok := v.Uint64(); ok {
					goArg = u
				} else {
					goArg = v.BigInt()
				}
			case starlark.Bool:
				goArg = map[bool]int{false: 0, true: 1}[bool(v)]
			case starlark.Float:
				goArg = int64(v)
			default:
				return "", fmt.Errorf("%%%c: got %s, want int", verb, a.Type())
			}
			if verb == 'i' || verb == 'u' {
				goVerb = 'd'
			}
		case 'f', 'F', 'e', 'E', 'g', 'G':
			switch v := a.(type) {
			case starlark.Float:
				goArg = float64(v)
			case starlark.Int:
				goArg = float64(v.Float())
			default:
				return "", fmt.Errorf("%%%c: got %s, want float", verb, a.Type())
			}
		case 's', 'v':
			goArg, goVerb = str(a), 's'
		case 'q':
			goArg = str(a)
		default:
			return "", fmt.Errorf("format %q: unknown directive %%%c", f, verb)
		}
		fmt.Fprintf(&out, "%"+spec+string(goVerb), goArg)
	}
	if ai < len(args) {
		return "", fmt.Errorf("format %q takes %d arguments, got %d", f, ai, len(args))
	}
	return out.String(), nil
}

// time.duration(ns) renders a duration: "1.5ms", "2s".
func timeDuration(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ns int64
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &ns); err != nil {
		return nil, err
	}
	return starlark.String(time.Duration(ns).String()), nil
}

// time.format(ts, layout="%H:%M:%S.%f") renders the wall-clock time of trace
// time ts with strftime directives: %Y %m %d %H %M %S %f (microseconds) %N
// (nanoseconds) %z %Z %s (Unix seconds) %j %a %b %%.
func timeFormat(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ts int64
	layout := "%H:%M:%S.%f"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "ts", &ts, "layout?", &layout); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	at := p.wallStart().Add(time.Duration(ts))
	s, err := strftime(at, layout)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.String(s), nil
}

func strftime(at time.Time, layout string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		i++
		if i == len(layout) {
			return "", fmt.Errorf("layout %q ends with %%", layout)
		}
		switch layout[i] {
		case 'Y':
			fmt.Fprintf(&out, "%04d", at.Year())
		case 'm':
			fmt.Fprintf(&out, "%02d", int(at.Month()))
		case 'd':
			fmt.Fprintf(&out, "%02d", at.Day())
		case 'H':
			fmt.Fprintf(&out, "%02d", at.Hour())
		case 'M':
			fmt.Fprintf(&out, "%02d", at.Minute())
		case 'S':
			fmt.Fprintf(&out, "%02d", at.Second())
		case 'f':
			fmt.Fprintf(&out, "%06d", at.Nanosecond()/1000)
		case 'N':
			fmt.Fprintf(&out, "%09d", at.Nanosecond())
		case 'j':
			fmt.Fprintf(&out, "%03d", at.YearDay())
		case 'a':
			out.WriteString(at.Format("Mon"))
		case 'b':
			out.WriteString(at.Format("Jan"))
		case 'z':
			out.WriteString(at.Format("-0700"))
		case 'Z':
			out.WriteString(at.Format("MST"))
		case 's':
			out.WriteString(strconv.FormatInt(at.Unix(), 10))
		case '%':
			out.WriteByte('%')
		default:
			return "", fmt.Errorf("layout %q: unknown directive %%%c", layout, layout[i])
		}
	}
	return out.String(), nil
}

// wallStart is the wall-clock time of trace time 0.
func (p *Pipeline) wallStart() time.Time {
	if p.opts.Start.IsZero() {
		p.opts.Start = time.Now()
	}
	return p.opts.Start
}

func oneInt(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (int, error) {
	var n int
	err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &n)
	return n, err
}

func oneString(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	var s string
	err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &s)
	return s, err
}

// errno.name(n) is "ENOENT" for 2, None when unknown.
func errnoName(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, err := oneInt(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return noneIfEmpty(syscalls.ErrnoName(abs(n))), nil
}

// errno.msg(n) is "No such file or directory" for 2, None when unknown.
func errnoMsg(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, err := oneInt(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return noneIfEmpty(syscalls.ErrnoMessage(abs(n))), nil
}

// errno.num(name) is 2 for "ENOENT".
func errnoNum(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	s, err := oneString(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	n, ok := syscalls.ErrnoByName(s)
	if !ok {
		return nil, fmt.Errorf("%s: unknown errno %q", b.Name(), s)
	}
	return starlark.MakeInt(n), nil
}

func signalName(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, err := oneInt(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return noneIfEmpty(syscalls.SignalName(n)), nil
}

func signalNum(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	s, err := oneString(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	n, ok := syscalls.SignalByName(s)
	if !ok {
		return nil, fmt.Errorf("%s: unknown signal %q", b.Name(), s)
	}
	return starlark.MakeInt(n), nil
}

func syscallName(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, err := oneInt(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.String(pipelineOf(t).opts.Table.Name(n)), nil
}

func lookupSyscall(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*syscalls.Syscall, error) {
	s, err := oneString(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	sc := pipelineOf(t).opts.Table.ByName(s)
	if sc == nil {
		return nil, fmt.Errorf("%s: unknown syscall %q", b.Name(), s)
	}
	return sc, nil
}

func syscallNr(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	sc, err := lookupSyscall(t, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.MakeInt(sc.Nr), nil
}

func syscallClasses(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	sc, err := lookupSyscall(t, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	var l starlark.Tuple
	for _, n := range sc.Classes.Names() {
		l = append(l, starlark.String(n))
	}
	return l, nil
}

func syscallArgs(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	sc, err := lookupSyscall(t, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	var l starlark.Tuple
	for _, a := range sc.Args {
		l = append(l, starlark.String(a.Name))
	}
	return l, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
