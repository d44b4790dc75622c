package sim

import (
	"cmp"
	"slices"
	"time"
)

// cmpMod orders records by last_modified_time, then id: the order lists take
// under Behaviour.UnstableOrder, where a record changed mid-pull moves to
// the end and every record after its old place shifts one back.
func cmpMod(a, b *record) int {
	return cmp.Or(cmp.Compare(a.mod, b.mod), cmp.Compare(a.id, b.id))
}

// buildModOrder makes byMod from the records' stamps; callers hold the
// write lock. Records without a last_modified_time (users) sort first, by id.
func (c *collection) buildModOrder() {
	for _, r := range c.records {
		r.mod = 0
		if v, ok := r.props.get("last_modified_time"); ok {
			if s, ok := v.(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					r.mod = t.UnixNano()
				}
			}
		}
	}
	c.byMod = slices.Clone(c.records)
	slices.SortFunc(c.byMod, cmpMod)
}

// setModified stamps r with t and moves it to its new place in byMod;
// callers hold the write lock and call changed afterwards.
func (c *collection) setModified(r *record, t time.Time) {
	if _, ok := r.props.get("last_modified_time"); !ok {
		return
	}
	if c.byMod != nil {
		if i, ok := slices.BinarySearchFunc(c.byMod, r, cmpMod); ok {
			c.byMod = slices.Delete(c.byMod, i, i+1)
		}
	}
	r.props.set("last_modified_time", formatTime(t))
	r.mod = t.UnixNano()
	if c.byMod != nil {
		i, _ := slices.BinarySearchFunc(c.byMod, r, cmpMod)
		c.byMod = slices.Insert(c.byMod, i, r)
	}
}
