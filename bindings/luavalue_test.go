package bindings

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestFormatNumber(t *testing.T) {
	cases := map[float64]string{
		0:                    "0",
		math.Copysign(0, -1): "0",
		12345678901:          "12345678901",
		-42:                  "-42",
		0.1:                  "0.1",
		1.0 / 3:              "0.3333333333333333",
		9007199254740993:     "9007199254740992", // a float cannot hold it; its nearest value
		1e20:                 "100000000000000000000",
		1e21:                 "1e+21",
		1.5e-6:               "0.0000015",
		1e-7:                 "1e-07",
		-2.5e-300:            "-2.5e-300",
	}
	for in, want := range cases {
		if got := FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestNumberToLua(t *testing.T) {
	cases := []struct {
		in   string
		want lua.LValue
	}{
		{"0", lua.LNumber(0)},
		{"-17", lua.LNumber(-17)},
		{"9007199254740992", lua.LNumber(9007199254740992)},
		{"9007199254740993", lua.LString("9007199254740993")},
		{"-9007199254740993", lua.LString("-9007199254740993")},
		{"123456789012345678901234567890", lua.LString("123456789012345678901234567890")},
		{"2.5", lua.LNumber(2.5)},
		{"1e3", lua.LNumber(1000)},
		{"1e400", lua.LString("1e400")},
	}
	for _, c := range cases {
		if got := NumberToLua(json.Number(c.in)); got != c.want {
			t.Errorf("NumberToLua(%s) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestToLuaAndBack(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	in := map[string]any{
		"id":     json.Number("9007199254740993"),
		"n":      int64(42),
		"big":    int64(1) << 60,
		"f":      2.5,
		"s":      "x",
		"ok":     true,
		"null":   nil,
		"labels": []string{"a", "b"},
		"ids":    []int64{1, 2},
		"list":   []any{json.Number("1"), "two"},
		"addr":   map[string]any{"city": "Sandton"},
		"pairs":  map[string]string{"k": "v"},
	}
	v := ToLua(L, in)
	got, err := ToGo(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id":     "9007199254740993",
		"n":      int64(42),
		"big":    "1152921504606846976",
		"f":      2.5,
		"s":      "x",
		"ok":     true,
		"labels": []any{"a", "b"},
		"ids":    []any{int64(1), int64(2)},
		"list":   []any{int64(1), "two"},
		"addr":   map[string]any{"city": "Sandton"},
		"pairs":  map[string]any{"k": "v"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip =\n%#v\nwant\n%#v", got, want)
	}
}

func TestToLuaRaisesForUnknownTypes(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("convert", L.NewFunction(func(L *lua.LState) int {
		L.Push(ToLua(L, struct{}{}))
		return 1
	}))
	err := L.DoString(`convert()`)
	if err == nil || !strings.Contains(err.Error(), "cannot convert a Go struct {} to Lua") {
		t.Errorf("err = %v", err)
	}
}

func TestToGoErrors(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	cycle := L.NewTable()
	cycle.RawSetString("self", cycle)
	nan := L.NewTable()
	nan.RawSetInt(1, lua.LNumber(math.NaN()))
	fn := L.NewTable()
	fn.RawSetString("f", L.NewFunction(func(*lua.LState) int { return 0 }))
	cases := map[string]lua.LValue{"cycle": cycle, "$[1]": nan, "$.f": fn}
	for want, v := range cases {
		if _, err := ToGo(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ToGo error = %v, want one mentioning %q", err, want)
		}
	}
}
