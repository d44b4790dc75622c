package runtime

import (
	"math"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// What C's printf("%.14g"), and so Lua 5.1, prints (Python's % operator agrees).
func TestLuaNumberText(t *testing.T) {
	tests := []struct {
		n    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{100, "100"},
		{-7, "-7"},
		{7557594.07, "7557594.07"},
		{0.1 + 0.2, "0.3"},
		{1.5, "1.5"},
		{1e-5, "1e-05"},
		{0.0001, "0.0001"},
		{3.14159265358979, "3.1415926535898"},
		{99999999999999, "99999999999999"},
		{1e14, "100000000000000"},
		{1e15, "1000000000000000"},
		{math.Pow(2, 53), "9007199254740992"},
		{1e16, "1e+16"},
		{123456789012345, "123456789012345"}, // an id: every digit
		{123456789012345.5, "1.2345678901235e+14"},
		{1e100, "1e+100"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := luaNumberText(lua.LNumber(tt.n)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPrintToStringAndWriteFormatNumbersLikeLua(t *testing.T) {
	c := newCLI(t)
	r := c.lua(`
print(7557594.07)
print(tostring(0.1 + 0.2), 2^53, 1e15, 42)
io.write(7557594.07, " ", 0.5, "\n")
io.stderr:write(1234567.25, "\n")
print(tostring(setmetatable({}, {__tostring = function() return "mine" end})))
`)
	r.expect(t, ExitOK)
	want := "7557594.07\n0.3\t9007199254740992\t1000000000000000\t42\n7557594.07 0.5\nmine\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	mustContain(t, "stderr", r.stderr, "1234567.25\n")
}

func TestReplShowsNumbersLikeLua(t *testing.T) {
	c := newCLI(t)
	c.stdin = "7557594.07\n0.1 + 0.2, 2^53\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	if r.stdout != "7557594.07\n0.3\t9007199254740992\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}
