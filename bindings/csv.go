package bindings

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
	"skynamo/skynamo/fsutil"
)

// CSV is the `csv` module: reports out, spreadsheets in.
//
// How rows become columns (csv.write, csv.encode):
//   - Columns are opts.columns first, in that order, then every other name
//     found in any row, sorted (whole-number names numerically, so the
//     columns of array rows stay 1, 2, ..., 10). A name in opts.columns that
//     no row has but that prefixes nested names ("custom") stands for all of
//     them, sorted, at that place; a name nothing matches is an empty column.
//     Columns are first looked up on row 1 through the reader's metatables
//     (checkColumns): on records, a misspelt name raises and a custom
//     field's identifier names its display-name column.
//   - Nested tables are flattened with dotted names: custom["Credit Limit (R)"]
//     is the column `custom.Credit Limit (R)`, location.latitude is
//     `location.latitude`, an address field is `custom.Delivery Address.city`.
//     An empty nested table gives no column.
//   - An array of plain values is one cell, its values joined with "; "
//     (`Retail; Wholesale`); an array holding tables is one cell of compact
//     JSON text. An empty json.array() is an empty cell.
//   - Numbers are written as plain integers when whole (12345678901), else
//     in their shortest exact form; NaN and infinities as NaN, Inf, -Inf.
//     Booleans are true and false; json.null is an empty cell.
//   - Tables are read raw, so a record's custom table whose __index raises
//     for unknown names is safe to write.
type CSV struct{}

// NewCSV builds the module; it has no dependencies.
func NewCSV() *CSV { return &CSV{} }

// Loader registers the module's functions.
func (m *CSV) Loader(L *lua.LState) int {
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"write":  m.write,
		"encode": m.encode,
		"read":   m.read,
		"decode": m.decode,
	})
	L.Push(mod)
	return 1
}

// csvWriteOptions are the options of csv.write and csv.encode:
//
//	columns    {"code", "name", "custom"}: these first, in this order
//	only       true: write just the columns named in columns, nothing else
//	delimiter  one character, default ","; "\t" and ";" are common
//	header     write the column names first (default true)
//	bom        start with a UTF-8 byte order mark, so Excel reads UTF-8
//	neutralize prefix ' to text cells starting with = + - @, tab or CR, so a
//	           spreadsheet shows them instead of running them as formulas
//	           (numbers are left alone; text such as "+27 11 555" is not)
//	crlf       end lines with CRLF instead of LF (default false: LF suits
//	           scripts, diffs and Excel alike)
//	excel      true: bom, neutralize and crlf all default to true
type csvWriteOptions struct {
	columns    []string
	only       bool
	delimiter  rune
	header     bool
	bom        bool
	neutralize bool
	crlf       bool
}

func readWriteOptions(L *lua.LState, n int) csvWriteOptions {
	o := newOptions(L, n, "columns", "only", "delimiter", "header", "bom", "neutralize", "crlf", "excel")
	excel := o.bool("excel", false)
	only := o.bool("only", false)
	columns := o.stringList("columns")
	if only && len(columns) == 0 {
		o.L.ArgError(o.n, "only = true needs the columns to write")
	}
	return csvWriteOptions{
		columns:    columns,
		only:       only,
		delimiter:  readDelimiter(o),
		header:     o.bool("header", true),
		bom:        o.bool("bom", excel),
		neutralize: o.bool("neutralize", excel),
		crlf:       o.bool("crlf", excel),
	}
}

func readDelimiter(o options) rune {
	d := o.string("delimiter", ",")
	r, size := utf8.DecodeRuneInString(d)
	if size == 0 || size != len(d) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		o.L.ArgError(o.n, `delimiter must be one character other than a quote or a line break, e.g. ";" or "\t"`)
	}
	return r
}

// write: csv.write(path, rows, opts) -> count, err
// Writes rows (an array of tables) to path and returns how many rows were
// written. Parent folders are created. The text goes to a temporary file
// in the same folder that is renamed over path at the end, so a crash or
// an error never leaves a half-written report behind.
func (m *CSV) write(L *lua.LState) int {
	path := L.CheckString(1)
	rows := L.CheckTable(2)
	opts := readWriteOptions(L, 3)
	opts.columns = checkColumns(L, 3, rows, opts.columns)
	table, err := flattenRows(rows, opts.columns, opts.only)
	if err != nil {
		return pushError(L, "csv.write", err)
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { return table.write(w, opts) }); err != nil {
		return pushError(L, "csv.write", err)
	}
	L.Push(lua.LNumber(len(table.rows)))
	return 1
}

// encode: csv.encode(rows, opts) -> text, err
// The text csv.write would write.
func (m *CSV) encode(L *lua.LState) int {
	rows := L.CheckTable(1)
	opts := readWriteOptions(L, 2)
	opts.columns = checkColumns(L, 2, rows, opts.columns)
	table, err := flattenRows(rows, opts.columns, opts.only)
	if err != nil {
		return pushError(L, "csv.encode", err)
	}
	var buf bytes.Buffer
	if err := table.write(&buf, opts); err != nil {
		return pushError(L, "csv.encode", err)
	}
	L.Push(lua.LString(buf.String()))
	return 1
}

// checkColumns looks each requested column up on the rows through the
// reader's metatables, as a script reading row.a.b would: a misspelt
// property or custom field raises (naming the closest) instead of
// becoming a column empty in every row, and a custom field named by its
// identifier ("custom.credit_limit_r") becomes its display-name column,
// the name the cells are flattened under. A column is looked up on the
// rows in turn until one has it or has its custom fields (after a left
// join the first rows may have no right side), at most columnCheckRows
// of them. Rows the script built itself have no metatables, and their
// columns pass as they are.
func checkColumns(L *lua.LState, n int, rows *lua.LTable, columns []string) []string {
	if len(columns) == 0 {
		return columns
	}
	out := make([]string, len(columns))
	for i, col := range columns {
		out[i] = col
		for r := 1; r <= min(rows.Len(), columnCheckRows); r++ {
			row, ok := rows.RawGetInt(r).(*lua.LTable)
			if !ok {
				continue
			}
			canonical, reached, err := lookUpColumn(L, row, col)
			if err != nil {
				L.ArgError(n, fmt.Sprintf("columns: %v", err))
			}
			if reached {
				out[i] = canonical
				break
			}
		}
	}
	return out
}

// columnCheckRows bounds checkColumns for a column no row has.
const columnCheckRows = 1000

// lookUpColumn walks col's dotted steps from row and returns the column's
// canonical name, and whether the walk reached a value or a custom table
// (which settles the name). In a custom table the step is the longest
// run of the remaining steps that names a field, so both
// "custom.No. of staff" and "custom.Delivery Address.city" work.
func lookUpColumn(L *lua.LState, row *lua.LTable, col string) (string, bool, error) {
	var canonical []string
	var v lua.LValue = row
	reached := false
	rest := col
	for rest != "" {
		t, isTable := v.(*lua.LTable)
		if !isTable {
			return col, reached, nil // past the data: an empty column, as asked
		}
		step, after, _ := strings.Cut(rest, ".")
		if fs := fieldSetOf(t); fs != nil {
			f, remaining, found := longestField(fs, rest)
			if !found {
				return "", false, fmt.Errorf("no custom field %q%s", rest, suggestion(fs.Suggest(rest)))
			}
			step, after, reached = f.Key, remaining, true
		}
		got, err := protectedGet(L, t, step)
		if err != nil {
			return "", false, err
		}
		canonical = append(canonical, step)
		v, rest = got, after
	}
	return strings.Join(canonical, "."), reached || v != lua.LNil, nil
}

// longestField finds the field named by the longest dot-separated start of
// steps, returning what follows it.
func longestField(fs *skynamo.FieldSet, steps string) (*skynamo.Field, string, bool) {
	for name := steps; ; {
		if f, ok := fs.Lookup(name); ok {
			return f, strings.TrimPrefix(strings.TrimPrefix(steps, name), "."), true
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return nil, "", false
		}
		name = name[:i]
	}
}

// protectedGet is t[key] with its metatable's __index, whose error (a
// slip of a property's name) is returned rather than raised.
func protectedGet(L *lua.LState, t *lua.LTable, key string) (lua.LValue, error) {
	var got lua.LValue = lua.LNil
	get := L.NewFunction(func(L *lua.LState) int {
		got = L.GetField(t, key)
		return 0
	})
	L.Push(get)
	if err := L.PCall(0, 0, nil); err != nil {
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) {
			return nil, errors.New(withoutPosition(apiErr.Object.String()))
		}
		return nil, err
	}
	return got, nil
}

// withoutPosition drops the "file:line: " a raised error starts with: the
// message is quoted inside one that has the script's position already.
func withoutPosition(msg string) string {
	head, rest, ok := strings.Cut(msg, ": ")
	if i := strings.LastIndexByte(head, ':'); ok && i > 0 && i < len(head)-1 && strings.Trim(head[i+1:], "0123456789") == "" {
		return rest
	}
	return msg
}

// writeFileAtomic writes an output file (csv.write, a write batch's
// results): its folder is created, and readers such as Excel or a mail
// attachment never see half a file.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, 0o644, fill)
}

// csvCell is one flattened value; only text cells are neutralized.
type csvCell struct {
	text   string
	isText bool
}

// csvTable is rows flattened to named cells, with the columns to write.
type csvTable struct {
	columns []string
	rows    []map[string]csvCell
}

func flattenRows(rows *lua.LTable, requested []string, only bool) (*csvTable, error) {
	n, ok := arrayLen(rows)
	if k, _ := rows.Next(lua.LNil); !ok && k != lua.LNil {
		return nil, errors.New("rows must be an array of tables (keys 1..n)")
	}
	f := flattener{walker: walker{visiting: map[*lua.LTable]bool{}}}
	table := &csvTable{rows: make([]map[string]csvCell, n)}
	names := map[string]bool{}
	for i := 1; i <= n; i++ {
		row, ok := rows.RawGetInt(i).(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("rows[%d] is a %s, not a table", i, rows.RawGetInt(i).Type())
		}
		cells := map[string]csvCell{}
		if err := f.fields(row, "", fmt.Sprintf("rows[%d]", i), cells); err != nil {
			return nil, err
		}
		for name := range cells {
			names[name] = true
		}
		table.rows[i-1] = cells
	}
	table.columns = columnOrder(requested, names, only)
	return table, nil
}

type flattener struct {
	walker
}

// fields flattens the entries of a table into cells named prefix + key.
func (f *flattener) fields(t *lua.LTable, prefix, path string, out map[string]csvCell) error {
	if err := f.enter(t, path); err != nil {
		return err
	}
	defer f.leave(t)
	keys, err := objectKeys(t, path)
	if err != nil {
		return err
	}
	for _, k := range keys {
		name := prefix + k.text
		if err := f.value(t.RawGet(k.lua), name, path+"."+k.text, out); err != nil {
			return err
		}
	}
	return nil
}

func (f *flattener) value(v lua.LValue, name, path string, out map[string]csvCell) error {
	t, isTable := v.(*lua.LTable)
	if !isTable {
		c, err := scalarCell(v, path)
		if err != nil {
			return err
		}
		out[name] = c
		return nil
	}
	n, isArray := arrayLen(t)
	if !isArray {
		return f.fields(t, name+".", path, out)
	}
	parts := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		e := t.RawGetInt(i)
		if _, nested := e.(*lua.LTable); nested {
			return f.jsonCell(t, name, path, out)
		}
		c, err := scalarCell(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return err
		}
		parts = append(parts, c.text)
	}
	out[name] = csvCell{text: strings.Join(parts, "; "), isText: true}
	return nil
}

// jsonCell writes an array of tables as compact JSON text in one cell.
func (f *flattener) jsonCell(t *lua.LTable, name, path string, out map[string]csvCell) error {
	e := jsonEncoder{walker: f.walker, sortKeys: true}
	if err := e.value(t, path, 0); err != nil {
		return err
	}
	out[name] = csvCell{text: e.buf.String(), isText: true}
	return nil
}

func scalarCell(v lua.LValue, path string) (csvCell, error) {
	switch v := v.(type) {
	case lua.LString:
		return csvCell{text: string(v), isText: true}, nil
	case lua.LNumber:
		f := float64(v)
		switch {
		case math.IsNaN(f):
			return csvCell{text: "NaN"}, nil
		case math.IsInf(f, 1):
			return csvCell{text: "Inf"}, nil
		case math.IsInf(f, -1):
			return csvCell{text: "-Inf"}, nil
		}
		return csvCell{text: FormatNumber(f)}, nil
	case lua.LBool:
		return csvCell{text: v.String()}, nil
	case *lua.LUserData:
		if IsNull(v) {
			return csvCell{}, nil
		}
	}
	return csvCell{}, fmt.Errorf("%s: cannot write a %s to CSV", path, v.Type())
}

// columnOrder puts the requested columns first (a prefix standing for its
// nested names), then the rest sorted.
func columnOrder(requested []string, names map[string]bool, only bool) []string {
	var cols []string
	used := map[string]bool{}
	add := func(c string) {
		if !used[c] {
			used[c] = true
			cols = append(cols, c)
		}
	}
	for _, r := range requested {
		if names[r] {
			add(r)
			continue
		}
		var nested []string
		for name := range names {
			if strings.HasPrefix(name, r+".") {
				nested = append(nested, name)
			}
		}
		if len(nested) == 0 {
			add(r) // asked for, so present even if empty everywhere
		}
		sort.Slice(nested, func(i, j int) bool { return columnLess(nested[i], nested[j]) })
		for _, name := range nested {
			add(name)
		}
	}
	if only {
		return cols
	}
	var rest []string
	for name := range names {
		if !used[name] {
			rest = append(rest, name)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return columnLess(rest[i], rest[j]) })
	return append(cols, rest...)
}

// columnLess sorts names as text, except that whole numbers (the columns of
// array rows) sort by value and before the rest.
func columnLess(a, b string) bool {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return na < nb
	case errA == nil || errB == nil:
		return errA == nil
	}
	return a < b
}

func (t *csvTable) write(w io.Writer, opts csvWriteOptions) error {
	if opts.bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	if len(t.columns) == 0 {
		return nil // no names at all: nothing to write, not a blank line per row
	}
	cw := csvWriter{w: bufio.NewWriter(w), comma: opts.delimiter, eol: "\n"}
	if opts.crlf {
		cw.eol = "\r\n"
	}
	record := make([]string, len(t.columns))
	if opts.header {
		for i, c := range t.columns {
			record[i] = neutralized(c, opts.neutralize)
		}
		cw.write(record)
	}
	for _, row := range t.rows {
		for i, c := range t.columns {
			cell := row[c]
			record[i] = cell.text
			if cell.isText {
				record[i] = neutralized(cell.text, opts.neutralize)
			}
		}
		cw.write(record)
	}
	return cw.w.Flush()
}

// csvWriter writes records as encoding/csv does, except that a record of
// one empty cell is written as "" rather than as a blank line, which
// readers (encoding/csv's among them) skip, losing the row.
type csvWriter struct {
	w     *bufio.Writer
	comma rune
	eol   string
}

func (cw *csvWriter) write(record []string) {
	for i, field := range record {
		if i > 0 {
			cw.w.WriteRune(cw.comma)
		}
		if !cw.needsQuotes(field) && (field != "" || len(record) > 1) {
			cw.w.WriteString(field)
			continue
		}
		cw.w.WriteByte('"')
		cw.w.WriteString(strings.ReplaceAll(field, `"`, `""`))
		cw.w.WriteByte('"')
	}
	cw.w.WriteString(cw.eol)
}

// needsQuotes follows encoding/csv: the delimiter, a quote or a line break
// anywhere, a leading space or tab (readers may trim it), or the `\.`
// end-of-data marker of PostgreSQL's COPY.
func (cw *csvWriter) needsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` || field[0] == ' ' || field[0] == '\t' {
		return true
	}
	return strings.ContainsRune(field, cw.comma) || strings.ContainsAny(field, "\"\r\n")
}

// neutralized defuses text a spreadsheet would run as a formula (OWASP's
// CSV injection advice).
func neutralized(s string, on bool) string {
	if on && s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvReadOptions: delimiter (default ","), header (default true).
type csvReadOptions struct {
	delimiter rune
	header    bool
}

func readReadOptions(L *lua.LState, n int) csvReadOptions {
	o := newOptions(L, n, "delimiter", "header")
	return csvReadOptions{delimiter: readDelimiter(o), header: o.bool("header", true)}
}

// read: csv.read(path, {delimiter = ",", header = true}) -> rows, err
// With a header, each row is a table keyed by the header's names (a UTF-8
// BOM before the first name is dropped) and a short row's missing cells are
// ""; without, each row is an array of its cells. Cells are always text: no
// guessing of numbers or dates.
func (m *CSV) read(L *lua.LState) int {
	path := L.CheckString(1)
	opts := readReadOptions(L, 2)
	f, err := os.Open(path)
	if err != nil {
		return pushError(L, "csv.read", err)
	}
	defer f.Close()
	rows, err := parseCSV(L, f, opts)
	if err != nil {
		return pushError(L, "csv.read", fmt.Errorf("%s: %w", path, err))
	}
	L.Push(rows)
	return 1
}

// decode: csv.decode(text, {delimiter = ",", header = true}) -> rows, err
// csv.read for text already in memory.
func (m *CSV) decode(L *lua.LState) int {
	text := L.CheckString(1)
	opts := readReadOptions(L, 2)
	rows, err := parseCSV(L, strings.NewReader(text), opts)
	if err != nil {
		return pushError(L, "csv.decode", err)
	}
	L.Push(rows)
	return 1
}

func parseCSV(L *lua.LState, r io.Reader, opts csvReadOptions) (*lua.LTable, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = opts.delimiter
	cr.FieldsPerRecord = -1 // ragged rows are common in hand-made sheets
	rows := L.NewTable()
	var header []string
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if !opts.header {
			row := L.CreateTable(len(record), 0)
			for _, cell := range record {
				row.Append(lua.LString(cell))
			}
			rows.Append(row)
			continue
		}
		if header == nil {
			if err := checkHeader(record); err != nil {
				return nil, err
			}
			header = record
			continue
		}
		if len(record) > len(header) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("line %d has %d cells but the header names %d", line, len(record), len(header))
		}
		row := L.CreateTable(0, len(header))
		for i, name := range header {
			cell := ""
			if i < len(record) {
				cell = record[i]
			}
			row.RawSetString(name, lua.LString(cell))
		}
		rows.Append(row)
	}
}

func checkHeader(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return fmt.Errorf("the header names column %q twice", n)
		}
		seen[n] = true
	}
	return nil
}
