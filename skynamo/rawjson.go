package skynamo

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The functions here cut JSON into values without decoding them. A full pull
// of 20,000 customers is about 20 MB; encoding/json reads every byte of it
// twice (validation, then decoding) just to hand back the records as raw
// bytes. Cutting at the brackets is several times faster and allocates only
// the slice headers. They check the structure (balanced brackets, closed
// strings) but not every literal: a record is fully checked when it is
// decoded for reading.

// splitArray returns the elements of a JSON array as sub-slices of data.
func splitArray(data []byte) ([]json.RawMessage, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, fmt.Errorf("expected a JSON array at byte %d", i)
	}
	var out []json.RawMessage
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return out, trailing(data, i+1)
	}
	for {
		end, err := skipValue(data, i)
		if err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(data[i:end:end]))
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, fmt.Errorf("unexpected end of JSON in an array")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, trailing(data, i+1)
		default:
			return nil, fmt.Errorf("expected , or ] at byte %d, found %q", i, data[i])
		}
	}
}

// objectFields calls visit with each top-level key (as written, without
// quotes) and raw value of a JSON object, until visit returns false.
func objectFields(data []byte, visit func(key, value []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return fmt.Errorf("expected a JSON object at byte %d", i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return fmt.Errorf("expected a key at byte %d", i)
		}
		keyEnd, err := skipString(data, i)
		if err != nil {
			return err
		}
		key := data[i+1 : keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return fmt.Errorf("expected : at byte %d", i)
		}
		i = skipSpace(data, i+1)
		end, err := skipValue(data, i)
		if err != nil {
			return err
		}
		if !visit(key, data[i:end:end]) {
			return nil
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return fmt.Errorf("unexpected end of JSON in an object")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return fmt.Errorf("expected , or } at byte %d, found %q", i, data[i])
		}
	}
}

func trailing(data []byte, i int) error {
	if i = skipSpace(data, i); i != len(data) {
		return fmt.Errorf("unexpected data after JSON at byte %d", i)
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the index just past the value starting at data[i].
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, fmt.Errorf("unexpected end of JSON")
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		return skipNested(data, i)
	}
	start := i
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if i == start {
				return 0, fmt.Errorf("expected a value at byte %d", i)
			}
			return i, nil
		case '{', '[', '"', ':':
			return 0, fmt.Errorf("unexpected %q at byte %d", data[i], i)
		}
		i++
	}
	return i, nil
}

// skipString returns the index just past the string starting at data[i].
// It jumps from quote to quote (bytes.IndexByte is vectorised) and counts
// the backslashes before each to see whether it is escaped.
func skipString(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		backslashes := 0
		for p := q - 1; p > i && data[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
	return 0, fmt.Errorf("unterminated string at byte %d", i)
}

// skipNested returns the index just past the object or array starting at
// data[i], checking that brackets pair up.
func skipNested(data []byte, i int) (int, error) {
	var stackBuf [32]byte
	stack := stackBuf[:0]
	for j := i; j < len(data); j++ {
		switch c := data[j]; c {
		case '"':
			end, err := skipString(data, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return 0, fmt.Errorf("unexpected %q at byte %d", c, j)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unexpected end of JSON in the value starting at byte %d", i)
}
