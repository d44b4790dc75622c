package sim

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// pageParams reads page_number and page_size; out-of-range or non-integer
// values are a 400, as the real API answers them.
func pageParams(q url.Values) (number, size int, err error) {
	number, err = intParam(q, "page_number", 1)
	if err != nil {
		return 0, 0, err
	}
	if number < 1 {
		return 0, 0, fmt.Errorf("page_number must be 1 or more, not %d", number)
	}
	size, err = intParam(q, "page_size", defaultPageSize)
	if err != nil {
		return 0, 0, err
	}
	if size < 1 || size > maxPageSize {
		return 0, 0, fmt.Errorf("page_size must be between 1 and %d, not %d", maxPageSize, size)
	}
	return number, size, nil
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer, not %q", name, v)
	}
	return n, nil
}

// flagParams reads the flags list. Unknown flags are ignored, like the API.
func flagParams(q url.Values, ep *endpoint) encFlags {
	var f encFlags
	for _, v := range q["flags"] {
		for _, flag := range strings.Split(v, ",") {
			switch strings.TrimSpace(flag) {
			case "show_nulls":
				f |= encNulls
			case "show_enums":
				if ep.name == "formdefinitions" {
					f |= encEnums
				}
			}
		}
	}
	return f
}

// appendPage writes the list envelope around the selected records.
func appendPage(b []byte, recs []*record, idxs []int32, filtered bool, number, size int, f encFlags) []byte {
	total := len(recs)
	count := total
	if filtered {
		count = len(idxs)
	}
	start := (number - 1) * size
	if start > count || number-1 > count/size { // guards the multiplication overflow too
		start = count
	}
	end := min(start+size, count)
	b = append(b, `{"data":[`...)
	for i := start; i < end; i++ {
		j := i
		if filtered {
			j = int(idxs[i])
		}
		if i > start {
			b = append(b, ',')
		}
		b = append(b, recs[j].encoded(f)...)
	}
	b = append(b, `],"page":{"page_number":`...)
	b = strconv.AppendInt(b, int64(number), 10)
	b = append(b, `,"page_size":`...)
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, `,"total_item_count":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"filtered_item_count":`...)
	b = strconv.AppendInt(b, int64(count), 10)
	return append(b, `}}`...)
}
