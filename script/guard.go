package script

// Guards of the memory budget against allocations made in one go, before
// the interpreter counts a step: Starlark's x * n makes its whole result at
// once (go.starlark.net allows 2^30 elements: [0] * 1000000000 is 16 GB),
// list(range(n)) and its kin size their result from len() first, and Lua's
// string.rep and table.concat build their string in one Go call. Each is
// checked against what the budget has left (memGuard.reserve) when its
// result would be large, and refused with a memory budget error.
//
// This file has the Starlark guards, luaguard.go the Lua ones; both check
// through watchdog.reserve.
//
// Starlark's '*' is an operator, so user scripts are compiled with every
// x * y (and x *= y) rewritten into a call of the guard builtin
// __mul__(x, y), which computes exactly x * y; stock scripts are trusted
// and compiled as they are.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The builtins that x * y, x + y and the y of x += y become in user
// scripts.
const (
	mulGuardName    = "__mul__"
	addGuardName    = "__add__"
	growGuardName   = "__grow__"
	modGuardName    = "__mod__"
	methodGuardName = "__method__"
)

// guardNames are the guard builtins, which error messages do not name.
var guardNames = map[string]bool{mulGuardName: true, addGuardName: true, growGuardName: true, modGuardName: true, methodGuardName: true}

// guardedMethods are the methods whose result can be far bigger than their
// receiver and arguments: x.m(...) becomes __method__(x, "m", ...) in user
// scripts, which checks the result's size first when x is a string or list
// and calls x.m(...) as is otherwise.
var guardedMethods = map[string]bool{"join": true, "replace": true, "format": true, "extend": true}

// starPredeclared are the predeclared names of a Starlark file: the host's,
// plus the guards.
func (p *Pipeline) starPredeclared() starlark.StringDict {
	d := p.predeclared()
	d[mulGuardName] = starlark.NewBuiltin(mulGuardName, mulGuard)
	d[addGuardName] = starlark.NewBuiltin(addGuardName, addGuard)
	d[growGuardName] = starlark.NewBuiltin(growGuardName, growGuard)
	d[modGuardName] = starlark.NewBuiltin(modGuardName, modGuard)
	d[methodGuardName] = starlark.NewBuiltin(methodGuardName, methodGuard)
	for _, name := range sizedBuiltins {
		orig := starlark.Universe[name].(*starlark.Builtin)
		d[name] = starlark.NewBuiltin(name, func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var n int64
			for _, a := range args {
				if l := starlark.Len(a); l > 0 {
					n += int64(l)
				}
			}
			if n*64 >= bigAlloc {
				if err := reserve(t, name, n*64); err != nil {
					return nil, err
				}
			}
			return orig.CallInternal(t, args, kwargs)
		})
	}
	return d
}

// sizedBuiltins are the universal builtins that allocate their result from
// the len() of their arguments before they iterate.
var sizedBuiltins = []string{"list", "tuple", "sorted", "reversed", "enumerate", "zip", "dict", "set"}

// reserve checks an allocation of n bytes by builtin name against the
// memory budget; when it does not fit, the call stops with the budget's
// error.
func reserve(t *starlark.Thread, name string, n int64) error {
	p, ok := t.Local(pipelineKey).(*Pipeline)
	if !ok {
		return nil
	}
	return p.reserve(name, n)
}

// mulGuard is x * y, refused when its result would not fit the budget.
func mulGuard(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 2 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: got %d arguments, want 2", b.Name(), len(args))
	}
	x, y := args[0], args[1]
	if n := repeatSize(x, y); n >= bigAlloc {
		if err := reserve(t, "repeat", n); err != nil {
			return nil, err
		}
	}
	return starlark.Binary(syntax.STAR, x, y)
}

// addGuard is x + y + ..., left to right, each sum refused when it would
// not fit the budget.
func addGuard(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 2 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: got %d arguments, want 2 or more", b.Name(), len(args))
	}
	x := args[0]
	for _, y := range args[1:] {
		if n := seqSize(x) + seqSize(y); n >= bigAlloc {
			if err := reserve(t, "+", n); err != nil {
				return nil, err
			}
		}
		z, err := starlark.Binary(syntax.PLUS, x, y)
		if err != nil {
			return nil, err
		}
		x = z
	}
	return x, nil
}

// growGuard(x, y) is y, after checking that x += y fits the budget.
func growGuard(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 2 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: got %d arguments, want 2", b.Name(), len(args))
	}
	if n := seqSize(args[0]) + seqSize(args[1]); n >= bigAlloc {
		if err := reserve(t, "+=", n); err != nil {
			return nil, err
		}
	}
	return args[1], nil
}

// modGuard is x % y, refused when its result would not fit the budget:
// each % of a format string can take the longest string argument.
func modGuard(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 2 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: got %d arguments, want 2", b.Name(), len(args))
	}
	if f, ok := args[0].(starlark.String); ok {
		var longest int64
		if tup, ok := args[1].(starlark.Tuple); ok {
			longest = longestString(tup, nil)
		} else {
			longest = longestString(starlark.Tuple{args[1]}, nil)
		}
		if n := int64(len(f)) + int64(strings.Count(string(f), "%"))*longest; n >= bigAlloc {
			if err := reserve(t, "%", n); err != nil {
				return nil, err
			}
		}
	}
	return starlark.Binary(syntax.PERCENT, args[0], args[1])
}

// longestString is the length of the longest string among the values.
func longestString(args starlark.Tuple, kwargs []starlark.Tuple) int64 {
	var n int64 = 32 // numbers and the like
	for _, a := range args {
		if s, ok := a.(starlark.String); ok && int64(len(s)) > n {
			n = int64(len(s))
		}
	}
	for _, kv := range kwargs {
		if s, ok := kv[1].(starlark.String); ok && int64(len(s)) > n {
			n = int64(len(s))
		}
	}
	return n
}

// methodGuard is recv.name(args...), for the guardedMethods.
func methodGuard(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("%s: got %d arguments, want 2 or more", b.Name(), len(args))
	}
	recv, rest := args[0], args[2:]
	name, _ := starlark.AsString(args[1])
	if n := methodSize(recv, name, rest, kwargs); n >= bigAlloc {
		if err := reserve(t, name, n); err != nil {
			return nil, err
		}
	}
	var m starlark.Value
	if ha, ok := recv.(starlark.HasAttrs); ok {
		var err error
		if m, err = ha.Attr(name); err != nil {
			return nil, err
		}
	}
	if m == nil {
		return nil, fmt.Errorf("%s has no .%s field or method", recv.Type(), name)
	}
	return starlark.Call(t, m, rest, kwargs)
}

// methodSize bounds the size of the result of recv.name(args...), 0 when
// it cannot be large.
func methodSize(recv starlark.Value, name string, args starlark.Tuple, kwargs []starlark.Tuple) int64 {
	switch recv := recv.(type) {
	case starlark.String:
		switch name {
		case "join":
			if len(args) != 1 {
				return 0
			}
			var n, count int64
			it := starlark.Iterate(args[0])
			if it == nil {
				return 0
			}
			defer it.Done()
			var x starlark.Value
			for it.Next(&x) {
				if s, ok := x.(starlark.String); ok {
					n += int64(len(s))
				}
				count++
			}
			return n + count*int64(len(recv))
		case "replace":
			if len(args) < 2 {
				return 0
			}
			old, ok1 := args[0].(starlark.String)
			repl, ok2 := args[1].(starlark.String)
			if !ok1 || !ok2 || len(repl) <= len(old) {
				return 0
			}
			count := int64(len(recv)) + 1
			if old != "" {
				count = int64(strings.Count(string(recv), string(old)))
			}
			return int64(len(recv)) + count*int64(len(repl))
		case "format":
			return int64(len(recv)) + int64(strings.Count(string(recv), "{"))*longestString(args, kwargs)
		}
	case *starlark.List:
		if name == "extend" && len(args) == 1 {
			if n := starlark.Len(args[0]); n > 0 {
				return 16 * (int64(recv.Len()) + int64(n))
			}
		}
	}
	return 0
}

// seqSize is the size in bytes of a string or sequence's elements, else 0.
func seqSize(x starlark.Value) int64 {
	switch x := x.(type) {
	case starlark.String:
		return int64(len(x))
	case starlark.Bytes:
		return int64(len(x))
	case *starlark.List:
		return 16 * int64(x.Len())
	case starlark.Tuple:
		return 16 * int64(len(x))
	}
	return 0
}

// repeatSize is the size in bytes of x * y when it repeats a sequence,
// else 0.
func repeatSize(x, y starlark.Value) int64 {
	if _, ok := x.(starlark.Int); ok {
		x, y = y, x
	}
	count, ok := y.(starlark.Int)
	if !ok {
		return 0
	}
	var elem, n int64
	switch x := x.(type) {
	case starlark.String:
		elem, n = 1, int64(len(x))
	case starlark.Bytes:
		elem, n = 1, int64(len(x))
	case *starlark.List:
		elem, n = 16, int64(x.Len())
	case starlark.Tuple:
		elem, n = 16, int64(len(x))
	default:
		return 0
	}
	c, ok := count.Int64()
	if !ok || c > math.MaxInt32 {
		return 0 // the interpreter refuses it: "repeat count too large"
	}
	if c <= 0 || n == 0 {
		return 0
	}
	return elem * n * c
}

// guardFile rewrites every x * y of f into __mul__(x, y), and x *= y into
// x = __mul__(x, y) where x can be evaluated twice without effects; x + y
// into __add__(x, y) and x += y into x += __grow__(x, y) likewise, unless
// one side is a number literal (n + 1, a count: no sequence).
func guardFile(f *syntax.File) {
	guardStmts(f.Stmts)
}

func guardStmts(stmts []syntax.Stmt) {
	for i, s := range stmts {
		stmts[i] = guardStmt(s)
	}
}

func guardStmt(s syntax.Stmt) syntax.Stmt {
	switch s := s.(type) {
	case *syntax.AssignStmt:
		s.RHS = guardExpr(s.RHS)
		switch {
		case s.Op == syntax.STAR_EQ && pure(s.LHS):
			s.RHS = guardCall(mulGuardName, s.OpPos, cloneExpr(s.LHS), s.RHS)
			s.Op = syntax.EQ
		case s.Op == syntax.PLUS_EQ && pure(s.LHS) && !number(s.RHS):
			s.RHS = guardCall(growGuardName, s.OpPos, cloneExpr(s.LHS), s.RHS)
		}
		s.LHS = guardExpr(s.LHS)
	case *syntax.DefStmt:
		guardParams(s.Params)
		guardStmts(s.Body)
	case *syntax.ExprStmt:
		s.X = guardExpr(s.X)
	case *syntax.IfStmt:
		s.Cond = guardExpr(s.Cond)
		guardStmts(s.True)
		guardStmts(s.False)
	case *syntax.ForStmt:
		s.X = guardExpr(s.X)
		guardStmts(s.Body)
	case *syntax.WhileStmt:
		s.Cond = guardExpr(s.Cond)
		guardStmts(s.Body)
	case *syntax.ReturnStmt:
		if s.Result != nil {
			s.Result = guardExpr(s.Result)
		}
	}
	return s
}

// guardParams guards the default values of parameters (name=default).
func guardParams(params []syntax.Expr) {
	for _, p := range params {
		if b, ok := p.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
			b.Y = guardExpr(b.Y)
		}
	}
}

func guardExprs(xs []syntax.Expr) {
	for i, x := range xs {
		xs[i] = guardExpr(x)
	}
}

func guardExpr(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case nil:
		return nil
	case *syntax.BinaryExpr:
		e.X = guardExpr(e.X)
		e.Y = guardExpr(e.Y)
		switch {
		case e.Op == syntax.STAR:
			return guardCall(mulGuardName, e.OpPos, e.X, e.Y)
		case e.Op == syntax.PERCENT && !number(e.X) && !number(e.Y):
			return guardCall(modGuardName, e.OpPos, e.X, e.Y)
		case e.Op == syntax.PLUS && !number(e.X) && !number(e.Y):
			// a + b + c is one call: ((a + b) + c) left to right.
			if c, ok := e.X.(*syntax.CallExpr); ok && isIdent(c.Fn, addGuardName) {
				c.Args = append(c.Args, e.Y)
				return c
			}
			return guardCall(addGuardName, e.OpPos, e.X, e.Y)
		}
	case *syntax.CallExpr:
		e.Fn = guardExpr(e.Fn)
		for i, a := range e.Args {
			switch a := a.(type) {
			case *syntax.BinaryExpr:
				if a.Op == syntax.EQ { // name=value
					a.Y = guardExpr(a.Y)
					continue
				}
			case *syntax.UnaryExpr:
				if a.Op == syntax.STAR || a.Op == syntax.STARSTAR { // *args, **kwargs
					a.X = guardExpr(a.X)
					continue
				}
			}
			e.Args[i] = guardExpr(a)
		}
		if dot, ok := e.Fn.(*syntax.DotExpr); ok && guardedMethods[dot.Name.Name] {
			name := &syntax.Literal{Token: syntax.STRING, TokenPos: dot.NamePos, Raw: strconv.Quote(dot.Name.Name), Value: dot.Name.Name}
			e.Args = append([]syntax.Expr{dot.X, name}, e.Args...)
			e.Fn = &syntax.Ident{NamePos: dot.NamePos, Name: methodGuardName}
		}
	case *syntax.Comprehension:
		e.Body = guardExpr(e.Body)
		for _, c := range e.Clauses {
			switch c := c.(type) {
			case *syntax.ForClause:
				c.X = guardExpr(c.X)
			case *syntax.IfClause:
				c.Cond = guardExpr(c.Cond)
			}
		}
	case *syntax.CondExpr:
		e.Cond = guardExpr(e.Cond)
		e.True = guardExpr(e.True)
		e.False = guardExpr(e.False)
	case *syntax.DictEntry:
		e.Key = guardExpr(e.Key)
		e.Value = guardExpr(e.Value)
	case *syntax.DictExpr:
		guardExprs(e.List)
	case *syntax.DotExpr:
		e.X = guardExpr(e.X)
	case *syntax.IndexExpr:
		e.X = guardExpr(e.X)
		e.Y = guardExpr(e.Y)
	case *syntax.LambdaExpr:
		guardParams(e.Params)
		e.Body = guardExpr(e.Body)
	case *syntax.ListExpr:
		guardExprs(e.List)
	case *syntax.ParenExpr:
		e.X = guardExpr(e.X)
	case *syntax.SliceExpr:
		e.X = guardExpr(e.X)
		e.Lo = guardExpr(e.Lo)
		e.Hi = guardExpr(e.Hi)
		e.Step = guardExpr(e.Step)
	case *syntax.TupleExpr:
		guardExprs(e.List)
	case *syntax.UnaryExpr:
		e.X = guardExpr(e.X)
	}
	return e
}

func isIdent(e syntax.Expr, name string) bool {
	id, ok := e.(*syntax.Ident)
	return ok && id.Name == name
}

// number says whether e is a number literal.
func number(e syntax.Expr) bool {
	l, ok := e.(*syntax.Literal)
	return ok && (l.Token == syntax.INT || l.Token == syntax.FLOAT)
}

// guardCall is name(x, y), placed at the operator so that errors point
// where they did.
func guardCall(name string, pos syntax.Position, x, y syntax.Expr) syntax.Expr {
	return &syntax.CallExpr{
		Fn:     &syntax.Ident{NamePos: pos, Name: name},
		Lparen: pos,
		Args:   []syntax.Expr{x, y},
		Rparen: pos,
	}
}

// pure says whether evaluating e twice is the same as once: names,
// literals, and fields and indexes of those.
func pure(e syntax.Expr) bool {
	switch e := e.(type) {
	case *syntax.Ident, *syntax.Literal:
		return true
	case *syntax.DotExpr:
		return pure(e.X)
	case *syntax.IndexExpr:
		return pure(e.X) && pure(e.Y)
	case *syntax.ParenExpr:
		return pure(e.X)
	}
	return false
}

// cloneExpr copies a pure expression, with fresh identifiers for the
// resolver.
func cloneExpr(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.Ident:
		return &syntax.Ident{NamePos: e.NamePos, Name: e.Name}
	case *syntax.Literal:
		c := *e
		return &c
	case *syntax.DotExpr:
		return &syntax.DotExpr{X: cloneExpr(e.X), Dot: e.Dot, NamePos: e.NamePos, Name: &syntax.Ident{NamePos: e.Name.NamePos, Name: e.Name.Name}}
	case *syntax.IndexExpr:
		return &syntax.IndexExpr{X: cloneExpr(e.X), Lbrack: e.Lbrack, Y: cloneExpr(e.Y), Rbrack: e.Rbrack}
	case *syntax.ParenExpr:
		return &syntax.ParenExpr{Lparen: e.Lparen, X: cloneExpr(e.X), Rparen: e.Rparen}
	}
	return e
}
