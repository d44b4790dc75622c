package runtime

import (
	"strings"
	"testing"
)

// Report-sized scripts must not run into gopher-lua's default limits (256
// call frames, a fixed 5,120-value stack).
func TestReportSizedScriptsFitTheVM(t *testing.T) {
	tests := map[string]string{
		"100,000 records": `
local rows = {}
for i = 1, 100000 do
  rows[i] = {id = i, name = "customer " .. i, tags = {"a", "b"}, total = i * 1.5}
end
assert(#rows == 100000 and rows[100000].name == "customer 100000")`,
		"table.concat of 100,000 pieces": `
local parts = {}
for i = 1, 100000 do parts[#parts + 1] = tostring(i) end
local s = table.concat(parts, ",")
assert(#s > 100000)`,
		"s = s .. x 100,000 times": `
local s = ""
for i = 1, 100000 do s = s .. "x" end
assert(#s == 100000)`,
		"unpack of 100,000 values": `
local t = {}
for i = 1, 100000 do t[i] = i end
assert(select("#", unpack(t)) == 100000)
local copy = {unpack(t)}
assert(#copy == 100000 and copy[100000] == 100000)
assert(math.max(unpack(t)) == 100000)`,
		"recursion 10,000 deep": `
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
assert(depth(10000) == 10000)`,
		"recursion 10,000 deep through pcall": `
local function depth(n)
  if n == 0 then return 0 end
  local ok, d = pcall(depth, n - 1)
  assert(ok, d)
  return 1 + d
end
assert(depth(10000) == 10000)`,
		"error 10,000 deep": `
local function dive(n) if n == 0 then error("bottom") end return (dive(n - 1)) end
local ok, err = pcall(dive, 10000)
assert(not ok and err:find("bottom"))`,
		"string.rep and gsub on a large string": `
local s = string.rep("ab,", 100000)
local n = select(2, s:gsub(",", ";"))
assert(n == 100000)`,
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			r := newCLI(t).lua(src)
			r.expect(t, ExitOK)
		})
	}
}

func TestRunawayRecursionFailsWithAShortTraceback(t *testing.T) {
	r := newCLI(t).lua("local function f(n) return f(n + 1) + 1 end\nf(1)\n")
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "skynamo: s.lua:1:", "overflow", "more levels)", "s.lua:2: in main chunk")
	if n := strings.Count(r.stderr, "\n"); n > 25 {
		t.Errorf("traceback has %d lines", n)
	}
}

func TestTracebackOfADeepErrorIsBounded(t *testing.T) {
	r := newCLI(t).lua("local function dive(n)\n  if n == 0 then error('bottom') end\n  return (dive(n - 1))\nend\ndive(5000)\n")
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "skynamo: s.lua:2: bottom\n", "[G]: in function 'error'", "s.lua:2: in function 'dive'", "... (4988 more levels)", "s.lua:5: in main chunk")
}
