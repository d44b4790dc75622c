package bindings

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Reader is the `reader` module: one function per entity
// (reader.customers, reader.orders, …), each returning every record as a
// Lua table, plus reader.list for any other list endpoint.
//
// A record's standard properties are its keys, exactly as the API names
// them; the records of one read share a metatable that raises for a slip
// of a property's name (recordMeta, or projectedMeta with fields). Custom fields live in record.custom, keyed by display name; a
// metatable shared by all records of a kind also finds them by identifier
// (custom.credit_limit_r, see skynamo.IdentifierRule), reads a field the
// instance defines but the record leaves empty as nil, and raises for a
// name no form defines, naming the closest ones. pairs, #, json, csv and
// table.sort see ordinary tables.
type Reader struct {
	get     ReaderSource
	onError func(error) string
}

// ReaderSource hands the module its skynamo.Reader when a function first
// needs the API. The host connects there, not at require: a script that
// requires reader at the top and then only answers --help needs no config.
// An error (a bad config, an unreadable cache folder) is raised as a Go
// error value, so the host keeps its exit code and hint.
type ReaderSource func() (*skynamo.Reader, error)

// StaticReader is the ReaderSource of a reader that already exists.
func StaticReader(r *skynamo.Reader) ReaderSource {
	return func() (*skynamo.Reader, error) { return r, nil }
}

// NewReader builds the module over the reader get returns. onError turns
// an expected failure (network, quota, auth) into the message the script
// receives as err; the host uses it to remember the Go error, so a script
// that dies on it exits with the right code. nil = err.Error().
func NewReader(get ReaderSource, onError func(error) string) *Reader {
	if onError == nil {
		onError = func(err error) string { return err.Error() }
	}
	return &Reader{get: get, onError: onError}
}

// read connects on first use and returns the reader, or raises the
// connection error as a Go error value.
func (m *Reader) read(L *lua.LState) *skynamo.Reader {
	r, err := m.get()
	if err != nil {
		raiseGoError(L, err)
	}
	return r
}

// Loader registers one function per entity, in the entity table's order,
// and reader.list, reader.fields and reader.entities. Nothing connects
// here: the entity functions are known without the API.
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
	L.SetMetatable(mod, StrictMeta(L, "reader", mod))
	L.Push(mod)
	return 1
}

// entityFunc makes reader.<entity>(opts) -> {record...}, err
//
//	opts.refresh = true   pull now even if the cache is younger than the refresh interval
//	opts.form = "Name"    completed_forms only: the results of one form (name or id)
//	opts.fields = {...}   only these properties: names like "code", "custom"
//	                      (every custom field) or "custom.Credit Limit (R)";
//	                      a 100,000-record report then holds a fraction of
//	                      the memory
func (m *Reader) entityFunc(entity string) lua.LGFunction {
	return func(L *lua.LState) int {
		known := []string{"refresh", "fields"}
		if entity == "completed_forms" {
			known = append(known, "form")
		}
		opts := newOptions(L, 1, known...)
		proj, err := m.projection(L, entity, opts.stringList("fields"))
		if err != nil {
			// Loading the field names failed (network, quota, auth): an
			// expected failure like the read itself, so nil, err and the
			// host keeps its exit code and hint.
			L.Push(lua.LNil)
			L.Push(lua.LString(m.onError(err)))
			return 2
		}
		ro := skynamo.ReadOptions{Refresh: opts.bool("refresh", false)}
		if v := opts.get("form"); v != lua.LNil {
			if n, ok := v.(lua.LNumber); ok {
				ro.Form = n.String()
			} else {
				ro.Form = opts.string("form", "")
			}
		}
		if proj != nil {
			ro.Project = &skynamo.Projection{Props: proj.props, CustomKeys: proj.customKeys, AllCustom: proj.allCustom}
		}
		out := L.NewTable()
		conv := newRecordConverter(L, entity)
		conv.proj = proj
		if e, err := skynamo.LookupEntity(entity); err == nil && proj == nil {
			conv.meta = recordMeta(L, e)
		}
		err = m.read(L).ReadEach(L.Context(), entity, ro, func(recs []skynamo.Record) {
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
	recs, err := m.read(L).List(L.Context(), path, q)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(m.onError(err)))
		return 2
	}
	L.Push(recordsToLua(L, path, recs))
	return 1
}

// reader.fields(entity) -> {{name=, ident=, type=, form=, form_id=, id=, required=, labels={...}}...}, err
// lists the custom fields records of entity carry, for discovery in the REPL;
// for completed_forms, the fields of every form in form order (reader_forms.go).
func (m *Reader) fields(L *lua.LState) int {
	entity := L.CheckString(1)
	if entity == "completed_forms" {
		return m.completedFormFields(L)
	}
	// A misspelt entity is the script's mistake, as reader.custmers() is:
	// it raises, where a failure to pull the fields returns nil, err.
	if _, err := skynamo.LookupEntity(entity); err != nil {
		L.ArgError(1, err.Error())
	}
	fs, err := m.read(L).Fields(L.Context(), entity)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(m.onError(err)))
		return 2
	}
	out := L.NewTable()
	if fs != nil {
		for _, f := range fs.Fields {
			out.Append(fieldTable(L, f, ""))
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
	L        *lua.LState
	what     string
	metas    map[*skynamo.FieldSet]*lua.LTable
	proj     *projection // nil: every property
	projMeta *lua.LTable // the projection's record metatable, built once
	meta     *lua.LTable // without a projection: recordMeta, or nil (reader.list)
}

func newRecordConverter(L *lua.LState, what string) *recordConverter {
	return &recordConverter{L: L, what: what, metas: map[*skynamo.FieldSet]*lua.LTable{}}
}

func (c *recordConverter) record(rec *skynamo.Record) *lua.LTable {
	L := c.L
	if c.proj != nil {
		return c.projected(rec)
	}
	t := L.CreateTable(0, len(rec.Props)+1)
	if c.meta != nil {
		L.SetMetatable(t, c.meta)
	}
	for _, k := range sortedKeys(rec.Props) {
		if v := rec.Props[k]; v != nil {
			t.RawSetString(k, ToLua(L, v))
		}
	}
	if rec.Fields != nil || len(rec.Custom) > 0 {
		t.RawSetString("custom", c.custom(rec, rec.Custom, nil))
	}
	return t
}

// custom builds a record's custom table from values, with the metatable of
// its FieldSet (loaded: the fields a projection kept; nil = all).
func (c *recordConverter) custom(rec *skynamo.Record, values map[string]any, loaded map[string]bool) *lua.LTable {
	custom := ToLua(c.L, values).(*lua.LTable)
	if rec.Fields != nil {
		meta, ok := c.metas[rec.Fields]
		if !ok {
			meta = customMeta(c.L, c.what, rec.Fields, loaded)
			c.metas[rec.Fields] = meta
		}
		c.L.SetMetatable(custom, meta)
	}
	return custom
}

// projected is record with only the properties and custom fields asked
// for, under the projection's one metatable (projectedMeta), so a property
// left out raises when read instead of reading as empty. Setting it is the
// only per-record cost a projection adds to a read (one pointer store),
// as recordMeta is for a whole read.
func (c *recordConverter) projected(rec *skynamo.Record) *lua.LTable {
	L, p := c.L, c.proj
	if c.projMeta == nil {
		c.projMeta = projectedMeta(L, p)
	}
	t := L.CreateTable(0, len(p.props)+1)
	L.SetMetatable(t, c.projMeta)
	for _, k := range p.props {
		if v := rec.Props[k]; v != nil {
			t.RawSetString(k, ToLua(L, v))
		}
	}
	switch {
	case p.allCustom:
		t.RawSetString("custom", c.custom(rec, rec.Custom, nil))
	case len(p.customKeys) > 0:
		values := make(map[string]any, len(p.customKeys))
		for _, k := range p.customKeys {
			if v, ok := rec.Custom[k]; ok {
				values[k] = v
			}
		}
		t.RawSetString("custom", c.custom(rec, values, p.loaded))
	}
	return t
}

// projection is the fields option of a reader call.
type projection struct {
	entity     string          // its plural name, for messages: "customers"
	props      []string        // standard properties, in the order asked
	allCustom  bool            // "custom": every custom field
	customKeys []string        // "custom.X": these fields (by Field.Key)
	loaded     map[string]bool // customKeys as a set
	known      []string        // every property name the entity has, and "custom"
}

// projectedMeta is the metatable of the records of one projected read.
// __index runs only for a key the record does not hold: a property that
// was loaded but the API sent as null reads as nil; a property of the
// entity that the fields option left out, or a name the entity does not
// have at all, raises — a projected read is already strict about names,
// and a left-out column reading as empty would be a silent wrong report.
// pairs, next, rawget, json and csv see the loaded keys only and never
// reach __index. __names lists the loaded properties for the REPL's Tab
// completion.
func projectedMeta(L *lua.LState, p *projection) *lua.LTable {
	loaded := make(map[string]bool, len(p.props)+1)
	names := L.CreateTable(len(p.props)+1, 0)
	for _, k := range p.props {
		loaded[k] = true
		names.Append(lua.LString(k))
	}
	if p.allCustom || len(p.customKeys) > 0 {
		loaded["custom"] = true
		names.Append(lua.LString("custom"))
	}
	known := make(map[string]bool, len(p.known))
	for _, k := range p.known {
		known[k] = true
	}
	slips := newSlipCache(p.known)
	meta := L.NewTable()
	meta.RawSetString("__names", names)
	meta.RawSetString("__newindex", slips.newindex(L))
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		s, ok := L.CheckAny(2).(lua.LString)
		name := string(s)
		switch {
		case !ok || loaded[name]:
			// A number key (ipairs, #) or a loaded property sent as null.
			L.Push(lua.LNil)
			return 1
		case name == "custom":
			L.RaiseError("custom fields were not loaded: add \"custom\" or \"custom.NAME\" to the fields option")
		case known[name]:
			L.RaiseError("property %q was not loaded: add %q to the fields option", name, name)
		default:
			// A near miss of a property is a typo worth stopping for; any
			// other name is the script's own (r.flagged = true on some
			// records, read as nil on the others).
			if near := slips.of(name); len(near) > 0 {
				L.RaiseError("%s have no property %q%s", p.entity, name, suggestion(near))
			}
			L.Push(lua.LNil)
			return 1
		}
		return 0
	}))
	return meta
}

// recordProperties names the standard properties a record of e may hold:
// the spec's, without the raw custom_fields the reader turns into custom,
// plus the rep the reader adds to orders, quotes and credit requests.
func recordProperties(e skynamo.Entity) []string {
	var names []string
	for _, name := range e.Properties {
		if name != "custom_fields" || skynamo.CustomFieldsArePlain(e.Name) {
			names = append(names, name)
		}
	}
	if _, tx := skynamo.EntityFormType(e.Name); tx {
		names = append(names, "user_id", "user_name")
	}
	return names
}

// recordMeta is the metatable of the records of a whole (not projected)
// read. __index runs only for a key the record does not hold: a property
// the API sent as null, or a key of the script's own that this record was
// not given, reads as nil; a name one slip away from a property (c.nmae,
// o.totl_amount, c.Name) raises with the closest ones, since it would
// otherwise read as empty in every row of a report. pairs, next, rawget,
// json and csv never reach it, and reading a present property costs
// nothing. __names lists the properties for the REPL's Tab completion.
func recordMeta(L *lua.LState, e skynamo.Entity) *lua.LTable {
	props := recordProperties(e)
	names := L.CreateTable(len(props), 0)
	for _, k := range props {
		names.Append(lua.LString(k))
	}
	slips := newSlipCache(append(props, "custom")) // r.custm is a slip too
	meta := L.NewTable()
	meta.RawSetString("__names", names)
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		if s, ok := L.CheckAny(2).(lua.LString); ok {
			if near := slips.of(string(s)); len(near) > 0 {
				L.RaiseError("%s have no property %q%s", e.Name, string(s), suggestion(near))
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	meta.RawSetString("__newindex", slips.newindex(L))
	return meta
}

// slipCache answers "is this name a slip of a property?" for __index,
// which runs for every null property a loop reads: a property is known at
// once, and each other name is judged once per read, not once per record.
// A Lua state runs one goroutine, so the map needs no lock.
type slipCache struct {
	known   []string
	props   map[string]bool
	verdict map[string][]string // name -> the properties it is a slip of (nil: none)
}

func newSlipCache(known []string) *slipCache {
	c := &slipCache{known: known, props: make(map[string]bool, len(known)), verdict: map[string][]string{}}
	for _, k := range known {
		c.props[k] = true
	}
	return c
}

func (c *slipCache) of(name string) []string {
	if c.props[name] {
		return nil
	}
	near, seen := c.verdict[name]
	if !seen {
		near = skynamo.TypoOf(name, c.known)
		if len(c.verdict) < maxSlipVerdicts {
			c.verdict[name] = near
		}
	}
	return near
}

// newindex is the records' __newindex: it stores the key as a plain
// assignment would, and a name the script sets on any record of the read
// is its own from then on, never a slip (c.miles set on the customers
// with a route reads as nil on the others, though it is one letter from
// files). It runs only when a record gets a key it did not hold.
func (c *slipCache) newindex(L *lua.LState) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		t, k, v := L.CheckTable(1), L.CheckAny(2), L.Get(3)
		switch k := k.(type) {
		case *lua.LNilType:
			L.RaiseError("table index is nil")
		case lua.LNumber:
			if math.IsNaN(float64(k)) {
				L.RaiseError("table index is NaN")
			}
		case lua.LString:
			c.verdict[string(k)] = nil // own keys are few: not bounded
		}
		t.RawSet(k, v)
		return 0
	})
}

// maxSlipVerdicts bounds the cache for a script that uses records as maps
// with ever new keys; past it, names are judged each time.
const maxSlipVerdicts = 10_000

// projection reads the fields option, refusing names the entity does not
// have (with the closest ones), so a typo is not an empty column. The error
// it returns is a failure to load the field names, which the caller hands
// to the script as nil, err.
func (m *Reader) projection(L *lua.LState, entity string, fields []string) (*projection, error) {
	if fields == nil {
		return nil, nil
	}
	e, err := skynamo.LookupEntity(entity)
	if err != nil {
		L.RaiseError("%v", err)
	}
	names := recordProperties(e)
	props := make(map[string]bool, len(names))
	for _, name := range names {
		props[name] = true
	}
	p := &projection{entity: e.Name, loaded: map[string]bool{}, known: append(names, "custom")}
	var fs *skynamo.FieldSet
	for _, name := range fields {
		switch {
		case name == "custom":
			p.allCustom = true
		case strings.HasPrefix(name, "custom."):
			if fs == nil {
				if fs, err = m.read(L).Fields(L.Context(), e.Name); err != nil {
					return nil, err
				}
				if fs == nil {
					L.ArgError(1, fmt.Sprintf("%s have no custom fields", e.Name))
				}
			}
			field := strings.TrimPrefix(name, "custom.")
			f, ok := fs.Lookup(field)
			if !ok {
				L.ArgError(1, fmt.Sprintf("fields: %s have no custom field %q%s", e.Name, field, suggestion(fs.Suggest(field))))
			}
			if !p.loaded[f.Key] {
				p.loaded[f.Key] = true
				p.customKeys = append(p.customKeys, f.Key)
			}
		case props[name]:
			p.props = append(p.props, name)
		default:
			L.ArgError(1, fmt.Sprintf("fields: %s have no property %q%s", e.Name, name, suggestion(skynamo.SuggestNames(name, p.known, 3))))
		}
	}
	return p, nil
}

// customMeta is the metatable of a record's custom table: a lookup by
// identifier or legacy name reads the field's value, an empty field reads
// as nil, and a name no form defines is an error worth stopping for — a
// typo would otherwise read as "empty" in every row of a report.
func customMeta(L *lua.LState, what string, fs *skynamo.FieldSet, loaded map[string]bool) *lua.LTable {
	meta := L.NewTable()
	// __names lists every field the table may hold, set or empty, for the
	// REPL's Tab completion and pretty printers, which read it raw instead
	// of probing names through __index.
	names := L.CreateTable(len(fs.Fields), 0)
	for _, f := range fs.Fields {
		if loaded == nil || loaded[f.Key] {
			names.Append(lua.LString(f.Key))
		}
	}
	meta.RawSetString("__names", names)
	// __fieldset lets Go code (csv's columns) resolve a field's other
	// names the way __index does.
	meta.RawSetString("__fieldset", &lua.LUserData{Value: fs})
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		name := L.CheckAny(2)
		s, ok := name.(lua.LString)
		if !ok {
			L.RaiseError("custom fields are named by strings, not %s", name.Type())
		}
		f, found := fs.Lookup(string(s))
		if !found {
			L.RaiseError("%s have no custom field %q%s", what, string(s), suggestion(fs.Suggest(string(s))))
		}
		if loaded != nil && !loaded[f.Key] {
			L.RaiseError("custom field %q was not loaded: add \"custom.%s\" to the fields option", f.Key, f.Key)
		}
		L.Push(t.RawGetString(f.Key))
		return 1
	}))
	// __newindex runs for a name the table does not hold: a field set by
	// its identifier is stored under its display name (where csv, json
	// and the writer look), and a misspelt one raises as a read does,
	// rather than adding a key no one will read.
	meta.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		s, ok := L.CheckAny(2).(lua.LString)
		if !ok {
			L.RaiseError("custom fields are named by strings, not %s", L.Get(2).Type())
		}
		f, found := fs.Lookup(string(s))
		if !found {
			L.RaiseError("%s have no custom field %q%s", what, string(s), suggestion(fs.Suggest(string(s))))
		}
		t.RawSetString(f.Key, L.Get(3))
		return 0
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

// fieldSetOf returns the FieldSet of a record's custom table, nil for any
// other table.
func fieldSetOf(t *lua.LTable) *skynamo.FieldSet {
	meta, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return nil
	}
	ud, ok := meta.RawGetString("__fieldset").(*lua.LUserData)
	if !ok {
		return nil
	}
	fs, _ := ud.Value.(*skynamo.FieldSet)
	return fs
}
