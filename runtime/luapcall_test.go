package runtime

import "testing"

// After a pcall catches an error, functions that change an enclosing local
// must still change that local (gopher-lua#448; see luapcall.go), also
// with nested pcalls, xpcall and errors raised by Go functions.
func TestPcallKeepsEnclosingLocals(t *testing.T) {
	if pcallHooks == nil {
		t.Fatal("gopher-lua's LState changed (hasErrorFunc, currentFrame.LocalBase): check whether yuin/gopher-lua#448 is fixed, then drop or adapt luapcall.go")
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

// The frames an error unwinds get their upvalues closed while their values
// are still in place: a closure made inside a failed pcall keeps what it
// saw, and writing through it never lands in another function's locals.
// An error inside an xpcall handler detaches nothing either.
func TestPcallClosesOnlyTheUnwoundFrames(t *testing.T) {
	r := newCLI(t).lua(`
local keep
pcall(function()
  local count = 42
  keep = function() return count end
  error("fail")
end)
local a, b, c = "junk1", "junk2", "junk3"
local function f() local x, y, z = 7, 8, 9; return x end
f()
local _, e = pcall(function()
  local attempt = 3
  error({ attempts = function() return attempt end })
end)
local p, q = "z1", "z2"
local set
pcall(function() local v = 0; set = function(x) v = x end; error("e") end)
local function work()
  local mine = 1
  set(99)
  return mine
end
local total = 0
local function add(x) total = total + x end
add(1)
local ok, msg = xpcall(function() error("a") end, function() error("handler fails") end)
add(10)
print(keep(), e.attempts(), work(), ok, total)
`)
	if r.code != 0 || r.stdout != "42\t3\t1\tfalse\t11\n" {
		t.Fatalf("exit %d\nstdout %q, want %q\nstderr:\n%s", r.code, r.stdout, "42\t3\t1\tfalse\t11\n", r.stderr)
	}
}
