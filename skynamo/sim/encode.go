package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// appendObj writes o as JSON. Hand-rolled rather than encoding/json because
// nulls must be dropped or kept per request and key order must follow the
// spec; it is also several times faster, which the paging benchmarks need.
func appendObj(b []byte, o obj, f encFlags) []byte {
	b = append(b, '{')
	first := true
	for _, p := range o {
		if p.v == nil && f&encNulls == 0 {
			continue
		}
		if p.k == "enumeration_values" && f&encEnums == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if p.k == "row_version" && f&encLegacy != 0 {
			b = append(b, `"version"`...)
		} else {
			b = appendString(b, p.k)
		}
		b = append(b, ':')
		b = appendValue(b, p.v, f)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any, f encFlags) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case float64:
		return appendFloat(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case obj:
		return appendObj(b, v, f)
	case []obj:
		b = append(b, '[')
		for i, o := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendObj(b, o, f)
		}
		return append(b, ']')
	case []int64:
		b = append(b, '[')
		for i, n := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, n, 10)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case []customField:
		b = append(b, '[')
		for i, c := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = strconv.AppendInt(b, c.id, 10)
			b = append(b, `,"name":`...)
			b = appendString(b, c.name)
			b = append(b, `,"value":`...)
			b = appendString(b, c.value)
			b = append(b, '}')
		}
		return append(b, ']')
	default:
		// Only reachable through a bug in the seeding code; fail loudly in tests.
		panic(fmt.Sprintf("sim: cannot encode %T", v))
	}
}

// appendFloat writes money and quantities the way .NET serialises decimals:
// no exponent, no trailing zeros, integers without a point.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendString writes a JSON string; the escaping matches encoding/json
// except that HTML characters are left alone, as ASP.NET does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, "0123456789abcdef"[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// mustJSON encodes small fixed-shape bodies such as error messages; bulk
// data goes through appendObj.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
