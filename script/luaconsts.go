package script

// gopher-lua's compiler finds each constant a function uses by a linear
// search of the constants it has so far, so a function with many is
// compiled in quadratic time: 90,000 lines of "xN = N" took 91 s. Before a
// Lua file compiles, the work its constant lookups would take is
// estimated from the parsed chunk, function by function, and a function
// over maxConstWork is refused with its line.

import (
	"fmt"
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// maxConstWork bounds, per function, the references to constants times
// the distinct constants, halved: about how many comparisons the
// compiler's lookups make. 5e7 is about a second on this project's
// machine (some 20 ns each): 10,000 distinct constants used once each.
const maxConstWork = 50_000_000

// fnConsts counts one function's constants: names of globals, fields and
// methods, strings and numbers (an upper bound: a name may be a local).
type fnConsts struct {
	line     int
	distinct map[string]struct{}
	refs     int
}

// constError refuses a function with too many constants.
type constError struct{ msg string }

func (e *constError) Error() string { return e.msg }

type constCounter struct {
	stack []*fnConsts
	err   error
}

// checkLuaConsts refuses a chunk whose compilation would take too long.
func checkLuaConsts(chunk []ast.Stmt) error {
	c := &constCounter{}
	c.function(0, chunk)
	return c.err
}

func (c *constCounter) function(line int, body []ast.Stmt) {
	f := &fnConsts{line: line, distinct: map[string]struct{}{}}
	c.stack = append(c.stack, f)
	c.stmts(body)
	c.stack = c.stack[:len(c.stack)-1]
	if work := f.refs * len(f.distinct) / 2; work > maxConstWork && c.err == nil {
		where := "the main chunk"
		if line > 0 {
			where = "the function at line " + strconv.Itoa(line)
		}
		c.err = &constError{fmt.Sprintf("%s uses %d constants (%d distinct): gopher-lua compiles that in quadratic time; split it into functions", where, f.refs, len(f.distinct))}
	}
}

func (c *constCounter) constant(kind byte, v string) {
	f := c.stack[len(c.stack)-1]
	f.refs++
	f.distinct[string(kind)+v] = struct{}{}
}

func (c *constCounter) stmts(ss []ast.Stmt) {
	for _, s := range ss {
		if c.err != nil {
			return
		}
		c.stmt(s)
	}
}

func (c *constCounter) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		c.exprs(s.Lhs)
		c.exprs(s.Rhs)
	case *ast.LocalAssignStmt:
		c.exprs(s.Exprs)
	case *ast.FuncCallStmt:
		c.expr(s.Expr)
	case *ast.DoBlockStmt:
		c.stmts(s.Stmts)
	case *ast.WhileStmt:
		c.expr(s.Condition)
		c.stmts(s.Stmts)
	case *ast.RepeatStmt:
		c.expr(s.Condition)
		c.stmts(s.Stmts)
	case *ast.IfStmt:
		c.expr(s.Condition)
		c.stmts(s.Then)
		c.stmts(s.Else)
	case *ast.NumberForStmt:
		c.expr(s.Init)
		c.expr(s.Limit)
		c.expr(s.Step)
		c.stmts(s.Stmts)
	case *ast.GenericForStmt:
		c.exprs(s.Exprs)
		c.stmts(s.Stmts)
	case *ast.FuncDefStmt:
		if s.Name != nil {
			c.expr(s.Name.Func)
			c.expr(s.Name.Receiver)
			if s.Name.Method != "" {
				c.constant('s', s.Name.Method)
			}
		}
		c.expr(s.Func)
	case *ast.ReturnStmt:
		c.exprs(s.Exprs)
	}
}

func (c *constCounter) exprs(xs []ast.Expr) {
	for _, x := range xs {
		c.expr(x)
	}
}

func (c *constCounter) expr(e ast.Expr) {
	switch e := e.(type) {
	case *ast.StringExpr:
		c.constant('s', e.Value)
	case *ast.NumberExpr:
		c.constant('n', e.Value)
	case *ast.IdentExpr:
		c.constant('s', e.Value)
	case *ast.StringConcatOpExpr:
		c.expr(e.Lhs)
		c.expr(e.Rhs)
	case *ast.AttrGetExpr:
		c.expr(e.Object)
		c.expr(e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			c.expr(f.Key)
			c.expr(f.Value)
		}
	case *ast.FuncCallExpr:
		c.expr(e.Func)
		c.expr(e.Receiver)
		if e.Method != "" {
			c.constant('s', e.Method)
		}
		c.exprs(e.Args)
	case *ast.LogicalOpExpr:
		c.expr(e.Lhs)
		c.expr(e.Rhs)
	case *ast.RelationalOpExpr:
		c.expr(e.Lhs)
		c.expr(e.Rhs)
	case *ast.ArithmeticOpExpr:
		c.expr(e.Lhs)
		c.expr(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		c.expr(e.Expr)
	case *ast.UnaryNotOpExpr:
		c.expr(e.Expr)
	case *ast.UnaryLenOpExpr:
		c.expr(e.Expr)
	case *ast.FunctionExpr:
		c.function(e.Line(), e.Stmts)
	}
}
