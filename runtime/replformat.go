package runtime

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// How much of a table the REPL shows: a few entries per table, and nested
// tables one level deep, so a list of 100,000 customers prints as one line
// with the first few customers' fields.
const (
	replMaxItems = 8
	replMaxDepth = 1
)

// replRows is how many rows of a list the REPL prints.
const replRows = 20

// format renders one result: tables through stdlib pretty.format (an
// aligned table for a list of records), everything else as print shows
// it. Until pretty exists, or if it fails on a value, the short form
// below is used.
func (r *repl) format(v lua.LValue) string {
	L := r.s.L
	t, ok := v.(*lua.LTable)
	if !ok || hasToString(L, t) {
		return formatValue(L, v)
	}
	if fn := r.prettyFormat(); fn != nil {
		opts := L.NewTable()
		opts.RawSetString("rows", lua.LNumber(replRows))
		if r.width > 0 {
			opts.RawSetString("width", lua.LNumber(r.width))
		}
		res, err := r.s.call(fn, v, opts)
		if err == nil && len(res) > 0 {
			if s, ok := res[0].(lua.LString); ok {
				return strings.TrimRight(string(s), "\n")
			}
		}
	}
	return formatValue(L, v)
}

// prettyFormat is pretty.format from the stdlib, required once, or nil
// when this build has no pretty module.
func (r *repl) prettyFormat() lua.LValue {
	if r.prettyLoaded {
		return r.pretty
	}
	r.prettyLoaded = true
	L := r.s.L
	pkg, ok := L.G.Global.RawGetString("package").(*lua.LTable)
	if !ok {
		return nil
	}
	preload, ok := pkg.RawGetString("preload").(*lua.LTable)
	if !ok || preload.RawGetString("pretty") == lua.LNil {
		return nil
	}
	res, err := r.s.call(L.G.Global.RawGetString("require"), lua.LString("pretty"))
	if err != nil || len(res) == 0 {
		return nil
	}
	if mod, ok := res[0].(*lua.LTable); ok {
		if fn, ok := mod.RawGetString("format").(*lua.LFunction); ok {
			r.pretty = fn
		}
	}
	return r.pretty
}

// formatValue renders a value for the REPL: strings as they are at the top
// (as lua prints them), tables in short form.
func formatValue(L *lua.LState, v lua.LValue) string {
	if t, ok := v.(*lua.LTable); ok && !hasToString(L, t) {
		return formatTable(L, t, 0)
	}
	return L.ToStringMeta(v).String()
}

func hasToString(L *lua.LState, v lua.LValue) bool {
	return L.GetMetaField(v, "__tostring") != lua.LNil
}

// formatNested renders a value inside a table, where strings are quoted so
// that "1" and 1 differ.
func formatNested(L *lua.LState, v lua.LValue, depth int) string {
	switch v := v.(type) {
	case lua.LString:
		return strconv.Quote(string(v))
	case *lua.LTable:
		if hasToString(L, v) {
			return L.ToStringMeta(v).String()
		}
		if depth > replMaxDepth {
			return "{...}"
		}
		return formatTable(L, v, depth)
	default:
		return L.ToStringMeta(v).String()
	}
}

// formatTable prints the array part in order, then the other keys sorted,
// and says how many entries it left out.
func formatTable(L *lua.LState, t *lua.LTable, depth int) string {
	// The run of non-nil values from 1: gopher-lua's Len can count nil
	// holes in the array part ({[10] = true} has Len 10).
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) {
		if num, ok := k.(lua.LNumber); ok && float64(num) == float64(int(num)) && int(num) >= 1 && int(num) <= n {
			return // shown with the array part
		}
		keys = append(keys, k)
	})
	if n == 0 && len(keys) == 0 {
		return "{}"
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })

	var items []string
	for i := 1; i <= n && len(items) < replMaxItems; i++ {
		items = append(items, formatNested(L, t.RawGetInt(i), depth+1))
	}
	for _, k := range keys {
		if len(items) >= replMaxItems {
			break
		}
		items = append(items, formatKey(k)+" = "+formatNested(L, t.RawGet(k), depth+1))
	}
	if more := n + len(keys) - len(items); more > 0 {
		items = append(items, fmt.Sprintf("... (%d more)", more))
	}
	return "{" + strings.Join(items, ", ") + "}"
}

// keyLess orders string keys alphabetically before numbers, then anything
// else by its printed form, so the same table always prints the same way.
func keyLess(a, b lua.LValue) bool {
	rank := func(v lua.LValue) int {
		switch v.(type) {
		case lua.LString:
			return 0
		case lua.LNumber:
			return 1
		default:
			return 2
		}
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra < rb
	}
	if na, ok := a.(lua.LNumber); ok {
		return na < b.(lua.LNumber)
	}
	return a.String() < b.String()
}

func formatKey(k lua.LValue) string {
	if s, ok := k.(lua.LString); ok {
		if isIdentifier(string(s)) {
			return string(s)
		}
		return "[" + strconv.Quote(string(s)) + "]"
	}
	return "[" + k.String() + "]"
}

func isIdentifier(s string) bool {
	if s == "" || isLuaKeyword(s) {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isLuaKeyword(s string) bool {
	switch s {
	case "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
		"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while":
		return true
	}
	return false
}
