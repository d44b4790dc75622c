package bindings

import (
	"context"

	"skynamo/skynamo"
)

// beforeFromCache gives a dry run's updates their "before" from the cache
// when the script named the record by its id alone ({id = 3}): the plan a
// person approves should say "rate: 15 → 16", not "(empty) → 16". Each
// entity is read once; a read that fails leaves the plan as it was, since
// a dry run must not fail for want of a nicety.
func (m *Writer) beforeFromCache(ctx context.Context, entries []entry) {
	cached := map[string]map[int64]map[string]any{}
	for i := range entries {
		e := &entries[i]
		if len(e.problems) > 0 || e.req.Kind != skynamo.KindUpdate || !keyOnly(e.req) {
			continue
		}
		id, ok := skynamo.IntProp(e.req.Record, "id")
		if !ok {
			continue
		}
		byID, seen := cached[e.req.Entity]
		if !seen {
			byID = m.readByID(ctx, e.req.Entity)
			cached[e.req.Entity] = byID
		}
		rec, ok := byID[id]
		if !ok {
			continue
		}
		req := e.req
		req.Record = rec
		op, problems := skynamo.PrepareWrite(req, e.schema)
		if len(problems) > 0 {
			continue // the record as cached is no better a "before"
		}
		e.op.Changes = op.Changes
	}
}

// keyOnly says the record given holds none of the properties the update
// changes, so its changes have no "before".
func keyOnly(req skynamo.WriteRequest) bool {
	for k := range req.Values {
		if _, ok := req.Record[k]; ok {
			return false
		}
	}
	return true
}

// readByID reads an entity's records as WriteRequest records (standard
// properties, custom fields under "custom"), by id; nil when the entity
// cannot be read.
func (m *Writer) readByID(ctx context.Context, entity string) map[int64]map[string]any {
	if _, err := skynamo.LookupEntity(entity); err != nil {
		return nil
	}
	recs, err := m.read.Read(ctx, entity, skynamo.ReadOptions{})
	if err != nil {
		m.opt.Logf("writer: dry run: %s could not be read for the changes' before: %v", entity, err)
		return nil
	}
	out := make(map[int64]map[string]any, len(recs))
	for _, r := range recs {
		id, ok := skynamo.IntProp(r.Props, "id")
		if !ok {
			continue
		}
		rec := make(map[string]any, len(r.Props)+1)
		for k, v := range r.Props {
			rec[k] = v
		}
		if len(r.Custom) > 0 {
			rec["custom"] = r.Custom
		}
		out[id] = rec
	}
	return out
}
