package runtime

import "testing"

func TestGsubBehavesLikeLua51(t *testing.T) {
	r := newCLI(t).lua(`
local function show(s, n) print(s .. "|" .. n) end
show(("hello world"):gsub("o", "0"))
show(("hello world"):gsub("o", "0", 1))
show(("hello world"):gsub("(%w+)", "<%1>"))
show(("hello world"):gsub("%w+", "%0 %0"))
show(("abc"):gsub("%w", "%%"))
show(("abc"):gsub("", "-"))
show(("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
show(("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 7}))
show(("$name $unknown"):gsub("%$(%w+)", {name = "Ann"}))
show(("a,b"):gsub("%a", function(c) return c:upper() end))
show(("a,b"):gsub("%a", function() return false end))
show(("abc"):gsub("()b", "%1"))
show(('say "hi"'):gsub('"', '""'))
print(pcall(string.gsub, "abc", "(a)", "%2"))
print(pcall(string.gsub, "abc", "a", function() return {} end))
`)
	r.expect(t, ExitOK)
	want := `hell0 w0rld|2
hell0 world|1
<hello> <world>|2
hello hello world world|2
%%%|3
-a-b-c-|4
world hello|1
Ann is 7|2
Ann $unknown|2
A,B|2
a,b|2
a2c|1
say ""hi""|2
false	s.lua:16: invalid capture index %2
false	s.lua:17: invalid replacement value (a table)
`
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}
