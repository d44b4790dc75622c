package skynamo

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

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

	// only, when set, keeps just these top-level properties; the others are
	// skipped unparsed. Their values are then copied out one by one rather
	// than sliced from a copy of the whole record, which would keep every
	// record's full text alive for the few values kept.
	only map[string]bool
	// customIDs, with only, are the custom fields kept: the name and value
	// of the others are skipped without becoming strings (nil = all).
	customIDs map[int64]bool
}

// slice is the text of data[start:end] as a string.
func (p *jsonParser) slice(start, end int) string {
	if p.only != nil {
		return string(p.data[start:end])
	}
	return p.text[start:end]
}

// wireCustom is one entry of custom_fields: {"id", "name", "value"}.
type wireCustom struct {
	id    int64
	name  string
	value string
	// nameAt and valueAt locate name and value in the record while a
	// projection decides whether they are needed.
	nameAt, valueAt [2]int
}

// maxInternedKeys bounds the shared names, against records whose keys are data.
const maxInternedKeys = 4096

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 1000

func (p *jsonParser) parse(data []byte) (any, error) {
	p.data, p.pos = data, 0
	if p.only == nil {
		p.text = string(data)
	}
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
		if depth == 0 && p.only != nil && !p.only[key] {
			p.skipSpace()
			end, err := skipValue(p.data, p.pos)
			if err != nil {
				return nil, err
			}
			p.pos = end
		} else if depth == 0 && p.splitCustom && key == "custom_fields" {
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
		return p.slice(start, end), nil
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
	return json.Number(p.slice(start, i)), nil
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
		if p.customIDs != nil && (key == "name" || key == "value") && p.pos < len(p.data) && p.data[p.pos] == '"' {
			// Projected: note where the text is; it becomes a string only
			// if the field turns out to be one that is kept.
			start := p.pos + 1
			end, plain := p.scanString(start)
			if plain {
				p.pos = end + 1
				if key == "name" {
					c.nameAt = [2]int{start, end}
				} else {
					c.valueAt = [2]int{start, end}
				}
				goto next
			}
		}
		{
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
		}
	next:
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.errorf("unexpected end in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			if p.customIDs != nil {
				if !p.customIDs[c.id] {
					return nil // a field the projection leaves out
				}
				if c.nameAt[1] > 0 {
					c.name = string(p.data[c.nameAt[0]:c.nameAt[1]])
				}
				if c.valueAt[1] > 0 {
					c.value = string(p.data[c.valueAt[0]:c.valueAt[1]])
				}
			}
			p.custom = append(p.custom, c)
			return nil
		default:
			return p.errorf("expected ',' or '}'")
		}
	}
}
