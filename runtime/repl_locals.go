package runtime

import (
	"bytes"
	"fmt"

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
//
// The exception is a name that is still one of the session's builtin
// globals (table, string, type, print, ...): `local table = {...}` made
// global would replace the table library for every later line and for
// every stdlib module, the REPL's own printing included. Such a local stays
// a true local of its input, and the REPL says so.

// compileREPL parses src and compiles it with its top-level locals turned
// into globals, except names for which builtin returns true; those are
// returned in kept. Errors are *LoadError, as compile's are.
func compileREPL(src, chunk string, builtin func(string) bool) (proto *lua.FunctionProto, kept []string, err error) {
	tree, err := parse.Parse(bytes.NewReader([]byte(src)), chunk)
	if err != nil {
		return nil, nil, loadError(chunk, []byte(src), err)
	}
	stmts, kept := globalizeLocals(tree, builtin)
	proto, err = lua.Compile(stmts, chunk)
	if err != nil {
		return nil, nil, loadError(chunk, []byte(src), err)
	}
	return proto, kept, nil
}

// globalizeLocals rewrites `local a, b = x, y` to `a, b = x, y` at the
// top level of a chunk (the parser reads `local function f` as
// `local f = function`, so that is covered too). Names builtin reports
// stay locals and are returned. The statements keep their line numbers,
// so errors point at the typed line.
func globalizeLocals(stmts []ast.Stmt, builtin func(string) bool) (out []ast.Stmt, kept []string) {
	temps := 0
	for _, st := range stmts {
		local, ok := st.(*ast.LocalAssignStmt)
		if !ok {
			out = append(out, st)
			continue
		}
		var keep []string
		for _, name := range local.Names {
			if builtin != nil && builtin(name) {
				keep = append(keep, name)
			}
		}
		kept = append(kept, keep...)
		switch {
		case len(keep) == 0:
			out = append(out, assignAt(identsAt(local.Names, local.Line()), local.Exprs, local))
		case len(keep) == len(local.Names):
			out = append(out, local)
		default:
			// `local n, table = 1, {}`: the values go to hidden locals first
			// (the right side must see the names as they were), then each
			// name to its global or its new local.
			names := make([]string, len(local.Names))
			for i := range names {
				temps++
				names[i] = fmt.Sprintf("(repl %d)", temps) // not an identifier: no clash
			}
			tmp := &ast.LocalAssignStmt{Names: names, Exprs: local.Exprs}
			tmp.SetLine(local.Line())
			tmp.SetLastLine(local.LastLine())
			out = append(out, tmp)
			for i, name := range local.Names {
				value := []ast.Expr{identAt(names[i], local.Line())}
				if builtin(name) {
					l := &ast.LocalAssignStmt{Names: []string{name}, Exprs: value}
					l.SetLine(local.Line())
					l.SetLastLine(local.LastLine())
					out = append(out, l)
				} else {
					out = append(out, assignAt([]ast.Expr{identAt(name, local.Line())}, value, local))
				}
			}
		}
	}
	return out, kept
}

// assignAt is `lhs = rhs` at the lines of st. An empty rhs (`local x`)
// assigns nil, as the new local would have been.
func assignAt(lhs, rhs []ast.Expr, st ast.Stmt) *ast.AssignStmt {
	if len(rhs) == 0 {
		nilx := &ast.NilExpr{}
		nilx.SetLine(st.Line())
		nilx.SetLastLine(st.Line())
		rhs = []ast.Expr{nilx}
	}
	as := &ast.AssignStmt{Lhs: lhs, Rhs: rhs}
	as.SetLine(st.Line())
	as.SetLastLine(st.LastLine())
	return as
}

func identsAt(names []string, line int) []ast.Expr {
	ids := make([]ast.Expr, len(names))
	for i, name := range names {
		ids[i] = identAt(name, line)
	}
	return ids
}

func identAt(name string, line int) *ast.IdentExpr {
	id := &ast.IdentExpr{Value: name}
	id.SetLine(line)
	id.SetLastLine(line)
	return id
}

// snapshotBuiltins records the globals a fresh session has: the standard
// library and whatever the host installed.
func snapshotBuiltins(L *lua.LState) map[string]lua.LValue {
	m := map[string]lua.LValue{}
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if name, ok := k.(lua.LString); ok {
			m[string(name)] = v
		}
	})
	return m
}

// isBuiltin reports whether the global name still holds the value it had
// when the session started. Once the script has replaced it, a top-level
// local of that name is just another session global.
func (r *repl) isBuiltin(name string) bool {
	v, ok := r.builtins[name]
	return ok && r.s.L.G.Global.RawGetString(name) == v
}
