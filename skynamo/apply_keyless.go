package skynamo

import (
	"context"
	"fmt"
	"net/http"
	"sort"
)

// Creates without a natural key (tasks, contacts, scheduled visits,
// orders ...) cannot be looked up after an unknown outcome, but they can be
// counted: before the run's first such create of an entity, the ids the
// entity has are noted (the snapshot, journalled so a resume has it).
// After a lost answer, or a 400 that refused other items of the request,
// the entity is pulled again and its new ids are those not in the
// snapshot and not given back to this run by the API. Then:
//   - no new id: the request saved nothing; its items are sent again;
//   - exactly as many as the unresolved items (and nothing of ours
//     unaccounted for): they were saved; they end applied;
//   - anything else (another program created some too): unknown, with
//     what was seen.
// To keep the count about one request, once a path had an unknown outcome
// its keyless creates go out one request at a time, each counted before
// the next is sent.

// keyless says whether op is a create that only the count can resolve.
func keyless(op WriteOp, t WriteTarget) bool {
	return op.Method == http.MethodPost && op.Kind != KindDelete && !idempotent(op, t) && !lookupable(op, t) &&
		readEntity(op.Entity) != "" && readEntity(op.Entity) != "form_definitions"
}

// takeSnapshot notes the ids of each entity that items create records of
// without a natural key, before the first of them is sent in this run.
// Without it no such create is sent: the error stops the run.
func (r *applyRun) takeSnapshot(ctx context.Context, items []int) error {
	for _, i := range items {
		if !keyless(r.ops[i], r.targets[i]) {
			continue
		}
		e := readEntity(r.ops[i].Entity)
		if r.snapDone[e] {
			continue
		}
		ids, err := r.serverIDs(ctx, e)
		if err != nil {
			return fmt.Errorf("%s: reading which records exist before creating failed, so none was created: %w", e, err)
		}
		list := make([]int64, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		sort.Slice(list, func(a, b int) bool { return list[a] < list[b] })
		r.mu.Lock()
		r.snapshot[e], r.snapDone[e] = ids, true
		r.mu.Unlock()
		if err := r.j.write(journalEvent{Ev: evSnapshot, Entity: e, IDs: list}); err != nil {
			return err
		}
	}
	return nil
}

// serverIDs brings the entity's cache up to date (incrementally where it
// can: usually one request) and returns the ids it holds.
func (r *applyRun) serverIDs(ctx context.Context, entity string) (map[int64]bool, error) {
	s := r.w.reader.Syncer()
	if _, err := s.Sync(ctx, entity, true); err != nil {
		return nil, err
	}
	records, err := s.Cache().Records(entity)
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(records))
	for _, rec := range records {
		if k := readSyncKeys(rec); k.idText() != "" {
			ids[jsonInt(k.ID)] = true
		}
	}
	return ids, nil
}

// oneAtATime says whether g's requests must go out one by one: keyless
// creates on a path that already had an unknown outcome in this run.
func (r *applyRun) oneAtATime(g *group) bool {
	if g.method != http.MethodPost || g.del || len(g.items) == 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unsure[g.path] && keyless(r.ops[g.items[0]], r.targets[g.items[0]])
}

// countable says whether item i's unknown outcome can be settled by
// counting: a keyless create whose entity has a snapshot.
func (r *applyRun) countable(i int) bool {
	if !keyless(r.ops[i], r.targets[i]) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshot[readEntity(r.ops[i].Entity)] != nil
}

// count settles the unresolved keyless creates of one entity by the
// server's new ids; it returns the items to send again.
func (r *applyRun) count(ctx context.Context, ev *journalEvent, entity string, items []int) ([]int, error) {
	now, err := r.serverIDs(ctx, entity)
	if err != nil {
		if isStop(ctx, err) {
			return nil, err
		}
		for _, i := range items {
			r.unknown(ev, i, "reading the server's records to count them failed ("+err.Error()+"), so it was not sent again; `skynamo writes resume` tries again")
		}
		return nil, nil
	}
	pool := map[int]bool{}
	for _, i := range items {
		pool[i] = true
	}
	r.mu.Lock()
	snap := r.snapshot[entity]
	var snapMax int64
	for id := range snap {
		snapMax = max(snapMax, id)
	}
	known := map[int64]bool{}
	appliedNoID, unknownOld := 0, 0
	for j, res := range r.res {
		if pool[j] || readEntity(r.ops[j].Entity) != entity {
			continue
		}
		if res.ID != 0 && (r.state[j] == stDone || res.Status == StatusApplied) {
			known[res.ID] = true
		}
		if !keyless(r.ops[j], r.targets[j]) {
			continue
		}
		switch {
		case r.state[j] == stDone && res.Status == StatusApplied && res.ID == 0:
			appliedNoID++
		case r.state[j] == stDone && res.Status == StatusUnknown, r.state[j] == stInFlight, r.state[j] == stUnresolved:
			unknownOld++
		}
	}
	r.mu.Unlock()
	var fresh []int64
	for id := range now {
		if !snap[id] && !known[id] {
			fresh = append(fresh, id)
		}
	}
	sort.Slice(fresh, func(a, b int) bool { return fresh[a] < fresh[b] })
	// Records this run created and knows only by count are among the
	// fresh ones.
	extra := len(fresh) - appliedNoID
	all400 := true
	reqs := map[int64]bool{}
	for _, i := range items {
		all400 = all400 && r.after400[i]
		reqs[r.req[i]] = true
	}
	path := r.ops[items[0]].Path
	seen := fmt.Sprintf("%s: %s not there before the run and not reported by the API", entity, plural(int64(len(fresh)), "record"))
	switch {
	case extra == 0:
		if all400 {
			r.w.learnValidOnError(path, false)
		}
		return items, nil
	case extra == len(items) && unknownOld == 0:
		if all400 {
			r.w.learnValidOnError(path, true)
		}
		// The API numbers records upward: when every new id is above
		// the snapshot's and one request holds them all, the ids follow
		// its items' order.
		withIDs := appliedNoID == 0 && len(reqs) == 1 && (len(fresh) == 0 || fresh[0] > snapMax)
		order := append([]int(nil), items...)
		sort.Ints(order) // a request holds its items in queue order
		for k, i := range order {
			res := ItemResult{Status: StatusApplied, Detail: []string{"saved: counted on the server after " + r.whyOf(i) + " (" + seen + ")"}}
			if withIDs {
				res.ID = fresh[k]
			} else {
				res.Detail[0] += "; which id is its own is not known"
			}
			r.mu.Lock()
			r.settle(i, res)
			ev.Results = append(ev.Results, r.res[i])
			r.mu.Unlock()
		}
		return nil, nil
	}
	if r.opt.ResendUnknown {
		return items, nil
	}
	then := fmt.Sprintf("the server shows %s, %s of ours unresolved", seen, itemWord(len(items)+unknownOld))
	if appliedNoID > 0 {
		then += fmt.Sprintf(" and %d saved without a known id", appliedNoID)
	}
	then += ", so whether it was saved cannot be told and it was not sent again: check in Skynamo, " +
		"then resend it with apply{resend_unknown=true} or `skynamo writes resume --resend-unknown`"
	for _, i := range items {
		r.unknown(ev, i, then)
	}
	return nil, nil
}
