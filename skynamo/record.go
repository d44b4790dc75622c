package skynamo

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
)

// Record is one API record read for a script.
type Record struct {
	// Props holds the standard properties as the API sent them, numbers as
	// json.Number so that ids and row versions stay exact; custom_fields is
	// moved out into Custom (except by DecodePlain). A property sent as null is present with a nil
	// value; one the API omitted is absent.
	Props map[string]any
	// Custom holds the custom field values by Field.Key (the display name),
	// converted by type (Field.Decode). A field that is not set is absent.
	Custom map[string]any
	// Fields describes the custom fields this kind of record can have; it
	// is shared by all records of the kind. nil when the schema is unknown.
	Fields *FieldSet
	// Warnings says what could not be read as its type and was kept as
	// text; empty for a clean record.
	Warnings []string
}

// decodeChunk is how many records one goroutine decodes at a time; big
// enough that starting goroutines costs nothing, small enough to spread a
// few thousand records over all cores.
const decodeChunk = 512

// DecodeRecords decodes raw records that share one FieldSet, in chunks
// spread over all cores, in less than half the time encoding/json needs
// just to parse them (BenchmarkRecordDecode100k).
func DecodeRecords(raw []json.RawMessage, fs *FieldSet) ([]Record, error) {
	return decodeAll(raw, fs, nil, nil, false)
}

// DecodePlain decodes records whose custom_fields property is not a list
// of custom field values: a form definition's custom_fields is the form's
// list of field definitions, which the script reads as it is. p may be nil.
func DecodePlain(raw []json.RawMessage, p *Projection) ([]Record, error) {
	return decodeAll(raw, nil, nil, p, true)
}

// CustomFieldsArePlain reports whether entity's custom_fields is an
// ordinary property (see DecodePlain) rather than the record's values.
func CustomFieldsArePlain(entity string) bool { return entity == "form_definitions" }

// Projection picks what a decode keeps, for scripts that read a few
// properties of 100,000 records: the standard properties named in Props
// and the custom fields whose Key is in CustomKeys (or all with AllCustom).
// Everything else is skipped without being decoded.
type Projection struct {
	Props      []string
	CustomKeys []string
	AllCustom  bool
}

// DecodeProjected is DecodeRecords keeping only what p names.
func DecodeProjected(raw []json.RawMessage, fs *FieldSet, p *Projection) ([]Record, error) {
	return decodeAll(raw, fs, nil, p, false)
}

// parserFilter is the top-level property set a projection parses.
func (p *Projection) parserFilter() map[string]bool {
	only := make(map[string]bool, len(p.Props)+2)
	for _, name := range p.Props {
		only[name] = true
		if name == "row_version" {
			only["version"] = true // the 2023 name, renamed after parsing
		}
	}
	if p.AllCustom || len(p.CustomKeys) > 0 {
		only["custom_fields"] = true
	}
	return only
}

// DecodeCompletedForms decodes completed forms, each with the FieldSet of
// its own form (its form_id). A form missing from the schema leaves the
// values as text, with a warning.
func DecodeCompletedForms(raw []json.RawMessage, s *Schema) ([]Record, error) {
	return decodeAll(raw, nil, s, nil, false)
}

// DecodeRecord decodes one raw record.
func DecodeRecord(raw json.RawMessage, fs *FieldSet) (Record, error) {
	return newRecordDecoder(nil, nil, false).decode(raw, fs, nil)
}

// decodeAll decodes with fs, or with a schema by each record's form_id;
// plain keeps custom_fields as an ordinary property.
func decodeAll(raw []json.RawMessage, fs *FieldSet, s *Schema, proj *Projection, plain bool) ([]Record, error) {
	out := make([]Record, len(raw))
	workers := min(runtime.GOMAXPROCS(0), (len(raw)+decodeChunk-1)/decodeChunk)
	if workers <= 1 {
		d := newRecordDecoder(proj, fs, plain)
		for i, r := range raw {
			rec, err := d.decode(r, fs, s)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", i, err)
			}
			out[i] = rec
		}
		return out, nil
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		next     int
		firstErr error
		errAt    = len(raw)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := newRecordDecoder(proj, fs, plain)
			for {
				mu.Lock()
				start := next
				next += decodeChunk
				mu.Unlock()
				if start >= len(raw) {
					return
				}
				for i := start; i < min(start+decodeChunk, len(raw)); i++ {
					rec, err := d.decode(raw[i], fs, s)
					if err != nil {
						mu.Lock()
						if i < errAt {
							errAt, firstErr = i, fmt.Errorf("record %d: %w", i, err)
						}
						mu.Unlock()
						return
					}
					out[i] = rec
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// recordDecoder is one goroutine's decoding state: a JSON parser that
// shares the strings of property names between records.
type recordDecoder struct {
	p          jsonParser
	customKeys map[string]bool // with a projection: the custom fields kept (nil = all)
}

func newRecordDecoder(proj *Projection, fs *FieldSet, plain bool) *recordDecoder {
	d := &recordDecoder{p: jsonParser{splitCustom: !plain}}
	if proj != nil {
		d.p.only = proj.parserFilter()
		if !proj.AllCustom && !plain {
			d.customKeys = make(map[string]bool, len(proj.CustomKeys))
			for _, k := range proj.CustomKeys {
				d.customKeys[k] = true
			}
			if fs != nil {
				d.p.customIDs = map[int64]bool{}
				for _, f := range fs.Fields {
					if d.customKeys[f.Key] {
						d.p.customIDs[f.ID] = true
					}
				}
			}
		}
	}
	return d
}

// decode parses one record. With a schema, the FieldSet is the one of the
// record's form_id (completed forms); otherwise fs.
func (d *recordDecoder) decode(raw json.RawMessage, fs *FieldSet, s *Schema) (Record, error) {
	v, err := d.p.parse(raw)
	if err != nil {
		return Record{}, err
	}
	props, ok := v.(map[string]any)
	if !ok {
		return Record{}, fmt.Errorf("not a JSON object")
	}
	if v, ok := props["version"]; ok {
		// The 2023 API sent row_version as version (FACTS.md errata):
		// scripts read one name whichever the server sends.
		if _, has := props["row_version"]; !has {
			props["row_version"] = v
		}
	}
	rec := Record{Props: props, Custom: make(map[string]any, len(d.p.custom)), Fields: fs}
	if s != nil {
		rec.Fields = s.CompletedFormFields(props)
		if rec.Fields == nil {
			rec.Warnings = append(rec.Warnings, fmt.Sprintf("form %v is not in the form definitions; values kept as text", props["form_id"]))
		}
	}
	for _, c := range d.p.custom {
		if d.customKeys != nil {
			if f := rec.Fields.FieldByID(c.id); f == nil || !d.customKeys[f.Key] {
				continue
			}
		}
		rec.setCustom(c)
	}
	return rec, nil
}

// setCustom stores one entry of custom_fields.
func (rec *Record) setCustom(c wireCustom) {
	if c.value == "" {
		return
	}
	if f := rec.Fields.FieldByID(c.id); f != nil {
		v, ok, warning := f.Decode(c.value)
		if ok {
			rec.Custom[f.Key] = v
		}
		if warning != "" {
			rec.Warnings = append(rec.Warnings, warning)
		}
		return
	}
	// A field the schema does not know (added since the schema was read):
	// keep its text under the name the record gives it.
	name := c.name
	if name == "" {
		name = fmt.Sprintf("field %d", c.id)
	}
	if _, taken := rec.Custom[name]; taken {
		name = fmt.Sprintf("%s #%d", name, c.id)
	}
	rec.Custom[name] = c.value
	if rec.Fields != nil {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("custom field %q (id %d) is not in the form definitions of %s; kept as text", name, c.id, rec.Fields.Kind))
	}
}

// wireText reads a custom field value, which the spec says is a string;
// a number or boolean is taken as its text rather than lost.
func wireText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// IntProp reads an integer property of a decoded record (see IntValue).
func IntProp(m map[string]any, key string) (int64, bool) { return IntValue(m[key]) }

// IntValue reads an integer from a decoded value: json.Number, int64,
// float64 with an integral value, or decimal text.
func IntValue(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	case int64:
		return v, true
	case float64:
		return int64(v), float64(int64(v)) == v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}
