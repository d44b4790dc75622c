package bindings

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Writer is the `writer` module: a script queues writes on a batch, each
// checked at once against the spec and the instance's custom fields, then
// applies the batch and gets one result per queued write.
//
//	local writer = require "writer"
//	local batch = writer.batch{batch_size = 100}
//	batch:create("customers", {code = "C9", name = "Nine", custom = {["Customer Type"] = "Wholesale"}})
//	batch:update("customers", customer, {name = "New name", custom = {region = writer.CLEAR}})
//	local res = batch:apply()
//
// An invalid write never raises: it stays in the batch as failed, with its
// problems as the detail, and the others still go. Mistakes in the script
// itself raise: an unknown entity, a kind the entity does not support, an
// argument of the wrong type, an unknown option.
type Writer struct {
	get WriterSource
	opt WriterOptions

	toldDryRun bool // the --dry-run notice is printed once per run
}

// WriterOptions are what the host decides for every batch of the run.
type WriterOptions struct {
	// DryRun is the host's --dry-run: every apply is a dry run, whatever
	// the script asks for.
	DryRun bool
	// Offline is the host's --offline: a real apply is refused (a dry run
	// still plans against the cache).
	Offline bool
	// Logf prints a line on the host's stderr (the apply summary and its
	// failed items); nil = silent.
	Logf func(format string, args ...any)
	// OnPartial hears that an apply ended with failed or unknown items, or
	// stopped early, so the run can exit "partial"; nil = ignored.
	OnPartial func(reason string)
	// Progress hears, during an apply, how many of its writes have their
	// outcome (a host's progress bar); nil = silent. It runs on the Lua
	// goroutine.
	Progress func(done, total int)
	// OnApply hears each apply's counts when it ends, stopped or not (a
	// host's end-of-run summary); nil = ignored.
	OnApply func(ApplyCounts)
}

// ApplyCounts is how the writes of one apply (or, added up, of a run)
// ended.
type ApplyCounts struct {
	Applied, Failed, Unknown int
	Planned                  int // dry run: valid writes that would be sent
	Pending                  int // not sent: the apply stopped first
}

// Add returns the sum of c and o.
func (c ApplyCounts) Add(o ApplyCounts) ApplyCounts {
	return ApplyCounts{Applied: c.Applied + o.Applied, Failed: c.Failed + o.Failed, Unknown: c.Unknown + o.Unknown,
		Planned: c.Planned + o.Planned, Pending: c.Pending + o.Pending}
}

// WriterSource hands the module, when a call first needs the API, the
// reader the reader module uses (for custom field schemas and the "before"
// of updates) and the Go writer that sends the writes; sharing them keeps
// one client, one cache and one request budget for the whole run. The host
// connects there, not at require. An error is raised as a Go error value,
// so the host keeps its exit code and hint.
type WriterSource func() (*skynamo.Reader, *skynamo.Writer, error)

// StaticWriter is the WriterSource of a reader and writer that exist.
func StaticWriter(r *skynamo.Reader, w *skynamo.Writer) WriterSource {
	return func() (*skynamo.Reader, *skynamo.Writer, error) { return r, w, nil }
}

// NewWriter builds the module over what get returns.
func NewWriter(get WriterSource, opt WriterOptions) *Writer {
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	if opt.OnPartial == nil {
		opt.OnPartial = func(string) {}
	}
	if opt.OnApply == nil {
		opt.OnApply = func(ApplyCounts) {}
	}
	return &Writer{get: get, opt: opt}
}

// read connects on first use and returns the shared reader, or raises the
// connection error as a Go error value.
func (m *Writer) read(L *lua.LState) *skynamo.Reader {
	r, _ := m.conn(L)
	return r
}

func (m *Writer) conn(L *lua.LState) (*skynamo.Reader, *skynamo.Writer) {
	r, w, err := m.get()
	if err != nil {
		raiseGoError(L, err)
	}
	return r, w
}

// batchTypeName is the metatable name of batch userdata.
const batchTypeName = "writer.batch"

// Loader registers writer.batch, writer.entities and writer.CLEAR.
func (m *Writer) Loader(L *lua.LState) int {
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"batch":    m.batch,
		"entities": m.entities,
	})
	clear := L.NewUserData()
	clear.Value = skynamo.Clear
	clearMeta := L.NewTable()
	clearMeta.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("writer.CLEAR"))
		return 1
	}))
	clearMeta.RawSetString("__name", lua.LString("writer.CLEAR"))
	L.SetMetatable(clear, clearMeta)
	mod.RawSetString("CLEAR", clear)

	meta := L.NewTypeMetatable(batchTypeName)
	methods := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"create":    m.queue(skynamo.KindCreate),
		"update":    m.queue(skynamo.KindUpdate),
		"replace":   m.queue(skynamo.KindReplace),
		"delete":    m.queue(skynamo.KindDelete),
		"add_field": m.addField,
		"grow_enum": m.growEnum,
		"problems":  m.problems,
		"apply":     m.apply,
	})
	// batch:upsert(...) would otherwise fail as "attempt to call a
	// non-function object", naming nothing.
	L.SetMetatable(methods, StrictMeta(L, "writer batch", methods))
	L.SetField(meta, "__index", methods)
	L.SetField(meta, "__len", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(len(checkBatch(L, 1).entries)))
		return 1
	}))
	L.SetField(meta, "__tostring", L.NewFunction(func(L *lua.LState) int {
		b := checkBatch(L, 1)
		L.Push(lua.LString(fmt.Sprintf("writer.batch (%d writes)", len(b.entries))))
		return 1
	}))
	L.SetMetatable(mod, StrictMeta(L, "writer", mod))
	L.Push(mod)
	return 1
}

// batch is what a batch userdata holds: the queued writes in order.
type batch struct {
	size    int
	entries []entry
	applied bool
	records map[string]*cachedRecords // by entity, for writes naming a record by key
}

// entry is one queued write: the op validation built (Index set) and its
// problems; an entry with problems is never sent.
type entry struct {
	op       skynamo.WriteOp
	problems []string
	req      skynamo.WriteRequest // as queued, for a dry run's second look
	schema   *skynamo.Schema
}

func checkBatch(L *lua.LState, n int) *batch {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if b, ok := ud.Value.(*batch); ok {
			return b
		}
	}
	L.ArgError(n, "a writer batch expected (call its methods with a colon: batch:create(...))")
	return nil
}

// writer.batch{batch_size = 100} -> batch
// batch_size is the most items one request carries (default 100).
func (m *Writer) batch(L *lua.LState) int {
	opts := newOptions(L, 1, "batch_size")
	size := 0
	switch v := opts.get("batch_size").(type) {
	case *lua.LNilType:
	case lua.LNumber:
		if float64(v) != math.Trunc(float64(v)) || v < 1 || v > 100000 {
			L.ArgError(1, "batch_size must be a whole number from 1 to 100000")
		}
		size = int(v)
	default:
		L.ArgError(1, "batch_size must be a number")
	}
	ud := L.NewUserData()
	ud.Value = &batch{size: size}
	L.SetMetatable(ud, L.GetTypeMetatable(batchTypeName))
	L.Push(ud)
	return 1
}

// writer.entities() -> {"customers", "products", ...}
// the entities a batch can write, in apply order.
func (m *Writer) entities(L *lua.LState) int {
	L.Push(ToLua(L, skynamo.WriteTargetNames()))
	return 1
}

// queue makes the four record methods:
//
//	batch:create(entity, values) -> n
//	batch:update(entity, record, changes) -> n
//	batch:replace(entity, values) -> n
//	batch:delete(entity, record) -> n
//
// n is the write's index in the batch (1-based), which results and
// messages use. record is a record read with reader, or just its key
// ({id = 3}, {code = "C001"}, an invoice's {external_id = "INV-9"}, a
// stock level's product/unit/warehouse). values and changes hold standard
// properties by their API names and custom fields in a custom = {...}
// table by display name or identifier; writer.CLEAR empties a field, and
// nil or "" leaves it as it is.
func (m *Writer) queue(kind skynamo.WriteKind) lua.LGFunction {
	return func(L *lua.LState) int {
		b := checkBatch(L, 1)
		target := m.target(L, 2, kind)
		req := skynamo.WriteRequest{Kind: kind, Entity: target.Entity}
		switch kind {
		case skynamo.KindCreate:
			req.Values = tableArg(L, 3, "values")
			noMore(L, 4, "create(entity, values)")
		case skynamo.KindReplace:
			// The key of a replaced record is among its values; the record
			// as it is now comes from the cache, to check what the
			// replace would empty.
			req.Values = tableArg(L, 3, "values")
			noMore(L, 4, "replace(entity, values)")
			req.Record = m.resolveRecord(L, b, target.Entity, keyOf(req.Values))
		case skynamo.KindUpdate:
			req.Record = tableArg(L, 3, "record")
			req.Values = tableArg(L, 4, "changes")
			noMore(L, 5, "update(entity, record, changes)")
			if rec := m.resolveRecord(L, b, target.Entity, req.Record); rec != nil {
				req.Record = rec
			}
		case skynamo.KindDelete:
			req.Record = tableArg(L, 3, "record")
			noMore(L, 4, "delete(entity, record)")
			if rec := m.resolveRecord(L, b, target.Entity, req.Record); rec != nil {
				req.Record = rec
			}
		}
		L.Push(lua.LNumber(m.add(L, b, target, req)))
		return 1
	}
}

// batch:add_field{form = "customers" | form name | form id, name = "Region", type = "SingleSelect"} -> n
// adds a custom field to a form (POST /integrations AddCustomFields):
// form is "customers", "products", "orders", "quotes", "credit_requests"
// (their one active form), a form's name or its id.
func (m *Writer) addField(L *lua.LState) int {
	b := checkBatch(L, 1)
	target := m.targetFor(L, "custom_fields", skynamo.KindAddField)
	values := tableArg(L, 2, "field")
	noMore(L, 3, "add_field{form = ..., name = ..., type = ...}")
	// form is the name the Lua API documents; form_id, the API's, works too.
	if form, ok := values["form"]; ok {
		if _, both := values["form_id"]; both {
			L.ArgError(2, "give form or form_id, not both")
		}
		delete(values, "form")
		values["form_id"] = form
	}
	L.Push(lua.LNumber(m.add(L, b, target, skynamo.WriteRequest{Kind: skynamo.KindAddField, Entity: target.Entity, Values: values})))
	return 1
}

// batch:grow_enum(entity_or_form, field, {"North", "South"}) -> n
// adds labels to an enum custom field (POST /integrations AutoGrowEnums);
// labels it already has are left alone.
func (m *Writer) growEnum(L *lua.LState) int {
	b := checkBatch(L, 1)
	target := m.targetFor(L, "enum_labels", skynamo.KindGrowEnum)
	var form any
	switch v := L.CheckAny(2).(type) {
	case lua.LString:
		form = string(v)
	case lua.LNumber:
		form = int64(v)
	default:
		L.ArgError(2, "an entity, form name or form id expected, got "+v.Type().String())
	}
	field := L.CheckString(3)
	labelsTable := L.CheckTable(4)
	noMore(L, 5, "grow_enum(entity_or_form, field, labels)")
	labels, err := writeValue(labelsTable, "labels")
	if err != nil {
		L.ArgError(4, err.Error())
	}
	if _, ok := labels.([]any); !ok {
		L.ArgError(4, "labels must be an array of strings")
	}
	values := map[string]any{"form_id": form, "field": field, "enums": labels}
	L.Push(lua.LNumber(m.add(L, b, target, skynamo.WriteRequest{Kind: skynamo.KindGrowEnum, Entity: target.Entity, Values: values})))
	return 1
}

// target reads the entity argument at n and checks that it supports kind.
func (m *Writer) target(L *lua.LState, n int, kind skynamo.WriteKind) skynamo.WriteTarget {
	name := L.CheckString(n)
	t, err := skynamo.LookupWriteTarget(name)
	if err != nil {
		L.RaiseError("writer: %v", err)
	}
	checkKind(L, t, kind)
	return t
}

func (m *Writer) targetFor(L *lua.LState, entity string, kind skynamo.WriteKind) skynamo.WriteTarget {
	t, err := skynamo.LookupWriteTarget(entity)
	if err != nil {
		L.RaiseError("writer: %v", err) // a bug of ours, not the script's
	}
	checkKind(L, t, kind)
	return t
}

func checkKind(L *lua.LState, t skynamo.WriteTarget, kind skynamo.WriteKind) {
	if t.Supports(kind) {
		return
	}
	var kinds []string
	for _, k := range t.Kinds {
		kinds = append(kinds, string(k))
	}
	L.RaiseError("writer: %s has no %s (the API offers %s)", t.Entity, kind, strings.Join(kinds, ", "))
}

// add validates req and queues it, whether it is valid or not.
func (m *Writer) add(L *lua.LState, b *batch, t skynamo.WriteTarget, req skynamo.WriteRequest) int {
	if b.applied {
		L.RaiseError("writer: this batch was already applied; make a new batch with writer.batch()")
	}
	var schema *skynamo.Schema
	if needsSchema(t, req.Kind) {
		s, err := m.read(L).Schema(L.Context(), false)
		if err != nil {
			raiseGoError(L, fmt.Errorf("writer: reading the custom field definitions: %w", err))
		}
		schema = s
	}
	op, problems := skynamo.PrepareWrite(req, schema)
	n := len(b.entries) + 1
	op.Index = n
	if op.Entity == "" {
		op.Entity = req.Entity
	}
	if op.Kind == "" {
		op.Kind = req.Kind
	}
	e := entry{op: op, req: req, schema: schema}
	for _, p := range problems {
		if p.Property == "id" && req.Kind != skynamo.KindCreate {
			if miss := b.missing(req); miss != "" {
				// "has no id" would hide the cause: the key named nothing.
				p.Message = miss
			}
		}
		e.problems = append(e.problems, p.Error())
	}
	b.entries = append(b.entries, e)
	return n
}

// needsSchema says whether validating a write to t needs the instance's
// form definitions: records with custom fields, and the /integrations
// writes. Entities without custom fields validate without a request.
func needsSchema(t skynamo.WriteTarget, kind skynamo.WriteKind) bool {
	return t.CustomFields || kind == skynamo.KindAddField || kind == skynamo.KindGrowEnum
}

// batch:problems() -> {"item 3 (customer code \"C3\"): name: required property missing", ...}
// one line per invalid write, in queue order; empty when all are valid.
func (m *Writer) problems(L *lua.LState) int {
	b := checkBatch(L, 1)
	out := L.NewTable()
	for _, e := range b.entries {
		if len(e.problems) > 0 {
			out.Append(lua.LString(skynamo.ItemError(e.op.Index, labelOf(e.op), e.problems)))
		}
	}
	L.Push(out)
	return 1
}

// labelOf names a write in messages, also when validation could not work
// out its key.
func labelOf(op skynamo.WriteOp) string {
	if op.Label != "" {
		return op.Label
	}
	return fmt.Sprintf("%s %s", op.Entity, op.Kind)
}

// batch:apply{dry_run = false, resend_unknown = false} -> result
//
//	dry_run         send nothing; every valid write is "planned" and the
//	                result holds each one's method, path, body and, for
//	                updates, the before → after of what changes. The host's
//	                --dry-run makes every apply a dry run.
//	resend_unknown  send again the creates whose outcome is unknown and that
//	                have no natural key to look them up by (they may exist)
//
// Invalid and refused writes are failed items in the result, not errors.
// An apply stopped by the quota, the request budget, Ctrl-C or an
// unreachable API raises; its journal keeps the state for
// `skynamo writes resume`. A batch is applied once.
func (m *Writer) apply(L *lua.LState) int {
	b := checkBatch(L, 1)
	opts := newOptions(L, 2, "dry_run", "resend_unknown")
	dryRun := opts.bool("dry_run", false)
	resend := opts.bool("resend_unknown", false)
	if b.applied {
		L.RaiseError("writer: this batch was already applied; make a new batch with writer.batch()")
	}
	if m.opt.DryRun && !dryRun {
		dryRun = true
		if !m.toldDryRun {
			m.toldDryRun = true
			m.opt.Logf("writer: --dry-run: nothing is sent; apply returns the plan")
		}
	}
	if m.opt.Offline && !dryRun {
		L.RaiseError("writer: --offline sends no request, so a batch cannot be applied; use apply{dry_run = true} or --dry-run for the plan")
	}
	b.applied = true

	// Invalid writes go to Apply too, marked so: the journal then lists
	// them, and `skynamo writes failed` exports them with the refusals.
	ops := make([]skynamo.WriteOp, 0, len(b.entries))
	invalid := map[int][]string{}
	for _, e := range b.entries {
		op := e.op
		if len(e.problems) > 0 {
			invalid[op.Index] = e.problems
			op.Label = labelOf(op)
		}
		ops = append(ops, op)
	}
	var res skynamo.ApplyResult
	var stop error
	if len(ops) > 0 {
		_, w := m.conn(L)
		res, stop = w.Apply(L.Context(), ops, skynamo.ApplyOptions{BatchSize: b.size, DryRun: dryRun, ResendUnknown: resend,
			Invalid: invalid, Progress: m.opt.Progress})
	}
	rows := mergeResults(b.entries, res.Items)
	sum := summarize(rows, res.Requests, res.Journal, dryRun)
	m.opt.OnApply(sum.applyCounts())
	m.report(sum, rows)
	if stop != nil {
		err := &ApplyStopError{Err: stop, Journal: res.Journal, Pending: sum.counts[skynamo.StatusPending], Items: len(rows)}
		m.opt.OnPartial(err.Error())
		raiseGoError(L, err)
	}
	if n := sum.counts[skynamo.StatusFailed] + sum.counts[skynamo.StatusUnknown]; n > 0 {
		m.opt.OnPartial(sum.partialReason())
	}
	L.Push(resultToLua(L, rows, sum))
	return 1
}

// ApplyStopError is an apply that stopped before every write was sent:
// the quota, the request budget, Ctrl-C or an unreachable API. It unwraps
// to the cause, so the host exits with the cause's code.
type ApplyStopError struct {
	Err     error
	Journal string
	Pending int // writes not sent
	Items   int // writes in the batch
}

func (e *ApplyStopError) Error() string {
	msg := fmt.Sprintf("writer: apply stopped with %d of %d writes not sent: %v", e.Pending, e.Items, e.Err)
	if e.Journal != "" {
		msg += fmt.Sprintf("; the journal %s keeps what was done, and `skynamo writes resume` finishes it", e.Journal)
	}
	return msg
}

func (e *ApplyStopError) Unwrap() error { return e.Err }

// Hint says how to finish the job.
func (e *ApplyStopError) Hint() string {
	if errors.Is(e.Err, context.Canceled) {
		return "run `skynamo writes status` to see what was sent and `skynamo writes resume` to finish"
	}
	return "`skynamo writes status` shows what was sent; `skynamo writes resume` finishes without sending anything twice"
}

// raiseGoError raises err as a Lua error that keeps the Go error, so the
// host can still tell its exit code (see runtime's errorText).
func raiseGoError(L *lua.LState, err error) {
	ud := L.NewUserData()
	ud.Value = err
	// A script that catches it with pcall prints the message, not
	// "userdata: 0x…".
	meta := L.NewTable()
	meta.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(err.Error()))
		return 1
	}))
	L.SetMetatable(ud, meta)
	L.Error(ud, 1)
}

// noMore raises when a call passes more arguments than the method takes,
// which usually means a table was meant (update's changes as a 4th table).
func noMore(L *lua.LState, n int, usage string) {
	if L.GetTop() >= n && L.Get(n) != lua.LNil {
		L.ArgError(n, "too many arguments; usage: batch:"+usage)
	}
}

// tableArg converts the table argument n into the map a WriteRequest holds.
func tableArg(L *lua.LState, n int, what string) map[string]any {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		L.ArgError(n, fmt.Sprintf("%s must be a table, not %s", what, L.Get(n).Type()))
	}
	v, err := writeValue(t, what)
	if err != nil {
		L.ArgError(n, err.Error())
	}
	m, ok := v.(map[string]any)
	if !ok {
		if _, isArray := v.([]any); isArray {
			L.ArgError(n, what+" must be a table of properties by name, not an array")
		}
		m = map[string]any{}
	}
	return m
}

// writeValue converts a Lua value to what a WriteRequest holds. Like ToGo
// it reads tables raw (a record's custom table has a metatable that raises
// for unknown names; its real contents are what was read), integral
// numbers become int64 and others float64, and nil is absent. Unlike ToGo,
// writer.CLEAR becomes skynamo.Clear, and json.null is refused: it looks
// like "clear" but the API does not clear with null.
func writeValue(v lua.LValue, path string) (any, error) {
	w := walker{visiting: map[*lua.LTable]bool{}, userdata: writeUserdata}
	return w.toGo(v, path)
}

func writeUserdata(u *lua.LUserData, path string) (any, bool, error) {
	if _, ok := u.Value.(skynamo.ClearValue); ok {
		return skynamo.Clear, true, nil
	}
	if IsNull(u) {
		return nil, true, fmt.Errorf("%s: json.null does not clear a value; leave it out to keep it, or use writer.CLEAR to empty it", path)
	}
	return nil, true, fmt.Errorf("%s: cannot write a %s", path, u.Type())
}
