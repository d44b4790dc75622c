package runtime

import "testing"

// After a pcall catches an error, functions that change an enclosing local
// must still change that local (gopher-lua#448; see luapcall.go), also
// with nested pcalls, xpcall and errors raised by Go functions.
func TestPcallKeepsEnclosingLocals(t *testing.T) {
	if errorHandlerFlag == nil {
		t.Fatal("gopher-lua's LState has no hasErrorFunc field any more: check whether yuin/gopher-lua#448 is fixed, then drop or adapt luapcall.go")
	}
	r := newCLI(t).lua(`
local total = 0
local function add(x) total = total + x end
add(1)
print(pcall(function() error("boom") end))
add(10)
print(pcall(function() return pcall(error, "inner") end))
print(pcall(function() local t = nil; return t.x end) == false)
add(100)
print(xpcall(function() error("x") end, function(e) return "handled" end))
print((pcall(string.rep)))
add(1000)
local function getter() return total end
print(total, getter())
`)
	want := "false\ts.lua:5: boom\ntrue\tfalse\tinner\ntrue\nfalse\thandled\nfalse\n1111\t1111\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.code, r.stdout, want, r.stderr)
	}
}
