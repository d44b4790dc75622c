package bindings

import (
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// StrictMeta is a metatable whose __index raises for a name t does not
// hold, naming the closest ones: tables.sortby(...) then says `tables has
// no "sortby"; did you mean "sort_by"?` instead of failing later as
// "attempt to call a non-function object". The runtime gives it to every
// module table that has no metatable of its own; the writer uses it for
// batch methods too.
func StrictMeta(L *lua.LState, what string, t *lua.LTable) *lua.LTable {
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckAny(2).String()
		var names []string
		t.ForEach(func(k, _ lua.LValue) { names = append(names, k.String()) })
		if near := skynamo.SuggestNames(name, names, 3); len(near) > 0 {
			L.RaiseError("%s has no %q%s", what, name, suggestion(near))
		}
		slices.Sort(names)
		L.RaiseError("%s has no %q; it has %s", what, name, strings.Join(names, ", "))
		return 0
	}))
	return meta
}
