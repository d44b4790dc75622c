package skynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// After an apply the script may read again, and must see its writes:
// versioned entities are pulled incrementally (one request brings every
// changed record); the others (reference lists, stock levels and prices,
// append-only transactions) are marked stale, so the next read pulls them
// as it would pull any stale cache, without paying for a pull nobody may
// need. Custom fields and enum labels change the form definitions, and so
// the reader's schema.

// alsoChanged are entities a write to another one changes: a new order,
// quote or credit request comes with its interaction and completed forms.
var alsoChanged = map[string][]string{
	"orders":          {"interactions", "completed_forms"},
	"quotes":          {"interactions", "completed_forms"},
	"credit_requests": {"interactions", "completed_forms"},
}

// refreshCaches brings the cache of every entity the run sent writes to up
// to date. After a stop (the quota, Ctrl-C) it only marks them stale: a
// pull now would fail the same way, and the next run pulls them.
func (r *applyRun) refreshCaches(ctx context.Context, runErr error) {
	r.mu.Lock()
	touched := map[string]bool{}
	for e := range r.sent {
		touched[e] = true
		for _, also := range alsoChanged[e] {
			touched[also] = true
		}
	}
	deleted := r.confirmedDeletes()
	r.mu.Unlock()
	names := make([]string, 0, len(touched))
	for e := range touched {
		names = append(names, e)
	}
	sort.Strings(names)
	s := r.w.reader.Syncer()
	for _, name := range names {
		e, err := LookupEntity(name)
		if err != nil {
			continue
		}
		if _, ok, _ := s.Cache().State(e.Name); !ok {
			continue // never pulled: the next read pulls it whole anyway
		}
		if e.Kind == Versioned && len(deleted[e.Name]) > 0 {
			// An incremental pull never sees a delete: left in the cache,
			// the record would make the count differ and cost a reconcile.
			if err := s.dropRecords(ctx, e.Name, deleted[e.Name]); err != nil {
				r.w.logf("%s: could not remove the deleted records from the cache (%v); the next pull reconciles", e.Name, err)
			}
		}
		if e.Kind == Versioned && runErr == nil && ctx.Err() == nil {
			if _, err := s.Sync(ctx, e.Name, true); err == nil {
				r.w.reader.pulledThisRun(e.Name)
				continue
			} else {
				r.w.logf("%s: refreshing the cache after the writes failed (%v); the next read pulls it", e.Name, err)
			}
		}
		if err := s.markStale(ctx, e.Name); err != nil {
			r.w.logf("%s: could not mark the cache stale after the writes (%v); read it with refresh=true to see them", e.Name, err)
		}
	}
	if touched["form_definitions"] {
		r.w.reader.forgetSchema()
	}
}

// markStale makes the next sync of entity pull it: the cache notes when
// this client wrote to it, and a sync counts the cache fresh only when its
// last pull came after that (Syncer.fresh).
func (s *Syncer) markStale(_ context.Context, entity string) error {
	if _, ok, err := s.cache.State(entity); err != nil || !ok {
		return err // never pulled: the next read pulls it anyway
	}
	return s.cache.MarkWritten(entity, s.now())
}

// pulledThisRun tells a reader under RefreshAll that entity was just
// pulled, so its next read does not pull it again.
func (r *Reader) pulledThisRun(entity string) {
	r.refreshMu.Lock()
	defer r.refreshMu.Unlock()
	if r.refreshAll {
		r.refreshed[entity] = true
	}
}

// forgetSchema drops the reader's custom field schema, so the next read
// parses the form definitions again (new fields, grown enums).
func (r *Reader) forgetSchema() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.schema = nil
}

// confirmedDeletes are, per read entity, the ids of records this run
// deleted for sure; callers hold r.mu.
func (r *applyRun) confirmedDeletes() map[string]map[int64]bool {
	out := map[string]map[int64]bool{}
	for i, op := range r.ops {
		if op.Kind != KindDelete || r.state[i] != stDone || r.res[i].Status != StatusApplied {
			continue
		}
		id := deletedID(op.Item)
		if id == 0 {
			// By external id: the key may have been rewritten to the id.
			if _, after, ok := strings.Cut(r.keys[i], ":id="); ok {
				id, _ = strconv.ParseInt(after, 10, 64)
			}
		}
		e := readEntity(op.Entity)
		if id == 0 || e == "" {
			continue
		}
		if out[e] == nil {
			out[e] = map[int64]bool{}
		}
		out[e][id] = true
	}
	return out
}

// deletedID reads the id a delete item names: a bare id (tasks, invoices,
// scheduled visits take an array of them) or an object's "id"; 0 when it
// names the record otherwise (a quoted external id is not an id).
func deletedID(item json.RawMessage) int64 {
	item = bytes.TrimSpace(item)
	if len(item) > 0 && item[0] == '{' {
		item = bytes.TrimSpace(readSyncKeys(item).ID)
	}
	if len(item) == 0 || item[0] == '"' {
		return 0
	}
	return jsonInt(item)
}

// dropRecords removes records from the cache of entity by id, under the
// entity's locks as a pull holds them; Save keeps the file atomic.
func (s *Syncer) dropRecords(ctx context.Context, entity string, ids map[int64]bool) error {
	defer s.lock(entity)()
	l, _, err := s.cache.lockEntity(ctx, entity, s.lockWait, s.now, s.logf)
	if err != nil {
		return err
	}
	defer l.unlock()
	records, state, ok, err := s.cache.Load(entity)
	if err != nil || !ok {
		return err
	}
	kept := records[:0:0]
	for _, rec := range records {
		if k := readSyncKeys(rec); k.idText() == "" || !ids[jsonInt(k.ID)] {
			kept = append(kept, rec)
		}
	}
	if len(kept) == len(records) {
		return nil
	}
	state.Count = len(kept)
	return s.cache.Save(entity, kept, state)
}
