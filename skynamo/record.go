package skynamo

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Record is one API record read for a script.
type Record struct {
	// Props holds the standard properties as the API sent them, numbers as
	// json.Number so that ids and row versions stay exact; custom_fields is
	// moved out into Custom. A property sent as null is present with a nil
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
	return decodeAll(raw, fs, nil)
}

// DecodeCompletedForms decodes completed forms, each with the FieldSet of
// its own form (its form_id). A form missing from the schema leaves the
// values as text, with a warning.
func DecodeCompletedForms(raw []json.RawMessage, s *Schema) ([]Record, error) {
	return decodeAll(raw, nil, s)
}

// DecodeRecord decodes one raw record.
func DecodeRecord(raw json.RawMessage, fs *FieldSet) (Record, error) {
	return newRecordDecoder().decode(raw, fs, nil)
}

// decodeAll decodes with fs, or with a schema by each record's form_id.
func decodeAll(raw []json.RawMessage, fs *FieldSet, s *Schema) ([]Record, error) {
	out := make([]Record, len(raw))
	workers := min(runtime.GOMAXPROCS(0), (len(raw)+decodeChunk-1)/decodeChunk)
	if workers <= 1 {
		d := newRecordDecoder()
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
			d := newRecordDecoder()
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
	p jsonParser
}

func newRecordDecoder() *recordDecoder {
	return &recordDecoder{p: jsonParser{splitCustom: true}}
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
	rec := Record{Props: props, Custom: make(map[string]any, len(d.p.custom)), Fields: fs}
	if s != nil {
		rec.Fields = s.CompletedFormFields(props)
		if rec.Fields == nil {
			rec.Warnings = append(rec.Warnings, fmt.Sprintf("form %v is not in the form definitions; values kept as text", props["form_id"]))
		}
	}
	for _, c := range d.p.custom {
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

// jsonParser reads JSON into the values encoding/json gives with
// UseNumber (map[string]any, []any, string, json.Number, bool, nil), about
// two and a half times faster, because decoding is the cost of every
// script's first line. It copies a record's text once into a string and slices
// strings and numbers out of it instead of allocating each (so they keep
// the record's text alive, no more than the raw record itself), and
// property names, which repeat from record to record, share one string.
type jsonParser struct {
	data []byte
	text string // data as a string, for slicing values out of it
	pos  int
	keys map[string]string

	// With splitCustom, a top-level "custom_fields" array is read straight
	// into custom instead of into maps, the most numerous objects of a record.
	splitCustom bool
	custom      []wireCustom
	topKeys     int // property count of the last record, to size the next map
}

// wireCustom is one entry of custom_fields: {"id", "name", "value"}.
type wireCustom struct {
	id    int64
	name  string
	value string
}

// maxInternedKeys bounds the shared names, against records whose keys are data.
const maxInternedKeys = 4096

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 1000

func (p *jsonParser) parse(data []byte) (any, error) {
	p.data, p.text, p.pos = data, string(data), 0
	p.custom = p.custom[:0]
	if p.keys == nil {
		p.keys = map[string]string{}
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("unexpected %q after the value", p.data[p.pos])
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, p.errorf("nested too deeply")
	}
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func (p *jsonParser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.errorf("expected %s", word)
	}
	p.pos += len(word)
	return nil
}

func (p *jsonParser) object(depth int) (any, error) {
	p.pos++ // {
	var m map[string]any
	if depth == 0 {
		m = make(map[string]any, p.topKeys)
		defer func() { p.topKeys = len(m) }()
	} else {
		m = make(map[string]any)
	}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected a property name")
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.pos++
		if depth == 0 && p.splitCustom && key == "custom_fields" {
			if err := p.customFields(); err != nil {
				return nil, err
			}
		} else {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.pos++ // [
	list := []any{}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return list, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return list, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

// key reads a property name, sharing the string with earlier records.
func (p *jsonParser) key() (string, error) {
	start := p.pos + 1
	end, plain := p.scanString(start)
	if plain {
		raw := p.data[start:end]
		if k, ok := p.keys[string(raw)]; ok { // no allocation for the lookup
			p.pos = end + 1
			return k, nil
		}
	}
	s, err := p.str()
	if err == nil && len(p.keys) < maxInternedKeys {
		p.keys[s] = s
	}
	return s, err
}

// scanString finds the closing quote of a string starting at start; plain
// reports a string without escapes, control characters or non-ASCII bytes,
// whose bytes are its value.
func (p *jsonParser) scanString(start int) (end int, plain bool) {
	for i := start; i < len(p.data); i++ {
		switch c := p.data[i]; {
		case c == '"':
			return i, true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return i, false
		}
	}
	return len(p.data), false
}

func (p *jsonParser) str() (string, error) {
	start := p.pos + 1
	end, plain := p.scanString(start)
	if plain {
		p.pos = end + 1
		return p.text[start:end], nil
	}
	return p.slowString(start)
}

// slowString reads a string with escapes or non-ASCII text. Invalid UTF-8
// becomes U+FFFD, as encoding/json does.
func (p *jsonParser) slowString(start int) (string, error) {
	buf := make([]byte, 0, 32)
	i := start
	for i < len(p.data) {
		c := p.data[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			p.pos = i
			return "", p.errorf("control character in a string")
		case c == '\\':
			if i+1 >= len(p.data) {
				p.pos = i
				return "", p.errorf("unexpected end in a string")
			}
			i++
			switch e := p.data[i]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, n := p.unicodeEscape(i + 1)
				if n == 0 {
					p.pos = i
					return "", p.errorf("bad \\u escape")
				}
				buf = utf8.AppendRune(buf, r)
				i += n
			default:
				p.pos = i
				return "", p.errorf("bad escape \\%c", e)
			}
			i++
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(p.data[i:])
			buf = utf8.AppendRune(buf, r) // RuneError for invalid bytes
			i += size
		}
	}
	p.pos = i
	return "", p.errorf("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX at i (and a following low
// surrogate escape), returning the rune and how many bytes it used after
// the 'u'; 0 for a malformed escape.
func (p *jsonParser) unicodeEscape(i int) (rune, int) {
	r, ok := hex4(p.data, i)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 4
	}
	if i+10 <= len(p.data) && p.data[i+4] == '\\' && p.data[i+5] == 'u' {
		if r2, ok := hex4(p.data, i+6); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 10
			}
		}
	}
	return utf8.RuneError, 4
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number checks the JSON number grammar and keeps the text as json.Number.
func (p *jsonParser) number() (any, error) {
	start := p.pos
	i := p.pos
	if p.data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(p.data) && p.data[i] >= '0' && p.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(p.data) && p.data[i] == '0':
		i++
	case digits() == 0:
		p.pos = i
		return nil, p.errorf("bad number")
	}
	if i < len(p.data) && p.data[i] == '.' {
		i++
		if digits() == 0 {
			p.pos = i
			return nil, p.errorf("bad number")
		}
	}
	if i < len(p.data) && (p.data[i] == 'e' || p.data[i] == 'E') {
		i++
		if i < len(p.data) && (p.data[i] == '+' || p.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.pos = i
			return nil, p.errorf("bad number")
		}
	}
	p.pos = i
	return json.Number(p.text[start:i]), nil
}

// customFields reads the custom_fields array into p.custom. Entries that
// are not objects are not custom fields and are skipped.
func (p *jsonParser) customFields() error {
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '[' {
		_, err := p.value(1) // null, or not the documented shape
		return err
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for {
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '{' {
			if err := p.customField(); err != nil {
				return err
			}
		} else if _, err := p.value(2); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.errorf("unexpected end in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.errorf("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) customField() error {
	var c wireCustom
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.custom = append(p.custom, c)
		return nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return p.errorf("expected a property name")
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return p.errorf("expected ':'")
		}
		p.pos++
		p.skipSpace()
		var v any
		if p.pos < len(p.data) && p.data[p.pos] == '"' {
			v, err = p.str() // the usual case, without boxing the string
		} else {
			v, err = p.value(3)
		}
		if err != nil {
			return err
		}
		switch key {
		case "id":
			c.id, _ = IntValue(v)
		case "name":
			c.name = wireText(v)
		case "value":
			c.value = wireText(v)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.errorf("unexpected end in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.custom = append(p.custom, c)
			return nil
		default:
			return p.errorf("expected ',' or '}'")
		}
	}
}
