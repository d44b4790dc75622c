package skynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Resolving an unknown outcome: a request was sent and its answer lost (a
// 502 or a dropped connection after the API saved it, a timeout), or the
// API refused the request for other items' sake and may or may not have
// saved the valid ones (FACTS.md, Unknowns). Sending such an item again
// blindly could create it twice, so:
//   - idempotent writes (PUT, PATCH, DELETE, the upserts of stock levels
//     and prices, enum growth) are simply sent again;
//   - creates with a natural key (a code, an external id, a name) are
//     looked up on the server: found means applied, with its id; not
//     found means sent again;
//   - creates without one are counted: the entity's new ids against a
//     snapshot taken before the run's first such create (apply_keyless.go);
//     where the count cannot tell, they end StatusUnknown, unless the user
//     said to resend them (ApplyOptions.ResendUnknown).

// readEntity is the cached entity a write target's records are read as:
// custom fields and enum labels live in the form definitions. "" when the
// target has no list to read (the cache cannot be refreshed for it).
func readEntity(target string) string {
	switch target {
	case "custom_fields", "enum_labels":
		return "form_definitions"
	}
	if entityNames()[target] {
		return target
	}
	return ""
}

// entityNames is the set of entity names, built once: readEntity runs per
// item, and entityTable builds the whole table on each call.
var entityNames = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, name := range EntityNames() {
		set[name] = true
	}
	return set
})

// resolve decides what becomes of items whose outcome is unknown: each
// ends applied (found), pending (to send again) or unknown. It returns an
// error only to stop the run.
func (r *applyRun) resolve(ctx context.Context, items []int) error {
	if len(items) == 0 {
		return nil
	}
	ev := journalEvent{Ev: evResolve}
	var resend []int
	keyed := map[string][]int{}
	counted := map[string][]int{}
	for _, i := range items {
		op, t := r.ops[i], r.targets[i]
		switch {
		case idempotent(op, t):
			resend = append(resend, i)
		case r.after400[i] && r.w.rejectsValid(op.Path):
			// Seen before on this path: a refused request saved nothing.
			resend = append(resend, i)
		case lookupable(op, t):
			e := readEntity(op.Entity)
			keyed[e] = append(keyed[e], i)
		case r.countable(i):
			e := readEntity(op.Entity)
			counted[e] = append(counted[e], i)
		case r.opt.ResendUnknown:
			resend = append(resend, i)
		default:
			r.unknown(&ev, i, "it has no natural key to look it up by, so it was not sent again: check in Skynamo, "+
				"then resend it with apply{resend_unknown=true} or `skynamo writes resume --resend-unknown`")
		}
	}
	for _, e := range sortedKeys(keyed) {
		its := keyed[e]
		found, err := r.lookup(ctx, e, its)
		if err != nil {
			if isStop(ctx, err) {
				_ = r.j.write(ev)
				return err // the items stay unresolved; a resume looks again
			}
			for _, i := range its {
				r.unknown(&ev, i, "looking it up on the server failed ("+err.Error()+"), so it was not sent again; `skynamo writes resume` tries again")
			}
			continue
		}
		saved := map[string][2]int{} // path -> valid items of refused requests found / not found
		for _, i := range its {
			f, ok := found[i]
			if r.after400[i] {
				n := saved[r.ops[i].Path]
				if ok {
					n[0]++
				} else {
					n[1]++
				}
				saved[r.ops[i].Path] = n
			}
			if !ok {
				resend = append(resend, i)
				continue
			}
			why := r.whyOf(i)
			r.mu.Lock()
			r.settle(i, ItemResult{Status: StatusApplied, ID: f.ID, Code: f.Code, RowVersion: f.RowVersion,
				Detail: []string{"found on the server by its natural key after " + why}})
			ev.Results = append(ev.Results, r.res[i])
			r.mu.Unlock()
		}
		for path, n := range saved {
			// One request's evidence, and only when it agrees, decides
			// for the path.
			if n[0] == 0 || n[1] == 0 {
				r.w.learnValidOnError(path, n[0] > 0)
			}
		}
	}
	for _, e := range sortedKeys(counted) {
		again, err := r.count(ctx, &ev, e, counted[e])
		if err != nil {
			_ = r.j.write(ev)
			return err // the items stay unresolved; a resume counts again
		}
		resend = append(resend, again...)
	}
	for _, i := range resend {
		if r.sends[i] >= maxSends {
			r.unknown(&ev, i, fmt.Sprintf("sent %d times without a clear answer; `skynamo writes resume` tries again", r.sends[i]))
			continue
		}
		r.mu.Lock()
		r.state[i] = stPending
		r.mu.Unlock()
		ev.Pending = append(ev.Pending, r.ops[i].Index)
	}
	sort.Ints(ev.Pending)
	return r.j.write(ev)
}

// whyOf is what made item i's outcome unknown.
func (r *applyRun) whyOf(i int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.why[i] != "" {
		return r.why[i]
	}
	return "its request was sent but no answer was recorded"
}

// unknown ends item i as StatusUnknown: why its outcome is unknown, then
// what was (not) done about it.
func (r *applyRun) unknown(ev *journalEvent, i int, then string) {
	why := r.whyOf(i)
	r.mu.Lock()
	r.settle(i, ItemResult{Status: StatusUnknown, Detail: []string{why + "; " + then}})
	ev.Results = append(ev.Results, r.res[i])
	r.mu.Unlock()
}

func (w *Writer) rejectsValid(path string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	saved, known := w.validOnError[path]
	return known && !saved
}

func (w *Writer) learnValidOnError(path string, saved bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.validOnError[path] = saved
}

// lookup pulls the entity (incrementally where it is versioned: one
// request that also refreshes the cache; whole where it is a small
// reference list) and finds each item's record by its natural key. Records
// that had the key before the run (the preimage) and records another item
// of this run already claimed do not count: they are not this item's.
func (r *applyRun) lookup(ctx context.Context, entity string, items []int) (map[int]postEntry, error) {
	s := r.w.reader.Syncer()
	if _, err := s.Sync(ctx, entity, true); err != nil {
		return nil, err
	}
	records, err := s.Cache().Records(entity)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	keys := make(map[int]string, len(items))
	for _, i := range items {
		k, ok := r.naturalKey(i)
		if ok {
			keys[i] = k
			want[k] = true
		}
	}
	candidates := matchRecords(entity, records, want)
	taken := map[int64]bool{}
	r.mu.Lock()
	for id := range r.preimage[entity] {
		taken[id] = true
	}
	for j, res := range r.res {
		if r.state[j] == stDone && res.Status == StatusApplied && res.ID != 0 && readEntity(r.ops[j].Entity) == entity {
			taken[res.ID] = true
		}
	}
	r.mu.Unlock()
	found := map[int]postEntry{}
	for _, i := range items {
		list := candidates[keys[i]]
		// The newest match first: a record made by this run is younger
		// than any that was there before.
		for k := len(list) - 1; k >= 0; k-- {
			if c := list[k]; !taken[c.ID] {
				taken[c.ID] = true
				found[i] = c
				break
			}
		}
	}
	return found, nil
}

// naturalKey is the text an item's record is found by: the values of the
// target's natural key properties in the item, joined; op.NaturalKey when
// the item does not hold them.
func (r *applyRun) naturalKey(i int) (string, bool) {
	op, t := r.ops[i], r.targets[i]
	props := strings.Split(t.NaturalKey, "+")
	var item map[string]any
	dec := json.NewDecoder(bytes.NewReader(op.Item))
	dec.UseNumber()
	if dec.Decode(&item) != nil {
		item = nil
	}
	parts := make([]string, len(props))
	for k, p := range props {
		v, ok := item[p]
		if !ok {
			if len(props) == 1 && op.NaturalKey != "" {
				return op.NaturalKey, true
			}
			return "", false
		}
		parts[k] = keyText(v)
	}
	return strings.Join(parts, "\x00"), true
}

// keyText is a key value as text, so that 12 and "12" match.
func keyText(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// matchRecords indexes the records whose natural key is wanted, in the
// cache's order. Form definitions are matched per custom field: a field is
// found by its form's id and its name, and its entry carries the field id.
func matchRecords(entity string, records []json.RawMessage, want map[string]bool) map[string][]postEntry {
	out := map[string][]postEntry{}
	if len(want) == 0 {
		return out
	}
	props := naturalProps(entity)
	for _, raw := range records {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&m) != nil {
			continue
		}
		if entity == "form_definitions" {
			formID := keyText(m["id"])
			fields, _ := m["custom_fields"].([]any)
			for _, f := range fields {
				fm, _ := f.(map[string]any)
				k := formID + "\x00" + keyText(fm["name"])
				if want[k] {
					id, _ := IntProp(fm, "id")
					out[k] = append(out[k], postEntry{ID: id})
				}
			}
			continue
		}
		for _, p := range props {
			if k := keyText(m[p]); want[k] {
				out[k] = append(out[k], entryOf(m))
			}
		}
	}
	return out
}

// naturalProps are the properties a record of entity may be found by; the
// lookup tries each, as the write target names one of them.
func naturalProps(entity string) []string {
	var props []string
	for _, t := range WriteTargets() {
		if readEntity(t.Entity) == entity && t.NaturalKey != "" && !strings.Contains(t.NaturalKey, "+") {
			props = append(props, t.NaturalKey)
		}
	}
	if len(props) == 0 {
		props = []string{"code", "external_id", "name"}
	}
	return props
}

// takePreimage notes, before a group of creates is first sent, which
// records already carry the natural keys its items will be looked up by,
// for entities whose keys the API does not keep unique (names of tax
// rates, warehouses, price lists). Otherwise an older "VAT 15%" could pass
// for the one this run created. The lists are small, and read fresh: one
// made since the cache was pulled is as old as any. Codes and external
// ids are unique, so versioned entities need none. Without a preimage no
// such create is sent: the error stops the run.
func (r *applyRun) takePreimage(ctx context.Context, g *group, items []int) error {
	if g.method != http.MethodPost || g.del {
		return nil
	}
	for _, i := range items {
		if !needsPreimage(r.ops[i], r.targets[i]) {
			continue
		}
		e := readEntity(r.ops[i].Entity)
		if r.preDone[e] {
			continue
		}
		if err := r.preimageOf(ctx, e); err != nil {
			return err
		}
		r.preDone[e] = true
	}
	return nil
}

// needsPreimage says whether op is a create whose record, after a lost
// answer, is looked up by a key the API does not keep unique.
func needsPreimage(op WriteOp, t WriteTarget) bool {
	if op.Method != http.MethodPost || op.Kind == KindDelete || idempotent(op, t) || !lookupable(op, t) {
		return false
	}
	ent, err := LookupEntity(readEntity(op.Entity))
	return err == nil && ent.Kind != Versioned
}

func (r *applyRun) preimageOf(ctx context.Context, entity string) error {
	records, err := r.w.reader.Syncer().Records(ctx, entity, true)
	if err != nil {
		return fmt.Errorf("%s: reading what exists before creating failed, so none was created: %w", entity, err)
	}
	want := map[string]bool{}
	for j := range r.ops {
		if readEntity(r.ops[j].Entity) == entity && lookupable(r.ops[j], r.targets[j]) && !idempotent(r.ops[j], r.targets[j]) {
			if k, ok := r.naturalKey(j); ok {
				want[k] = true
			}
		}
	}
	ids := map[int64]bool{}
	var list []int64
	for _, cs := range matchRecords(entity, records, want) {
		for _, c := range cs {
			if !ids[c.ID] {
				ids[c.ID] = true
				list = append(list, c.ID)
			}
		}
	}
	sort.Slice(list, func(a, b int) bool { return list[a] < list[b] })
	r.mu.Lock()
	r.preimage[entity] = ids
	r.mu.Unlock()
	return r.j.write(journalEvent{Ev: evPreimage, Entity: entity, IDs: list})
}

// sortedKeys are m's keys in order, so lookups go out in a stable order.
func sortedKeys(m map[string][]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
