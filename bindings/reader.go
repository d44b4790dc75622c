package bindings

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Reader is the `reader` module: one function per entity
// (reader.customers, reader.orders, …), each returning every record as a
// plain Lua table, plus reader.list for any other list endpoint.
//
// A record's standard properties are its keys, exactly as the API names
// them. Custom fields live in record.custom, keyed by display name; a
// metatable shared by all records of a kind also finds them by identifier
// (custom.credit_limit_r, see skynamo.IdentifierRule), reads a field the
// instance defines but the record leaves empty as nil, and raises for a
// name no form defines, naming the closest ones. pairs, #, json, csv and
// table.sort see ordinary tables.
type Reader struct {
	read    *skynamo.Reader
	onError func(error) string
}

// NewReader builds the module over r. onError turns an expected failure
// (network, quota, auth) into the message the script receives as err; the
// host uses it to remember the Go error, so a script that dies on it exits
// with the right code. nil = err.Error().
func NewReader(r *skynamo.Reader, onError func(error) string) *Reader {
	if onError == nil {
		onError = func(err error) string { return err.Error() }
	}
	return &Reader{read: r, onError: onError}
}

// Loader registers one function per entity, in the entity table's order,
// and reader.list, reader.fields and reader.entities.
func (m *Reader) Loader(L *lua.LState) int {
	mod := L.NewTable()
	for _, e := range skynamo.Entities() {
		mod.RawSetString(e.Name, L.NewFunction(m.entityFunc(e.Name)))
	}
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"list":     m.list,
		"fields":   m.fields,
		"entities": m.entities,
	})
	// reader.custmers() would otherwise fail as "attempt to call a nil value".
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckAny(2).String()
		var names []string
		mod.ForEach(func(k, _ lua.LValue) { names = append(names, k.String()) })
		L.RaiseError("reader has no %q%s", name, suggestion(skynamo.SuggestNames(name, names, 3)))
		return 0
	}))
	L.SetMetatable(mod, meta)
	L.Push(mod)
	return 1
}

// entityFunc makes reader.<entity>(opts) -> {record...}, err
//
//	opts.refresh = true   pull now even if the cache is younger than the refresh interval
//	opts.form = "Name"    completed_forms only: the results of one form (name or id)
func (m *Reader) entityFunc(entity string) lua.LGFunction {
	return func(L *lua.LState) int {
		known := []string{"refresh"}
		if entity == "completed_forms" {
			known = append(known, "form")
		}
		opts := newOptions(L, 1, known...)
		ro := skynamo.ReadOptions{Refresh: opts.bool("refresh", false)}
		if v := opts.get("form"); v != lua.LNil {
			if n, ok := v.(lua.LNumber); ok {
				ro.Form = n.String()
			} else {
				ro.Form = opts.string("form", "")
			}
		}
		out := L.NewTable()
		conv := newRecordConverter(L, entity)
		err := m.read.ReadEach(L.Context(), entity, ro, func(recs []skynamo.Record) {
			for i := range recs {
				out.Append(conv.record(&recs[i]))
			}
		})
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(m.onError(err)))
			return 2
		}
		L.Push(out)
		return 1
	}
}

// reader.list(path, {filters={...}, flags={...}}) -> {record...}, err
// pulls every page of any list endpoint, uncached.
func (m *Reader) list(L *lua.LState) int {
	path := L.CheckString(1)
	opts := newOptions(L, 2, "filters", "flags")
	q := skynamo.ListQuery{Filters: opts.stringList("filters"), Flags: opts.stringList("flags")}
	recs, err := m.read.List(L.Context(), path, q)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(m.onError(err)))
		return 2
	}
	L.Push(recordsToLua(L, path, recs))
	return 1
}

// reader.fields(entity) -> {{name=, ident=, type=, form=, form_id=, id=, required=, labels={...}}...}, err
// lists the custom fields records of entity carry, for discovery in the REPL.
func (m *Reader) fields(L *lua.LState) int {
	entity := L.CheckString(1)
	fs, err := m.read.Fields(L.Context(), entity)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(m.onError(err)))
		return 2
	}
	out := L.NewTable()
	if fs != nil {
		for _, f := range fs.Fields {
			t := L.NewTable()
			t.RawSetString("name", lua.LString(f.Name))
			t.RawSetString("key", lua.LString(f.Key))
			t.RawSetString("ident", lua.LString(f.Ident))
			t.RawSetString("type", lua.LString(f.Type))
			t.RawSetString("id", lua.LNumber(f.ID))
			t.RawSetString("form_id", lua.LNumber(f.FormID))
			t.RawSetString("required", lua.LBool(f.Required))
			if labels := f.Labels(); len(labels) > 0 {
				t.RawSetString("labels", ToLua(L, labels))
			}
			out.Append(t)
		}
	}
	L.Push(out)
	return 1
}

// reader.entities() -> {"customers", "products", ...}
func (m *Reader) entities(L *lua.LState) int {
	L.Push(ToLua(L, skynamo.EntityNames()))
	return 1
}

// recordsToLua converts records, sharing one custom-field metatable per
// FieldSet (completed forms of different forms have different sets).
func recordsToLua(L *lua.LState, what string, recs []skynamo.Record) *lua.LTable {
	conv := newRecordConverter(L, what)
	out := L.CreateTable(len(recs), 0)
	for i := range recs {
		out.RawSetInt(i+1, conv.record(&recs[i]))
	}
	return out
}

// recordConverter turns records into Lua tables, one metatable per FieldSet.
type recordConverter struct {
	L     *lua.LState
	what  string
	metas map[*skynamo.FieldSet]*lua.LTable
}

func newRecordConverter(L *lua.LState, what string) *recordConverter {
	return &recordConverter{L: L, what: what, metas: map[*skynamo.FieldSet]*lua.LTable{}}
}

func (c *recordConverter) record(rec *skynamo.Record) *lua.LTable {
	L := c.L
	t := L.CreateTable(0, len(rec.Props)+1)
	for _, k := range sortedKeys(rec.Props) {
		if v := rec.Props[k]; v != nil {
			t.RawSetString(k, ToLua(L, v))
		}
	}
	if rec.Fields != nil || len(rec.Custom) > 0 {
		custom := ToLua(L, rec.Custom).(*lua.LTable)
		if rec.Fields != nil {
			meta, ok := c.metas[rec.Fields]
			if !ok {
				meta = customMeta(L, c.what, rec.Fields)
				c.metas[rec.Fields] = meta
			}
			L.SetMetatable(custom, meta)
		}
		t.RawSetString("custom", custom)
	}
	return t
}

// customMeta is the metatable of a record's custom table: a lookup by
// identifier or legacy name reads the field's value, an empty field reads
// as nil, and a name no form defines is an error worth stopping for — a
// typo would otherwise read as "empty" in every row of a report.
func customMeta(L *lua.LState, what string, fs *skynamo.FieldSet) *lua.LTable {
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		name := L.CheckAny(2)
		s, ok := name.(lua.LString)
		if !ok {
			L.RaiseError("custom fields are named by strings, not %s", name.Type())
		}
		f, found := fs.Lookup(string(s))
		if !found {
			L.RaiseError("%s has no custom field %q%s", what, string(s), suggestion(fs.Suggest(string(s))))
		}
		L.Push(t.RawGetString(f.Key))
		return 1
	}))
	return meta
}

func suggestion(names []string) string {
	if len(names) == 0 {
		return " (reader.fields lists them)"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "; did you mean " + strings.Join(quoted, ", ") + "?"
}
