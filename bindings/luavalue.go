package bindings

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// maxExactInt is 2^53: every integer up to it in size is exact in a Lua
// number (a float64); past it, neighbouring integers share a float.
const maxExactInt = 1 << 53

// ToLua converts a value decoded by package skynamo or by encoding/json
// with UseNumber into a Lua value. Numbers follow NumberToLua; slices become
// arrays and maps become tables whose keys are inserted in sorted order (so
// pairs() walks them the same way every run). A nil map entry is left out,
// as Lua tables cannot hold nil; a nil slice element leaves a hole. Any other
// Go type is a bug in the caller and raises a Lua error.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return v
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return NumberToLua(v)
	case int:
		return intToLua(int64(v))
	case int64:
		return intToLua(v)
	case float64:
		return lua.LNumber(v)
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, ToLua(L, e))
		}
		return t
	case []string:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, lua.LString(e))
		}
		return t
	case []int64:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, intToLua(e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		for _, k := range sortedKeys(v) {
			if e := v[k]; e != nil {
				t.RawSetString(k, ToLua(L, e))
			}
		}
		return t
	case map[string]string:
		t := L.CreateTable(0, len(v))
		for _, k := range sortedKeys(v) {
			t.RawSetString(k, lua.LString(v[k]))
		}
		return t
	}
	L.RaiseError("bindings: cannot convert a Go %T to Lua", v)
	return lua.LNil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NumberToLua converts a JSON number. Exactness beats type: an integer
// within ±2^53 and any fractional or exponent form become a Lua number, but
// an integer beyond 2^53 (an id like 9007199254740993) becomes a string of
// its exact digits, since a Lua number would silently change it.
func NumberToLua(n json.Number) lua.LValue {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil && i >= -maxExactInt && i <= maxExactInt {
			return lua.LNumber(i)
		}
		return lua.LString(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return lua.LString(s) // out of float range: keep what was sent
	}
	return lua.LNumber(f)
}

func intToLua(i int64) lua.LValue {
	if i < -maxExactInt || i > maxExactInt {
		return lua.LString(strconv.FormatInt(i, 10))
	}
	return lua.LNumber(i)
}

// FormatNumber writes a Lua number for JSON and CSV: integral values as
// plain integers (12345678901, never 1.2345678901e+10), other values as the
// shortest text that reads back the same, without an exponent between 1e-6
// and 1e21; beyond that range the exponent form (1e+21, 1e-07) keeps the
// text short. NaN and infinities are the caller's to refuse.
func FormatNumber(f float64) string {
	abs := math.Abs(f)
	switch {
	case f == 0:
		return "0" // also for -0
	case abs < 1e21 && (f == math.Trunc(f) || abs >= 1e-6):
		return strconv.FormatFloat(f, 'f', -1, 64)
	default:
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
}

// ToGo converts a Lua value into Go for encoding or for a request body:
// nil and json.null -> nil, booleans, strings, integral numbers -> int64,
// other numbers -> float64, arrays -> []any, other tables -> map[string]any
// (number keys written as text). Tables are read raw: a metatable's __index
// or __pairs is never called, so a record whose custom table raises for
// unknown names converts safely. Cycles, NaN, infinities, functions and
// other userdata are errors naming where they are, e.g. `$.items[2].price`.
func ToGo(v lua.LValue) (any, error) {
	w := walker{visiting: map[*lua.LTable]bool{}}
	return w.toGo(v, "$")
}

// walker carries what a walk over nested Lua tables must remember: the
// tables on the current path, to catch cycles.
type walker struct {
	visiting map[*lua.LTable]bool
	// userdata, when set, converts userdata values first (the writer's
	// CLEAR); handled=false falls back to the default (json.null -> nil).
	userdata func(u *lua.LUserData, path string) (v any, handled bool, err error)
}

func (w *walker) toGo(v lua.LValue, path string) (any, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s: %v is not a number JSON can hold", path, f)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return f, nil
	case *lua.LUserData:
		if w.userdata != nil {
			if out, handled, err := w.userdata(v, path); handled || err != nil {
				return out, err
			}
		}
		if IsNull(v) {
			return nil, nil
		}
	case *lua.LTable:
		if err := w.enter(v, path); err != nil {
			return nil, err
		}
		defer w.leave(v)
		if n, ok := arrayLen(v); ok {
			out := make([]any, n)
			for i := range n {
				e, err := w.toGo(v.RawGetInt(i+1), fmt.Sprintf("%s[%d]", path, i+1))
				if err != nil {
					return nil, err
				}
				out[i] = e
			}
			return out, nil
		}
		keys, err := objectKeys(v, path)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			e, err := w.toGo(v.RawGet(k.lua), path+"."+k.text)
			if err != nil {
				return nil, err
			}
			out[k.text] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: cannot encode a %s", path, v.Type())
}

func (w *walker) enter(t *lua.LTable, path string) error {
	if w.visiting[t] {
		return fmt.Errorf("%s: the table contains itself (a cycle)", path)
	}
	w.visiting[t] = true
	return nil
}

func (w *walker) leave(t *lua.LTable) { delete(w.visiting, t) }

// nullValue marks the json.null userdata. Any userdata holding it is null,
// so the csv module and ToGo recognise json.null without sharing state.
type nullValue struct{}

// IsNull reports whether v is json.null.
func IsNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(nullValue)
	return ok
}

func newNull(L *lua.LState) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = nullValue{}
	mt := L.NewTable()
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	mt.RawSetString("__name", lua.LString("json.null"))
	L.SetMetatable(ud, mt)
	return ud
}

// arrayMarker is the metatable field json.array sets: a table whose
// metatable has it is an array even when empty.
const arrayMarker = "__json_array"

func isMarkedArray(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	return ok && mt.RawGetString(arrayMarker) == lua.LTrue
}

// arrayLen reports whether t is an array: its keys are exactly 1..n with
// n > 0, or it is empty and marked by json.array. An empty unmarked table
// is an object.
func arrayLen(t *lua.LTable) (int, bool) {
	count, sequence := 0, true
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if n, ok := k.(lua.LNumber); !ok || float64(n) != math.Trunc(float64(n)) || n < 1 {
			sequence = false
		}
	})
	if !sequence {
		return 0, false
	}
	// Every key is a positive integer; they are 1..count only if none exceeds count.
	for i := 1; i <= count; i++ {
		if t.RawGetInt(i) == lua.LNil {
			return 0, false
		}
	}
	if count == 0 {
		return 0, isMarkedArray(t)
	}
	return count, true
}

// objectKey is a table key as text, with the Lua value to read it back.
type objectKey struct {
	text string
	lua  lua.LValue
}

// objectKeys lists a table's keys as text, sorted. String keys are used as
// they are and number keys as FormatNumber writes them; other keys, and a
// number and a string that read the same, are errors.
func objectKeys(t *lua.LTable, path string) ([]objectKey, error) {
	var keys []objectKey
	var err error
	t.ForEach(func(k, _ lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			keys = append(keys, objectKey{string(k), k})
		case lua.LNumber:
			keys = append(keys, objectKey{FormatNumber(float64(k)), k})
		default:
			if err == nil {
				err = fmt.Errorf("%s: a %s cannot be a key", path, k.Type())
			}
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].text < keys[j].text })
	for i := 1; i < len(keys); i++ {
		if keys[i].text == keys[i-1].text {
			return nil, fmt.Errorf("%s: key %q is there both as a number and as a string", path, keys[i].text)
		}
	}
	return keys, nil
}

// options reads a handler's option table. Unknown names raise at once, so
// a misspelt option (`delimeter`) is an error instead of being ignored.
type options struct {
	L *lua.LState
	n int
	t *lua.LTable
}

func newOptions(L *lua.LState, n int, known ...string) options {
	o := options{L: L, n: n, t: L.OptTable(n, nil)}
	if o.t == nil {
		return o
	}
	o.t.ForEach(func(k, _ lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok {
			L.ArgError(n, fmt.Sprintf("option names are strings, not %s", k.Type()))
		}
		for _, want := range known {
			if string(name) == want {
				return
			}
		}
		L.ArgError(n, unknownOption(string(name), known))
	})
	return o
}

// unknownOption is the message for an option name not among known: the
// closest one when there is one, else the whole list.
func unknownOption(name string, known []string) string {
	if near := skynamo.SuggestNames(name, known, 1); len(near) > 0 {
		return fmt.Sprintf("unknown option %q; did you mean %q?", name, near[0])
	}
	return fmt.Sprintf("unknown option %q (options: %s)", name, strings.Join(known, ", "))
}

func (o options) get(name string) lua.LValue {
	if o.t == nil {
		return lua.LNil
	}
	return o.t.RawGetString(name)
}

func (o options) bool(name string, def bool) bool {
	switch v := o.get(name).(type) {
	case *lua.LNilType:
		return def
	case lua.LBool:
		return bool(v)
	}
	o.L.ArgError(o.n, name+" must be a boolean")
	return def
}

func (o options) string(name string, def string) string {
	switch v := o.get(name).(type) {
	case *lua.LNilType:
		return def
	case lua.LString:
		return string(v)
	}
	o.L.ArgError(o.n, name+" must be a string")
	return def
}

// stringList reads an array of strings, e.g. columns = {"code", "name"}.
func (o options) stringList(name string) []string {
	switch v := o.get(name).(type) {
	case *lua.LNilType:
		return nil
	case *lua.LTable:
		n, ok := arrayLen(v)
		if k, _ := v.Next(lua.LNil); !ok && k != lua.LNil {
			o.L.ArgError(o.n, name+" must be an array of strings")
		}
		out := make([]string, 0, n)
		for i := 1; i <= n; i++ {
			s, isStr := v.RawGetInt(i).(lua.LString)
			if !isStr {
				o.L.ArgError(o.n, fmt.Sprintf("%s[%d] must be a string", name, i))
			}
			out = append(out, string(s))
		}
		return out
	}
	o.L.ArgError(o.n, name+" must be an array of strings")
	return nil
}
