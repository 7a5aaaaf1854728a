package script

// The guard of Lua's '..': user chunks are compiled with every chain
// a .. b .. c rewritten into __concat(a, b, c), which builds the same
// string but checks its size against the memory budget first (a string
// doubling in a loop would otherwise pass the budget by gigabytes in the
// one step the watchdog cannot see).

import (
	"bytes"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// concatGuardName is the function a .. b becomes in user chunks.
const concatGuardName = "__concat"

// load compiles a chunk; a user chunk has its concatenations guarded.
func (s *luaStage) load(src []byte, name string) (*lua.LFunction, error) {
	if s.in.stdlb {
		return s.L.Load(bytes.NewReader(src), name)
	}
	var proto *lua.FunctionProto
	err := s.p.compileWithin(func() error {
		chunk, err := parse.Parse(bytes.NewReader(src), name)
		if err != nil {
			return &lua.ApiError{Type: lua.ApiErrorSyntax, Object: lua.LString(err.Error()), Cause: err}
		}
		if err := checkLuaConsts(chunk); err != nil {
			return err
		}
		luaGuardStmts(chunk)
		proto, err = lua.Compile(chunk, name)
		if err != nil {
			return &lua.ApiError{Type: lua.ApiErrorSyntax, Object: lua.LString(err.Error()), Cause: err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.L.NewFunctionFromProto(proto), nil
}

// concat is __concat(a, b, ...): a .. b .. ..., as the VM computes it.
func (s *luaStage) concat(L *lua.LState) int {
	n := L.GetTop()
	var size int64
	simple := true
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			size += int64(len(v))
		case lua.LNumber:
			size += 24
		default:
			simple = false
		}
	}
	if size >= bigAlloc {
		s.reserve(L, "..", size)
	}
	if simple {
		var b strings.Builder
		b.Grow(int(size))
		for i := 1; i <= n; i++ {
			b.WriteString(lua.LVAsString(L.Get(i)))
		}
		L.Push(lua.LString(b.String()))
		return 1
	}
	// Right to left, pairwise, with __concat metamethods, as the VM does.
	rhs := L.Get(n)
	for i := n - 1; i >= 1; i-- {
		lhs := L.Get(i)
		if lua.LVCanConvToString(lhs) && lua.LVCanConvToString(rhs) {
			rhs = lua.LString(lua.LVAsString(lhs) + lua.LVAsString(rhs))
			continue
		}
		op := L.GetMetaField(lhs, "__concat")
		if op == lua.LNil {
			op = L.GetMetaField(rhs, "__concat")
		}
		if op.Type() != lua.LTFunction {
			L.RaiseError("cannot perform concat operation between %v and %v", lhs.Type().String(), rhs.Type().String())
		}
		L.Push(op)
		L.Push(lhs)
		L.Push(rhs)
		L.Call(2, 1)
		rhs = L.Get(-1)
		L.Pop(1)
	}
	L.Push(rhs)
	return 1
}

func luaGuardStmts(stmts []ast.Stmt) {
	for _, s := range stmts {
		luaGuardStmt(s)
	}
}

func luaGuardStmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		luaGuardExprs(s.Lhs)
		luaGuardExprs(s.Rhs)
	case *ast.LocalAssignStmt:
		luaGuardExprs(s.Exprs)
	case *ast.FuncCallStmt:
		s.Expr = luaGuardExpr(s.Expr)
	case *ast.DoBlockStmt:
		luaGuardStmts(s.Stmts)
	case *ast.WhileStmt:
		s.Condition = luaGuardExpr(s.Condition)
		luaGuardStmts(s.Stmts)
	case *ast.RepeatStmt:
		s.Condition = luaGuardExpr(s.Condition)
		luaGuardStmts(s.Stmts)
	case *ast.IfStmt:
		s.Condition = luaGuardExpr(s.Condition)
		luaGuardStmts(s.Then)
		luaGuardStmts(s.Else)
	case *ast.NumberForStmt:
		s.Init = luaGuardExpr(s.Init)
		s.Limit = luaGuardExpr(s.Limit)
		s.Step = luaGuardExpr(s.Step)
		luaGuardStmts(s.Stmts)
	case *ast.GenericForStmt:
		luaGuardExprs(s.Exprs)
		luaGuardStmts(s.Stmts)
	case *ast.FuncDefStmt:
		if s.Name != nil {
			s.Name.Func = luaGuardExpr(s.Name.Func)
			s.Name.Receiver = luaGuardExpr(s.Name.Receiver)
		}
		luaGuardExpr(s.Func)
	case *ast.ReturnStmt:
		luaGuardExprs(s.Exprs)
	}
}

func luaGuardExprs(xs []ast.Expr) {
	for i, x := range xs {
		xs[i] = luaGuardExpr(x)
	}
}

func luaGuardExpr(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case nil:
		return nil
	case *ast.StringConcatOpExpr:
		// The chain a .. (b .. (c ..)) is one call, as it is one VM
		// instruction.
		var args []ast.Expr
		var cur ast.Expr = e
		for {
			c, ok := cur.(*ast.StringConcatOpExpr)
			if !ok {
				break
			}
			args = append(args, luaGuardExpr(c.Lhs))
			cur = c.Rhs
		}
		args = append(args, luaGuardExpr(cur))
		fn := &ast.IdentExpr{Value: concatGuardName}
		fn.SetLine(e.Line())
		fn.SetLastLine(e.LastLine())
		call := &ast.FuncCallExpr{Func: fn, Args: args, AdjustRet: true}
		call.SetLine(e.Line())
		call.SetLastLine(e.LastLine())
		return call
	case *ast.AttrGetExpr:
		e.Object = luaGuardExpr(e.Object)
		e.Key = luaGuardExpr(e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			f.Key = luaGuardExpr(f.Key)
			f.Value = luaGuardExpr(f.Value)
		}
	case *ast.FuncCallExpr:
		e.Func = luaGuardExpr(e.Func)
		e.Receiver = luaGuardExpr(e.Receiver)
		luaGuardExprs(e.Args)
	case *ast.LogicalOpExpr:
		e.Lhs = luaGuardExpr(e.Lhs)
		e.Rhs = luaGuardExpr(e.Rhs)
	case *ast.RelationalOpExpr:
		e.Lhs = luaGuardExpr(e.Lhs)
		e.Rhs = luaGuardExpr(e.Rhs)
	case *ast.ArithmeticOpExpr:
		e.Lhs = luaGuardExpr(e.Lhs)
		e.Rhs = luaGuardExpr(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		e.Expr = luaGuardExpr(e.Expr)
	case *ast.UnaryNotOpExpr:
		e.Expr = luaGuardExpr(e.Expr)
	case *ast.UnaryLenOpExpr:
		e.Expr = luaGuardExpr(e.Expr)
	case *ast.FunctionExpr:
		luaGuardStmts(e.Stmts)
	}
	return e
}

// luaGuards replace the Lua library functions that build a big string in
// one Go call with checked ones.
func (s *luaStage) luaGuards() {
	L := s.L
	strlib := L.GetGlobal("string").(*lua.LTable)
	origRep := strlib.RawGetString("rep").(*lua.LFunction)
	L.SetField(strlib, "rep", L.NewFunction(func(L *lua.LState) int {
		str := L.CheckString(1)
		n := L.CheckInt(2)
		if n > 0 && int64(len(str))*int64(n) >= bigAlloc {
			s.reserve(L, "string.rep", int64(len(str))*int64(n))
		}
		return origRep.GFunction(L)
	}))
	origGsub := strlib.RawGetString("gsub").(*lua.LFunction)
	L.SetField(strlib, "gsub", L.NewFunction(func(L *lua.LState) int {
		str := L.CheckString(1)
		if repl, ok := L.Get(3).(lua.LString); ok && len(repl) > 1 {
			matches := int64(len(str)) + 1
			if n, ok := L.Get(4).(lua.LNumber); ok && int64(n) < matches {
				matches = int64(n)
			}
			if size := int64(len(str)) + matches*int64(len(repl)); size >= bigAlloc {
				s.reserve(L, "string.gsub", size)
			}
		}
		return origGsub.GFunction(L)
	}))
	origFormat := strlib.RawGetString("format").(*lua.LFunction)
	L.SetField(strlib, "format", L.NewFunction(func(L *lua.LState) int {
		size := int64(len(L.CheckString(1)))
		for i := 2; i <= L.GetTop(); i++ {
			if v, ok := L.Get(i).(lua.LString); ok {
				size += int64(len(v))
			} else {
				size += 32
			}
		}
		if size >= bigAlloc {
			s.reserve(L, "string.format", size)
		}
		return origFormat.GFunction(L)
	}))
	tablib := L.GetGlobal("table").(*lua.LTable)
	origConcat := tablib.RawGetString("concat").(*lua.LFunction)
	L.SetField(tablib, "concat", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		sep := int64(len(L.OptString(2, "")))
		var n int64
		for i := 1; i <= t.Len(); i++ {
			if v, ok := t.RawGetInt(i).(lua.LString); ok {
				n += int64(len(v)) + sep
			} else {
				n += 24 + sep // a number
			}
		}
		if n >= bigAlloc {
			s.reserve(L, "table.concat", n)
		}
		return origConcat.GFunction(L)
	}))
}

// reserve raises the memory budget's error when n bytes would not fit.
func (s *luaStage) reserve(L *lua.LState, name string, n int64) {
	if err := s.p.reserve(name, n); err != nil {
		L.RaiseError("%s", err.Error())
	}
}
