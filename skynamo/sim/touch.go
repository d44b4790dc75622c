package sim

import (
	"bytes"
	"encoding/json"
	"slices"
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
	recs := make([]*record, n)
	for j, i := range picked {
		recs[j] = c.records[i]
	}
	ids := make([]int64, 0, n)
	for _, r := range recs {
		s.update(c, r)
		ids = append(ids, r.id)
	}
	return ids
}

// Records returns a collection's current records as the list endpoint sends
// them with flags=show_nulls (form definitions also with show_enums, the
// flags a client reads them with), decoded with UseNumber: in the list's
// order and with its version property under the current Behaviour. The
// collection is named by its path ("visitfrequencies") or its snake_case
// name ("visit_frequencies"); an unknown name returns nil.
func (s *Server) Records(collection string) []map[string]any {
	name, ok := collectionName(collection)
	if !ok {
		return nil
	}
	f := encNulls
	if name == "formdefinitions" {
		f |= encEnums
	}
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	b := s.behaviour()
	if b.LegacyVersion {
		f |= encLegacy
	}
	recs := s.st.cols[name].order(b.UnstableOrder)
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
