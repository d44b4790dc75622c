package runtime

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// How many frames a traceback shows nearest the error and nearest the main
// chunk; deeper stacks show "..." between them, as Lua does.
const (
	traceHead = 10
	traceTail = 5
)

// traceback describes L's call stack from level up, like debug.traceback.
//
// gopher-lua's own traceback looks each frame up from the top of the stack,
// which costs depth² steps: after runaway recursion 20,000 frames deep it
// spends seconds printing 15 lines. Here the depth is found by bisection and
// only the frames shown are looked up.
func traceback(L *lua.LState, level int) string {
	depth := stackDepth(L, level)
	if _, shown := frameLine(L, level+depth-1); depth > 0 && !shown {
		depth-- // the host's wrapper at the bottom; do not count it as hidden
	}
	var lines []string
	add := func(i int) {
		if line, ok := frameLine(L, i); ok {
			lines = append(lines, "\t"+line)
		}
	}
	if depth <= traceHead+traceTail {
		for i := level; i < level+depth; i++ {
			add(i)
		}
	} else {
		for i := level; i < level+traceHead; i++ {
			add(i)
		}
		lines = append(lines, fmt.Sprintf("\t... (%d more levels)", depth-traceHead-traceTail))
		for i := level + depth - traceTail; i < level+depth; i++ {
			add(i)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "stack traceback:\n" + strings.Join(lines, "\n")
}

// stackDepth counts the levels from level to the bottom of the stack.
func stackDepth(L *lua.LState, level int) int {
	exists := func(n int) bool { _, ok := L.GetStack(level + n); return ok }
	if !exists(0) {
		return 0
	}
	lo, hi := 0, 1 // exists(lo) holds; find hi with !exists(hi)
	for exists(hi) {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if exists(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// frameLine formats one level the way Lua's tracebacks do. The host's own
// Go wrapper at the bottom of the stack is not the script's business and is
// left out (ok=false).
func frameLine(L *lua.LState, level int) (string, bool) {
	dbg, ok := L.GetStack(level)
	if !ok {
		return "", false
	}
	fv, err := L.GetInfo("Slnf", dbg, lua.LNil)
	if err != nil {
		return "", false
	}
	fn, _ := fv.(*lua.LFunction)
	if fn == nil {
		return "", false
	}
	if fn.IsG {
		if dbg.What == "main" {
			return "", false
		}
		if dbg.Name == "" || dbg.Name == "(anonymous)" {
			return "[G]: ?", true
		}
		return fmt.Sprintf("[G]: in function '%s'", dbg.Name), true
	}
	where := fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
	switch {
	case fn.Proto.LineDefined == 0:
		// A chunk: the script itself, or a module's body run by require.
		return where + " in main chunk", true
	case strings.HasPrefix(dbg.Name, "<"):
		return fmt.Sprintf("%s in function %s", where, dbg.Name), true
	case dbg.Name == "":
		return fmt.Sprintf("%s in function <%s:%d>", where, dbg.Source, fn.Proto.LineDefined), true
	default:
		return fmt.Sprintf("%s in function '%s'", where, dbg.Name), true
	}
}
