package runtime

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// replRows is how many rows of a list the REPL prints.
const replRows = 20

// format renders one result the way the REPL shows it. Tables go through
// stdlib pretty.format (an aligned table for a list of records, a row
// limit, cycles marked); everything else, and a table with __tostring,
// prints as print would show it, so a string is not quoted at the top. If
// pretty fails on a value, tostring's form is shown rather than nothing.
func (r *repl) format(v lua.LValue) string {
	L := r.s.L
	t, ok := v.(*lua.LTable)
	if !ok || L.GetMetaField(t, "__tostring") != lua.LNil {
		return luaToText(L, v)
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
	return L.ToStringMeta(v).String()
}

// prettyFormat is pretty.format from the embedded stdlib, required on
// first use. It is nil only if requiring it failed, which a broken build
// would cause; the REPL then still prints tostring's form.
func (r *repl) prettyFormat() lua.LValue {
	if r.prettyLoaded {
		return r.pretty
	}
	r.prettyLoaded = true
	L := r.s.L
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
