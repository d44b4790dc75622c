package bindings

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// ResultRow is one queued write and where it ended, flat, as res.items
// holds it in Lua and as the CSV for a person to approve or fix shows it.
// `skynamo writes failed` builds the same rows from a journal.
type ResultRow struct {
	Index      int
	Entity     string
	Kind       string
	Method     string
	Path       string
	Label      string
	Status     skynamo.ItemStatus
	ID         int64
	Code       string
	RowVersion int64
	Error      string // the detail, joined with "; "
	Body       string // the item as sent (or as it would be), JSON
	Changes    string // for updates: "name: A → B; rate: 15 → 16"
}

// NewResultRow flattens an op and its result.
func NewResultRow(op skynamo.WriteOp, r skynamo.ItemResult) ResultRow {
	return ResultRow{
		Index:      op.Index,
		Entity:     op.Entity,
		Kind:       string(op.Kind),
		Method:     op.Method,
		Path:       op.Path,
		Label:      labelOf(op),
		Status:     r.Status,
		ID:         r.ID,
		Code:       r.Code,
		RowVersion: r.RowVersion,
		Error:      strings.Join(r.Detail, "; "),
		Body:       string(op.Item),
		Changes:    FormatChanges(op.Changes),
	}
}

// FormatChanges writes an update's changes for a person:
// `name: Old → New; rate: 15 → 16`, an empty before as (empty).
func FormatChanges(changes []skynamo.Change) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		before, after := c.Before, c.After
		if before == "" {
			before = "(empty)"
		}
		if after == "" {
			after = "(empty)"
		}
		parts = append(parts, c.Property+": "+before+" → "+after)
	}
	return strings.Join(parts, "; ")
}

// mergeResults puts validation failures and the writer's results together
// in queue order.
func mergeResults(entries []entry, results []skynamo.ItemResult) []ResultRow {
	byIndex := make(map[int]skynamo.ItemResult, len(results))
	for _, r := range results {
		byIndex[r.Index] = r
	}
	rows := make([]ResultRow, 0, len(entries))
	for _, e := range entries {
		r, ok := byIndex[e.op.Index]
		switch {
		case len(e.problems) > 0:
			r = skynamo.ItemResult{Index: e.op.Index, Status: skynamo.StatusFailed, Detail: e.problems}
		case !ok:
			r = skynamo.ItemResult{Index: e.op.Index, Status: skynamo.StatusPending}
		}
		rows = append(rows, NewResultRow(e.op, r))
	}
	return rows
}

// applySummary is what the summary line and the result's counts say.
type applySummary struct {
	counts   map[skynamo.ItemStatus]int
	items    int
	requests int64
	journal  string
	dryRun   bool
}

func summarize(rows []ResultRow, requests int64, journal string, dryRun bool) applySummary {
	s := applySummary{counts: map[skynamo.ItemStatus]int{}, items: len(rows), requests: requests, journal: journal, dryRun: dryRun}
	for _, r := range rows {
		s.counts[r.Status]++
	}
	return s
}

func (s applySummary) applyCounts() ApplyCounts {
	c := s.counts
	return ApplyCounts{Applied: c[skynamo.StatusApplied], Failed: c[skynamo.StatusFailed], Unknown: c[skynamo.StatusUnknown],
		Planned: c[skynamo.StatusPlanned], Pending: c[skynamo.StatusPending]}
}

// line is the one-line summary: `writer: 497 applied, 3 failed, 0 unknown
// in 6 requests (journal skynamo_data/journal/…)`.
func (s applySummary) line() string {
	c := s.counts
	if s.dryRun {
		return fmt.Sprintf("writer: dry run: %d planned, %d failed validation; nothing was sent", c[skynamo.StatusPlanned], c[skynamo.StatusFailed])
	}
	msg := fmt.Sprintf("writer: %d applied, %d failed, %d unknown", c[skynamo.StatusApplied], c[skynamo.StatusFailed], c[skynamo.StatusUnknown])
	if n := c[skynamo.StatusPending]; n > 0 {
		msg += fmt.Sprintf(", %d not sent", n)
	}
	msg += fmt.Sprintf(" in %d requests", s.requests)
	if s.journal != "" {
		msg += fmt.Sprintf(" (journal %s)", s.journal)
	}
	return msg
}

// partialReason is what the host prints when the run exits "partial".
func (s applySummary) partialReason() string {
	c := s.counts
	var parts []string
	if n := c[skynamo.StatusFailed]; n > 0 || c[skynamo.StatusUnknown] == 0 {
		parts = append(parts, fmt.Sprintf("%d failed", n))
	}
	switch n := c[skynamo.StatusUnknown]; {
	case n == 1:
		parts = append(parts, "1 has an unknown outcome")
	case n > 1:
		parts = append(parts, fmt.Sprintf("%d have an unknown outcome", n))
	}
	what := fmt.Sprintf("writer: of %d writes, %s", s.items, strings.Join(parts, " and "))
	switch {
	case s.dryRun:
		what += " validation (dry run)"
	case s.journal != "":
		what += fmt.Sprintf(" (journal %s)", s.journal)
	}
	return what
}

// maxListed is how many failed items the summary prints one per line.
const maxListed = 5

// report prints the summary and the first failed or unknown items.
func (m *Writer) report(s applySummary, rows []ResultRow) {
	m.opt.Logf("%s", s.line())
	listed, more := 0, 0
	for _, r := range rows {
		if r.Status != skynamo.StatusFailed && r.Status != skynamo.StatusUnknown {
			continue
		}
		if listed == maxListed {
			more++
			continue
		}
		listed++
		detail := r.Error
		if r.Status == skynamo.StatusUnknown {
			detail = "outcome unknown: " + detail
		}
		m.opt.Logf("writer: %s", skynamo.ItemError(r.Index, r.Label, []string{detail}))
	}
	if more > 0 {
		m.opt.Logf("writer: … and %d more: res:save_csv(path, {only = \"failed\"}) writes them all", more)
	}
}

// resultToLua builds the table apply returns; res:save_csv lives in its
// metatable so pairs and json.encode see only data.
func resultToLua(L *lua.LState, rows []ResultRow, s applySummary) *lua.LTable {
	res := L.NewTable()
	for _, st := range []skynamo.ItemStatus{skynamo.StatusApplied, skynamo.StatusFailed, skynamo.StatusUnknown, skynamo.StatusPlanned, skynamo.StatusPending} {
		res.RawSetString(string(st), lua.LNumber(s.counts[st]))
	}
	res.RawSetString("requests", lua.LNumber(s.requests))
	if s.journal != "" {
		res.RawSetString("journal", lua.LString(s.journal))
	}
	res.RawSetString("dry_run", lua.LBool(s.dryRun))
	items := L.CreateTable(len(rows), 0)
	for _, r := range rows {
		items.Append(rowToLua(L, r))
	}
	res.RawSetString("items", items)
	meta := L.NewTable()
	meta.RawSetString("__index", L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"save_csv": func(L *lua.LState) int { return saveCSV(L, rows) },
	}))
	L.SetMetatable(res, meta)
	return res
}

func rowToLua(L *lua.LState, r ResultRow) *lua.LTable {
	t := L.CreateTable(0, 13)
	t.RawSetString("index", lua.LNumber(r.Index))
	t.RawSetString("status", lua.LString(r.Status))
	for _, kv := range [][2]string{
		{"entity", r.Entity}, {"kind", r.Kind}, {"method", r.Method}, {"path", r.Path}, {"label", r.Label},
		{"code", r.Code}, {"error", r.Error}, {"body", r.Body}, {"changes", r.Changes},
	} {
		if kv[1] != "" {
			t.RawSetString(kv[0], lua.LString(kv[1]))
		}
	}
	if r.ID != 0 {
		t.RawSetString("id", intToLua(r.ID))
	}
	if r.RowVersion != 0 {
		t.RawSetString("row_version", intToLua(r.RowVersion))
	}
	return t
}

// FailedColumns are the columns `skynamo writes failed` writes.
func FailedColumns() []string {
	return []string{"index", "entity", "kind", "label", "status", "error", "body"}
}

// ResultColumns are the columns res:save_csv writes, in order.
func ResultColumns() []string {
	return []string{"index", "entity", "kind", "label", "status", "id", "code", "row_version", "method", "path", "changes", "error", "body"}
}

// res:save_csv(path, {only = "failed" | {"failed", "unknown"}, excel = false}) -> count, err
// writes the items (or only those with the given statuses) as CSV, one row
// per write, for a person to approve a plan or fix what failed. The file is
// replaced atomically. excel = true adds a BOM, CRLF line ends and defuses
// cells a spreadsheet would run as formulas.
func saveCSV(L *lua.LState, rows []ResultRow) int {
	if _, ok := L.Get(1).(*lua.LTable); !ok {
		L.ArgError(1, "call it with a colon: res:save_csv(path)")
	}
	path := L.CheckString(2)
	opts := newOptions(L, 3, "only", "excel")
	var only []string
	switch v := opts.get("only").(type) {
	case *lua.LNilType:
	case lua.LString:
		only = []string{string(v)}
	default:
		only = opts.stringList("only")
	}
	want := map[skynamo.ItemStatus]bool{}
	for _, s := range only {
		st := skynamo.ItemStatus(s)
		switch st {
		case skynamo.StatusApplied, skynamo.StatusFailed, skynamo.StatusUnknown, skynamo.StatusPlanned, skynamo.StatusPending:
			want[st] = true
		default:
			L.ArgError(3, fmt.Sprintf("only: unknown status %q (applied, failed, unknown, planned, pending)", s))
		}
	}
	excel := opts.bool("excel", false)
	var kept []ResultRow
	for _, r := range rows {
		if len(want) == 0 || want[r.Status] {
			kept = append(kept, r)
		}
	}
	err := writeFileAtomic(path, func(w io.Writer) error {
		return WriteResultsCSV(w, kept, ResultColumns(), excel)
	})
	if err != nil {
		return pushError(L, "save_csv", err)
	}
	L.Push(lua.LNumber(len(kept)))
	return 1
}

// WriteResultsCSV writes rows as CSV with the given columns (names from
// ResultColumns), through the csv module's writer so quoting and the excel
// options are the same as csv.write's.
func WriteResultsCSV(w io.Writer, rows []ResultRow, columns []string, excel bool) error {
	table := &csvTable{columns: columns, rows: make([]map[string]csvCell, len(rows))}
	for i, r := range rows {
		cells := map[string]csvCell{
			"index":   {text: strconv.Itoa(r.Index)},
			"entity":  {text: r.Entity, isText: true},
			"kind":    {text: r.Kind, isText: true},
			"label":   {text: r.Label, isText: true},
			"status":  {text: string(r.Status), isText: true},
			"code":    {text: r.Code, isText: true},
			"method":  {text: r.Method, isText: true},
			"path":    {text: r.Path, isText: true},
			"changes": {text: r.Changes, isText: true},
			"error":   {text: r.Error, isText: true},
			"body":    {text: r.Body, isText: true},
		}
		if r.ID != 0 {
			cells["id"] = csvCell{text: strconv.FormatInt(r.ID, 10)}
		}
		if r.RowVersion != 0 {
			cells["row_version"] = csvCell{text: strconv.FormatInt(r.RowVersion, 10)}
		}
		table.rows[i] = cells
	}
	return table.write(w, csvWriteOptions{delimiter: ',', header: true, bom: excel, neutralize: excel, crlf: excel})
}

// SaveResultsCSV writes rows to path atomically (see WriteResultsCSV).
func SaveResultsCSV(path string, rows []ResultRow, columns []string, excel bool) error {
	return writeFileAtomic(path, func(w io.Writer) error { return WriteResultsCSV(w, rows, columns, excel) })
}
