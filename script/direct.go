package script

import (
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// directBuiltins are the per-event builtins a hook may forward to directly.
var directBuiltins = map[string]bool{"write_hex": true, "hex": true, "write_strace": true, "strace": true}

// directHook recognises the commonest hook of all, the stock formats':
//
//	def on_syscall(ev):
//	    write_hex(ev)        # or: return hex(ev)
//
// and returns the builtin it forwards to, and whether the hook returns its
// result. Calling that builtin directly is exactly what the interpreter
// would do, minus a Starlark frame per event; any other body, a rebound
// name, or a hook redefined later returns nil, and the hook runs normally.
func directHook(f *syntax.File, fn *starlark.Function, pre starlark.StringDict) (*starlark.Builtin, bool) {
	if f == nil || fn == nil {
		return nil, false
	}
	var def *syntax.DefStmt
	for _, stmt := range f.Stmts {
		if d, ok := stmt.(*syntax.DefStmt); ok && d.Name.Name == fn.Name() {
			def = d
		}
	}
	if def == nil || def.Def != fn.Position() || len(def.Params) != 1 || len(def.Body) != 1 {
		return nil, false
	}
	param, ok := def.Params[0].(*syntax.Ident)
	if !ok {
		return nil, false
	}
	var call *syntax.CallExpr
	returns := false
	switch s := def.Body[0].(type) {
	case *syntax.ExprStmt:
		call, _ = s.X.(*syntax.CallExpr)
	case *syntax.ReturnStmt:
		call, _ = s.Result.(*syntax.CallExpr)
		returns = true
	}
	if call == nil || len(call.Args) != 1 {
		return nil, false
	}
	callee, ok := call.Fn.(*syntax.Ident)
	if !ok || !directBuiltins[callee.Name] || scope(callee) != resolve.Predeclared {
		return nil, false
	}
	arg, ok := call.Args[0].(*syntax.Ident)
	if !ok || arg.Name != param.Name || scope(arg) != resolve.Local {
		return nil, false
	}
	b, ok := pre[callee.Name].(*starlark.Builtin)
	if !ok {
		return nil, false
	}
	return b, returns
}

func scope(id *syntax.Ident) resolve.Scope {
	if b, ok := id.Binding.(*resolve.Binding); ok {
		return b.Scope
	}
	return resolve.Undefined
}
