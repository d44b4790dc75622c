package bindings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// JSON is the `json` module. Its rules, for the README:
//   - A table whose keys are exactly 1..n is an array; any other table is an
//     object with its keys sorted (number keys written as text). An empty
//     table is an object, `{}`; json.array(t) marks a table as an array so
//     that an empty one writes `[]`, and decoding `[]` gives a marked table,
//     so empty arrays survive a round trip.
//   - json.null stands for null. Decoding gives json.null for a null in an
//     array or at the top level (positions matter there) and leaves a null
//     property out of its object, so `if rec.x then` works as expected.
//   - Integers beyond 2^53 decode as strings of their exact digits (see
//     NumberToLua): exactness beats type. They encode back as JSON strings.
//   - Tables are read raw: metatables (__index, __pairs) are not consulted.
//   - Cycles, NaN, infinities and functions are errors, returned as nil, err.
type JSON struct{}

// NewJSON builds the module; it has no dependencies.
func NewJSON() *JSON { return &JSON{} }

// Loader registers the module's functions.
func (m *JSON) Loader(L *lua.LState) int {
	null := newNull(L)
	arrayMeta := L.NewTable()
	arrayMeta.RawSetString(arrayMarker, lua.LTrue)
	arrayMeta.RawSetString("__name", lua.LString("json.array"))
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"encode": m.encode,
		"decode": func(L *lua.LState) int { return m.decode(L, null, arrayMeta) },
		"array":  func(L *lua.LState) int { return m.array(L, arrayMeta) },
	})
	mod.RawSetString("null", null)
	L.Push(mod)
	return 1
}

// encode: json.encode(value, {indent = 2 | "\t", sort_keys = true}) -> text, err
// indent (a count of spaces or the string to indent with) spreads the text
// over lines; sort_keys = false keeps a table's own key order instead.
func (m *JSON) encode(L *lua.LState) int {
	v := L.CheckAny(1)
	opts := newOptions(L, 2, "indent", "sort_keys")
	e := jsonEncoder{walker: walker{visiting: map[*lua.LTable]bool{}}, sortKeys: opts.bool("sort_keys", true)}
	switch ind := opts.get("indent").(type) {
	case *lua.LNilType:
	case lua.LNumber:
		if ind < 0 || ind > 16 || ind != lua.LNumber(math.Trunc(float64(ind))) {
			L.ArgError(2, "indent must be a whole number of spaces from 0 to 16, or a string")
		}
		e.indent = strings.Repeat(" ", int(ind))
	case lua.LString:
		if strings.Trim(string(ind), " \t") != "" {
			L.ArgError(2, "an indent string may hold only spaces and tabs")
		}
		e.indent = string(ind)
	default:
		L.ArgError(2, "indent must be a number or a string")
	}
	if err := e.value(v, "$", 0); err != nil {
		return pushError(L, "json.encode", err)
	}
	L.Push(lua.LString(e.buf.String()))
	return 1
}

// pushError returns nil, "<fn>: <err>" to Lua, the shape of an expected failure.
func pushError(L *lua.LState, fn string, err error) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(fn + ": " + err.Error()))
	return 2
}

type jsonEncoder struct {
	walker
	buf      bytes.Buffer
	indent   string
	sortKeys bool
}

func (e *jsonEncoder) value(v lua.LValue, path string, depth int) error {
	switch v := v.(type) {
	case *lua.LNilType:
		e.buf.WriteString("null")
	case lua.LBool:
		e.buf.WriteString(v.String())
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s: %v cannot be written as JSON", path, f)
		}
		e.buf.WriteString(FormatNumber(f))
	case lua.LString:
		writeJSONString(&e.buf, string(v))
	case *lua.LUserData:
		if !IsNull(v) {
			return fmt.Errorf("%s: cannot encode a userdata", path)
		}
		e.buf.WriteString("null")
	case *lua.LTable:
		if err := e.enter(v, path); err != nil {
			return err
		}
		defer e.leave(v)
		if n, ok := arrayLen(v); ok {
			return e.array(v, n, path, depth)
		}
		return e.object(v, path, depth)
	default:
		return fmt.Errorf("%s: cannot encode a %s", path, v.Type())
	}
	return nil
}

func (e *jsonEncoder) array(t *lua.LTable, n int, path string, depth int) error {
	if n == 0 {
		e.buf.WriteString("[]")
		return nil
	}
	e.buf.WriteByte('[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf.WriteByte(',')
		}
		e.newline(depth + 1)
		if err := e.value(t.RawGetInt(i), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
			return err
		}
	}
	e.newline(depth)
	e.buf.WriteByte(']')
	return nil
}

func (e *jsonEncoder) object(t *lua.LTable, path string, depth int) error {
	keys, err := objectKeys(t, path)
	if err != nil {
		return err
	}
	if !e.sortKeys {
		keys = tableOrder(t, keys)
	}
	if len(keys) == 0 {
		e.buf.WriteString("{}")
		return nil
	}
	e.buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		e.newline(depth + 1)
		writeJSONString(&e.buf, k.text)
		e.buf.WriteByte(':')
		if e.indent != "" {
			e.buf.WriteByte(' ')
		}
		if err := e.value(t.RawGet(k.lua), path+"."+k.text, depth+1); err != nil {
			return err
		}
	}
	e.newline(depth)
	e.buf.WriteByte('}')
	return nil
}

// tableOrder puts keys in the order Lua's next() visits them, which in
// gopher-lua is the array part and then insertion order.
func tableOrder(t *lua.LTable, keys []objectKey) []objectKey {
	byKey := make(map[lua.LValue]objectKey, len(keys))
	for _, k := range keys {
		byKey[k.lua] = k
	}
	ordered := make([]objectKey, 0, len(keys))
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		ordered = append(ordered, byKey[k])
	}
	return ordered
}

func (e *jsonEncoder) newline(depth int) {
	if e.indent == "" {
		return
	}
	e.buf.WriteByte('\n')
	for range depth {
		e.buf.WriteString(e.indent)
	}
}

// writeJSONString quotes s as encoding/json does without HTML escaping:
// invalid UTF-8 becomes U+FFFD, and U+2028/U+2029 are escaped so the text
// is also valid JavaScript.
func writeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case c == '\n':
				buf.WriteString(`\n`)
			case c == '\r':
				buf.WriteString(`\r`)
			case c == '\t':
				buf.WriteString(`\t`)
			case c < 0x20:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xF])
			default:
				buf.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xF])
		default:
			buf.WriteString(s[i : i+size])
		}
		i += size
	}
	buf.WriteByte('"')
}

// decode: json.decode(text) -> value, err
// Objects become tables with keys inserted in sorted order, arrays become
// sequences (an empty one marked as json.array), null becomes json.null in
// arrays and at the top and is left out of objects, and integers beyond
// 2^53 become strings of their digits.
func (m *JSON) decode(L *lua.LState, null *lua.LUserData, arrayMeta *lua.LTable) int {
	text := L.CheckString(1)
	if L.GetTop() > 1 {
		L.ArgError(2, "json.decode takes no options")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if rest := text[dec.InputOffset():]; strings.TrimSpace(rest) != "" {
			err = fmt.Errorf("unexpected text after the value at offset %d", dec.InputOffset())
		}
	}
	if err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			err = fmt.Errorf("%v (at offset %d)", syn, syn.Offset)
		case strings.TrimSpace(text) == "":
			err = errors.New("the text is empty, not JSON")
		case errors.Is(err, io.ErrUnexpectedEOF):
			err = fmt.Errorf("the text ends in the middle of a value (%d bytes read)", len(text))
		}
		return pushError(L, "json.decode", err)
	}
	L.Push(decodedToLua(L, v, null, arrayMeta))
	return 1
}

// decodedToLua is ToLua with JSON's own two needs: null as json.null, and
// empty arrays marked so they stay arrays.
func decodedToLua(L *lua.LState, v any, null *lua.LUserData, arrayMeta *lua.LTable) lua.LValue {
	switch v := v.(type) {
	case nil:
		return null
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, decodedToLua(L, e, null, arrayMeta))
		}
		if len(v) == 0 {
			t.Metatable = arrayMeta
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		for _, k := range sortedKeys(v) {
			if e := v[k]; e != nil {
				t.RawSetString(k, decodedToLua(L, e, null, arrayMeta))
			}
		}
		return t
	}
	return ToLua(L, v)
}

// array: json.array([t]) -> t
// Marks t (or a new empty table) as an array, so that it encodes as `[]`
// when empty. A table that already has another metatable is refused.
func (m *JSON) array(L *lua.LState, arrayMeta *lua.LTable) int {
	t := L.OptTable(1, nil)
	if t == nil {
		t = L.NewTable()
	}
	if t.Metatable != lua.LNil && t.Metatable != arrayMeta && !isMarkedArray(t) {
		L.ArgError(1, "the table already has a metatable; add __json_array = true to it instead")
	}
	if t.Metatable == lua.LNil {
		t.Metatable = arrayMeta
	}
	L.Push(t)
	return 1
}
