package script

// The Lua front end: the same hooks, ev fields and builtins as Starlark,
// through gopher-lua (pure Go). Values cross a bridge: Starlark values
// become Lua values and back; objects (ev, aggregations, modules) become
// userdata whose fields and methods are the Starlark ones.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"go.starlark.net/starlark"
)

// DefaultCallTimeout is the time budget of one Lua call, a hook or the
// top-level code (gopher-lua counts no steps; a call still running after it
// is stopped).
const DefaultCallTimeout = 5 * time.Second

// luaStage is a Lua script.
type luaStage struct {
	p      *Pipeline
	in     *stageInfo
	L      *lua.LState
	thread *starlark.Thread // for the builtins it calls
	fns    [numHooks]*lua.LFunction
	meta   *lua.LTable // metatable of bridged objects
	ctx    context.Context
	stop   context.CancelFunc
	mods   map[string]lua.LValue
}

func (s *luaStage) info() *stageInfo { return s.in }

// cancel stops the running call; the pipeline keeps the reason (stopWhy).
func (s *luaStage) cancel(string) {
	s.stop()
}

func (s *luaStage) resetContext() {
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.L.SetContext(s.ctx)
}

// kwFuncs take their keyword arguments in Lua as a trailing table with
// string keys: trace{syscalls={"openat"}}, table(m, {header={...}}).
var kwFuncs = map[string]bool{"trace": true, "inject": true, "table": true, "lhist": true, "count": true, "sum": true, "stats": true, "hist": true, "arg": false, "time.format": true}

func (p *Pipeline) newLuaStage(in *stageInfo, src []byte) (stage, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, IncludeGoStackTrace: false})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	// The sandbox: no files, no code from files, no process access.
	for _, name := range []string{"dofile", "loadfile", "load", "loadstring", "require", "module", "collectgarbage", "getfenv", "setfenv", "newproxy"} {
		L.SetGlobal(name, lua.LNil)
	}
	st := &luaStage{p: p, in: in, L: L, thread: p.newThread(in), mods: map[string]lua.LValue{}}
	in.stop = &stageCancel{cancel: st.cancel, timed: true}
	st.resetContext()
	st.luaGuards()
	st.meta = L.NewTable()
	L.SetField(st.meta, "__index", L.NewFunction(st.index))
	L.SetField(st.meta, "__len", L.NewFunction(st.length))
	L.SetField(st.meta, "__tostring", L.NewFunction(st.tostring))
	L.SetField(st.meta, "__metatable", lua.LString("strace"))
	L.SetGlobal("print", L.NewFunction(st.print))
	L.SetGlobal("require", L.NewFunction(st.require))
	for name, v := range p.predeclared() {
		if name == "table" {
			// Lua's table library stays; calling it is the table builtin.
			mt := L.NewTable()
			fn := st.toLua(v)
			L.SetField(mt, "__call", L.NewFunction(func(L *lua.LState) int {
				L.Remove(1) // the library itself
				return st.callStar(L, v.(*starlark.Builtin), 1)
			}))
			_ = fn
			L.SetMetatable(L.GetGlobal("table"), mt)
			continue
		}
		L.SetGlobal(name, st.toLua(v))
	}

	L.SetGlobal(concatGuardName, L.NewFunction(st.concat))
	fn, err := st.load(src, in.name)
	if err != nil {
		return nil, loadError(in.name, err, luaError)
	}
	st.thread.SetLocal(loadTimeKey, true)
	p.enterCall(in.stop)
	err = st.pcall(fn, 0)
	p.leave()
	st.thread.SetLocal(loadTimeKey, nil)
	if err != nil {
		return nil, err
	}
	var fnames []string
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if f, ok := v.(*lua.LFunction); ok && f.Proto != nil {
			if name, ok := k.(lua.LString); ok {
				fnames = append(fnames, string(name))
			}
		}
	})
	sortStrings(fnames)
	for _, name := range fnames {
		if h := misnamedHook(name); h != "" {
			return nil, hookNameError(in.name, name, h)
		}
	}
	for h, spec := range hookSpecs {
		v := L.GetGlobal(spec.name)
		switch v := v.(type) {
		case *lua.LNilType:
			continue
		case *lua.LFunction:
			if v.Proto != nil && int(v.Proto.NumParameters) != spec.arity {
				return nil, fmt.Errorf("loading script %s: %s takes %d parameters, want %d", in.name, spec.name, v.Proto.NumParameters, spec.arity)
			}
			st.fns[h] = v
			in.has[h] = true
		default:
			return nil, fmt.Errorf("loading script %s: %s is a %s, want a function", in.name, spec.name, v.Type())
		}
	}
	return st, nil
}

// pcall calls fn with the arguments on the stack and nret results.
func (s *luaStage) pcall(fn *lua.LFunction, nret int, args ...lua.LValue) error {
	err := s.L.CallByParam(lua.P{Fn: fn, NRet: nret, Protect: true}, args...)
	if err != nil {
		if s.ctx.Err() != nil {
			s.resetContext()
		}
		return s.p.luaErr(s.in.name, err)
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// luaError renders a Lua failure: file:line: message, then the traceback.
func luaError(err error) string {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	msg := ae.Object.String()
	if ae.Cause != nil && ae.Type == lua.ApiErrorSyntax {
		msg = ae.Cause.Error()
	}
	if tb := strings.TrimSpace(ae.StackTrace); tb != "" {
		msg += "\n" + tb
	}
	return msg
}

func (s *luaStage) call(h hook, arg starlark.Value) error {
	var args []lua.LValue
	if arg != nil {
		args = append(args, s.toLua(arg))
	}
	return s.pcall(s.fns[h], 0, args...)
}

func (s *luaStage) syscall(ev *Event) (verdict, string, error) {
	ud := s.L.NewUserData()
	ud.Value = starlark.Value(ev)
	ud.Metatable = s.meta
	if err := s.pcall(s.fns[hookSyscall], 1, ud); err != nil {
		return drop, "", err
	}
	v := s.L.Get(-1)
	s.L.Pop(1)
	switch v := v.(type) {
	case lua.LString:
		return printLine, string(v), nil
	case lua.LBool:
		if v {
			return keep, "", nil
		}
		return drop, "", nil
	case *lua.LNilType:
		return drop, "", nil
	}
	return drop, "", hookError(s.in, hookSyscall, v.Type().String())
}

func (s *luaStage) print(L *lua.LState) int {
	n := L.GetTop()
	out := s.p.out
	for i := 1; i <= n; i++ {
		if i > 1 {
			out.WriteByte('\t')
		}
		out.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	out.WriteByte('\n')
	return 0
}

// require(name) loads a Lua file next to the script (name or name.lua),
// or a Starlark module (a .star file next to the script, or stdlib/NAME),
// whose globals it returns as a table.
func (s *luaStage) require(L *lua.LState) int {
	name := L.CheckString(1)
	if v, ok := s.mods[name]; ok {
		L.Push(v)
		return 1
	}
	module := name
	if filepath.Ext(module) == "" {
		module += ".lua"
	}
	if filepath.Ext(module) == ".star" {
		g, err := s.p.loadStar(s.thread, s.in, module)
		if err != nil {
			L.RaiseError("require(%q): %s", name, err)
		}
		t := L.NewTable()
		for k, v := range g {
			L.SetField(t, k, s.toLua(v))
		}
		s.mods[name] = t
		L.Push(t)
		return 1
	}
	_, src, err := s.p.resolveModule(s.in, module)
	if err != nil {
		L.RaiseError("require(%q): %s", name, err)
	}
	fn, err := s.load(src, filepath.Join(s.in.dir, module))
	if err != nil {
		L.RaiseError("require(%q): %s", name, luaError(err))
	}
	s.mods[name] = lua.LTrue // cycles see true, as in Lua
	L.Push(fn)
	L.Call(0, 1)
	v := L.Get(-1)
	if v == lua.LNil {
		v = lua.LTrue
		L.Pop(1)
		L.Push(v)
	}
	s.mods[name] = v
	return 1
}

// object is the Starlark value behind a bridged userdata.
func (s *luaStage) object(L *lua.LState, i int) starlark.Value {
	ud, ok := L.Get(i).(*lua.LUserData)
	if !ok {
		L.ArgError(i, "not a strace object")
	}
	v, ok := ud.Value.(starlark.Value)
	if !ok {
		L.ArgError(i, "not a strace object")
	}
	return v
}

// index is __index: fields and methods by name; for aggregations, other
// keys look entries up (m["openat"], m[42]).
func (s *luaStage) index(L *lua.LState) int {
	v := s.object(L, 1)
	key := L.Get(2)
	if k, ok := key.(lua.LString); ok {
		if ha, ok := v.(starlark.HasAttrs); ok {
			x, err := ha.Attr(string(k))
			if err != nil {
				L.RaiseError("%s", err)
			}
			if x != nil {
				if b, ok := x.(*starlark.Builtin); ok && b.Receiver() != nil {
					L.Push(s.method(L.Get(1).(*lua.LUserData), b))
				} else {
					L.Push(s.toLua(x))
				}
				return 1
			}
		}
	}
	if m, ok := v.(starlark.Mapping); ok {
		x, found, err := m.Get(s.fromLua(key))
		if err != nil {
			L.RaiseError("%s", err)
		}
		if found {
			L.Push(s.toLua(x))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	L.RaiseError("%s has no field %s", v.Type(), key.String())
	return 0
}

func (s *luaStage) length(L *lua.LState) int {
	v := s.object(L, 1)
	if sq, ok := v.(starlark.Sequence); ok {
		L.Push(lua.LNumber(sq.Len()))
		return 1
	}
	L.RaiseError("%s has no length", v.Type())
	return 0
}

func (s *luaStage) tostring(L *lua.LState) int {
	L.Push(lua.LString(str(s.object(L, 1))))
	return 1
}

// method is a bound method callable both as obj:m(...) and obj.m(...).
func (s *luaStage) method(recv *lua.LUserData, b *starlark.Builtin) *lua.LFunction {
	return s.L.NewFunction(func(L *lua.LState) int {
		first := 1
		if L.GetTop() >= 1 && L.Get(1) == recv {
			first = 2
		}
		return s.callStar(L, b, first)
	})
}

// callStar calls a Starlark callable with the Lua arguments from first on.
func (s *luaStage) callStar(L *lua.LState, fn starlark.Callable, first int) int {
	n := L.GetTop()
	var args starlark.Tuple
	var kwargs []starlark.Tuple
	last := n
	if b, ok := fn.(*starlark.Builtin); ok && kwFuncs[b.Name()] && n >= first {
		if t, ok := L.Get(n).(*lua.LTable); ok && isKeywordTable(t) {
			t.ForEach(func(k, v lua.LValue) {
				kwargs = append(kwargs, starlark.Tuple{starlark.String(k.(lua.LString)), s.fromLua(v)})
			})
			last = n - 1
		}
	}
	for i := first; i <= last; i++ {
		args = append(args, s.fromLua(L.Get(i)))
	}
	v, err := starlark.Call(s.thread, fn, args, kwargs)
	if err != nil {
		L.RaiseError("%s", strings.TrimPrefix(err.Error(), "Error in "))
	}
	L.Push(s.toLua(v))
	return 1
}

// isKeywordTable reports whether t has string keys only, at least one.
func isKeywordTable(t *lua.LTable) bool {
	if t.Len() > 0 {
		return false
	}
	ok, any := true, false
	t.ForEach(func(k, _ lua.LValue) {
		any = true
		if _, isStr := k.(lua.LString); !isStr {
			ok = false
		}
	})
	return ok && any
}

// toLua converts a Starlark value into Lua.
func (s *luaStage) toLua(v starlark.Value) lua.LValue {
	L := s.L
	switch v := v.(type) {
	case nil, starlark.NoneType:
		return lua.LNil
	case starlark.Bool:
		return lua.LBool(v)
	case starlark.Int:
		if n, ok := v.Int64(); ok {
			return lua.LNumber(n)
		}
		return lua.LNumber(v.Float())
	case starlark.Float:
		return lua.LNumber(v)
	case starlark.String:
		return lua.LString(v)
	case starlark.Tuple:
		t := L.CreateTable(len(v), 0)
		for _, x := range v {
			t.Append(s.toLua(x))
		}
		return t
	case *starlark.List:
		t := L.CreateTable(v.Len(), 0)
		for i := 0; i < v.Len(); i++ {
			t.Append(s.toLua(v.Index(i)))
		}
		return t
	case *starlark.Dict:
		t := L.CreateTable(0, v.Len())
		for _, kv := range v.Items() {
			t.RawSet(s.toLua(kv[0]), s.toLua(kv[1]))
		}
		return t
	case *starlark.Builtin:
		if v.Receiver() == nil {
			return L.NewFunction(func(L *lua.LState) int { return s.callStar(L, v, 1) })
		}
	case *starlark.Function:
		return L.NewFunction(func(L *lua.LState) int { return s.callStar(L, v, 1) })
	case *luaValue:
		return v.v
	}
	ud := L.NewUserData()
	ud.Value = v
	ud.Metatable = s.meta
	return ud
}

// fromLua converts a Lua value into Starlark: tables with keys 1..n become
// tuples (so they can be aggregation keys), other tables dicts.
func (s *luaStage) fromLua(v lua.LValue) starlark.Value {
	switch v := v.(type) {
	case *lua.LNilType:
		return starlark.None
	case lua.LBool:
		return starlark.Bool(v)
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return starlark.MakeInt64(int64(f))
		}
		return starlark.Float(f)
	case lua.LString:
		return starlark.String(v)
	case *lua.LTable:
		n := v.Len()
		count := 0
		v.ForEach(func(_, _ lua.LValue) { count++ })
		if n == count && n > 0 {
			l := make(starlark.Tuple, n)
			for i := 1; i <= n; i++ {
				l[i-1] = s.fromLua(v.RawGetInt(i))
			}
			return l
		}
		d := starlark.NewDict(count)
		v.ForEach(func(k, x lua.LValue) {
			d.SetKey(s.fromLua(k), s.fromLua(x))
		})
		return d
	case *lua.LUserData:
		if sv, ok := v.Value.(starlark.Value); ok {
			return sv
		}
	}
	return &luaValue{v: v}
}

// luaValue carries a Lua value with no Starlark counterpart (a function)
// through Starlark and back.
type luaValue struct{ v lua.LValue }

func (l *luaValue) String() string        { return l.v.String() }
func (l *luaValue) Type() string          { return "lua." + l.v.Type().String() }
func (l *luaValue) Freeze()               {}
func (l *luaValue) Truth() starlark.Bool  { return true }
func (l *luaValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", l.Type()) }
