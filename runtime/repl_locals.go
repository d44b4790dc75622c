package runtime

import (
	"bytes"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// Each input at the prompt is its own chunk, so in plain Lua a
// `local c = reader.customers()` would be gone by the next line: the most
// natural thing to type would silently do nothing useful. The REPL
// therefore compiles top-level locals as assignments to globals of the
// session, working on the parsed tree rather than the text so that strings,
// comments and nested blocks are never touched. Locals inside functions,
// do-blocks and loops keep their usual scope.

// compileREPL parses src and compiles it with its top-level locals turned
// into globals. Errors are *LoadError, as compile's are.
func compileREPL(src, chunk string) (*lua.FunctionProto, error) {
	tree, err := parse.Parse(bytes.NewReader([]byte(src)), chunk)
	if err != nil {
		return nil, loadError(chunk, []byte(src), err)
	}
	proto, err := lua.Compile(globalizeLocals(tree), chunk)
	if err != nil {
		return nil, loadError(chunk, []byte(src), err)
	}
	return proto, nil
}

// globalizeLocals rewrites `local a, b = x, y` to `a, b = x, y` at the
// top level of a chunk (the parser reads `local function f` as
// `local f = function`, so that is covered too). The
// statements keep their line numbers, so errors point at the typed line.
func globalizeLocals(stmts []ast.Stmt) []ast.Stmt {
	out := make([]ast.Stmt, len(stmts))
	for i, st := range stmts {
		switch st := st.(type) {
		case *ast.LocalAssignStmt:
			as := &ast.AssignStmt{Rhs: st.Exprs}
			for _, name := range st.Names {
				as.Lhs = append(as.Lhs, identAt(name, st.Line()))
			}
			if len(as.Rhs) == 0 {
				// `local x` sets x to nil, as the new local would have been.
				nilx := &ast.NilExpr{}
				nilx.SetLine(st.Line())
				nilx.SetLastLine(st.Line())
				as.Rhs = []ast.Expr{nilx}
			}
			as.SetLine(st.Line())
			as.SetLastLine(st.LastLine())
			out[i] = as
		default:
			out[i] = st
		}
	}
	return out
}

func identAt(name string, line int) *ast.IdentExpr {
	id := &ast.IdentExpr{Value: name}
	id.SetLine(line)
	id.SetLastLine(line)
	return id
}
