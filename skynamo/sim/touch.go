package sim

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// TouchCustomers changes n customers, as a rep editing them in the app would:
// a new name and a new credit limit, a fresh row_version and
// last_modified_time. It returns their ids in ascending order, which is
// also the order of their new row_versions.
func (s *Server) TouchCustomers(n int) []int64 {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	c := s.st.cols["customers"]
	n = min(max(n, 0), len(c.records))
	picked := s.touchRng.Perm(len(c.records))[:n]
	slices.Sort(picked)
	now := formatTime(s.clock())
	ids := make([]int64, 0, n)
	for _, i := range picked {
		r := c.records[i]
		rv := s.st.nextRowVersion()
		name, _ := r.props.get("name")
		base, _, _ := strings.Cut(name.(string), " [rev ")
		r.props.set("name", base+" [rev "+strconv.FormatInt(rv, 10)+"]")
		r.props.set("row_version", rv)
		r.props.set("last_modified_time", now)
		if v, ok := r.props.get("custom_fields"); ok {
			// Copy before changing: encodings already handed out must not move.
			fields := slices.Clone(v.([]customField))
			for j := range fields {
				if fields[j].id == 101 { // Credit Limit (R)
					fields[j].value = strconv.FormatInt(1000*(rv%97+1), 10)
				}
			}
			r.props.set("custom_fields", fields)
		}
		c.touch(r)
		ids = append(ids, r.id)
	}
	return ids
}

// Records returns a collection's current records as the list endpoint sends
// them with flags=show_nulls (form definitions also with show_enums, the
// flags a client reads them with), decoded with UseNumber. The collection is
// named by its path ("visitfrequencies") or its snake_case name
// ("visit_frequencies"); an unknown name returns nil.
func (s *Server) Records(collection string) []map[string]any {
	name := strings.ReplaceAll(strings.Trim(collection, "/"), "_", "")
	ep := s.endpoints[name]
	if ep == nil {
		return nil
	}
	f := encNulls
	if name == "formdefinitions" {
		f |= encEnums
	}
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	recs := s.st.cols[name].records
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		d := json.NewDecoder(bytes.NewReader(r.encoded(f)))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			panic("sim: record does not decode: " + err.Error()) // a bug in appendObj
		}
		out = append(out, m)
	}
	return out
}
