package runtime

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua turns numbers into text with Go's shortest form, so
// print(7557594.07) showed 7.55759407e+06 and print(0.1 + 0.2) showed
// 0.30000000000000004. Lua 5.1 uses C's "%.14g": 7557594.07 and 0.3.
// print, tostring and io.write (standard streams) follow Lua 5.1 here, with
// one deliberate difference: a whole number below 2^53 prints in full, as
// Lua 5.3's integers do (and pretty.format, csv and json), because ids and
// row versions of 15 or 16 digits must not print rounded (%.14g would make
// 2^53 9.007199254741e+15). Concatenation (x .. "") and string.format("%s", x) happen inside
// gopher-lua's VM and keep its form; string.format("%.2f", x) is the way
// to a fixed layout (the README says so). csv and json write numbers in
// full precision instead (bindings.FormatNumber): they are data, not
// display.

// luaNumberText is C's printf("%.14g", n) as Lua 5.1 prints a number.
func luaNumberText(n lua.LNumber) string {
	f := float64(n)
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	case f == math.Trunc(f) && math.Abs(f) <= 1<<53:
		// A whole number Lua holds exactly: all its digits.
		if f == 0 && math.Signbit(f) {
			return "-0"
		}
		return strconv.FormatInt(int64(f), 10)
	}
	// Go's 'g' with a precision picks %e or %f by the same rule as C's and
	// drops trailing zeros as C does without '#'; exponents have at least
	// two digits in both.
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// luaToText is tostring's text for v: numbers as Lua 5.1 prints them,
// everything else as gopher-lua does (__tostring included).
func luaToText(L *lua.LState, v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return luaNumberText(n)
	}
	return L.ToStringMeta(v).String()
}

// luaToString is the global tostring(v).
func luaToString(L *lua.LState) int {
	L.Push(lua.LString(luaToText(L, L.CheckAny(1))))
	return 1
}
