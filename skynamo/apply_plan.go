package skynamo

import (
	"net/http"
	"sort"
)

// group is the ops of one request shape: one method on one path (and, for
// /integrations, one action). Its items are positions in the run's queue,
// in queue order.
type group struct {
	method, path string
	action       string // /integrations: AddCustomFields or AutoGrowEnums
	listKey      string // /integrations: the body's list property
	del          bool
	rank         int
	first        int // position of its first op: ties keep queue order
	items        []int
}

// integration returns the IntegrationRequest action and list property an
// /integrations op goes in.
func integration(k WriteKind) (action, listKey string) {
	switch k {
	case KindAddField:
		return "AddCustomFields", "fields_to_add"
	case KindGrowEnum:
		return "AutoGrowEnums", "enum_grow_data"
	}
	return "", ""
}

// methodOrder puts a rank's creates before its replaces and updates.
var methodOrder = map[string]int{http.MethodPost: 0, http.MethodPut: 1, http.MethodPatch: 2, http.MethodDelete: 3}

// plan groups the given positions and orders the groups so that what a
// later item refers to exists first: creates, replaces and updates by the
// target's rank (tax rates and warehouses before products, customers
// before their contacts), then deletes in reverse rank (contacts before
// their customer).
func (r *applyRun) plan(items []int) []*group {
	byKey := map[groupKey]*group{}
	var groups []*group
	for _, i := range items {
		op, t := r.ops[i], r.targets[i]
		key := groupOf(op)
		g := byKey[key]
		if g == nil {
			_, listKey := integration(op.Kind)
			g = &group{method: op.Method, path: op.Path, action: key.action, listKey: listKey, del: key.del, rank: t.Rank, first: i}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, i)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		ga, gb := groups[a], groups[b]
		if ga.del != gb.del {
			return !ga.del
		}
		if ga.rank != gb.rank {
			if ga.del {
				return ga.rank > gb.rank
			}
			return ga.rank < gb.rank
		}
		if ma, mb := methodOrder[ga.method], methodOrder[gb.method]; ma != mb {
			return ma < mb
		}
		return ga.first < gb.first
	})
	return groups
}

// groupKey is what puts two ops in one group.
type groupKey struct {
	method, path, action string
	del                  bool
}

func groupOf(op WriteOp) groupKey {
	action, _ := integration(op.Kind)
	return groupKey{op.Method, op.Path, action, op.Kind == KindDelete}
}

// phases cuts the pending items, in queue order, where a record comes up
// again in another group than before (a stock level deleted, then set; a
// PATCH queued before a PUT of the same record). plan orders groups by
// rank and method, not by the queue, so the phases run one after another
// and keep the queue's order on each record. A batch without such a
// record is one phase.
func (r *applyRun) phases(items []int) [][]int {
	var out [][]int
	start := 0
	seen := map[string]groupKey{}
	for n, i := range items {
		key := r.keys[i]
		if key == "" {
			continue
		}
		g := groupOf(r.ops[i])
		if before, ok := seen[key]; ok && before != g {
			out = append(out, items[start:n:n])
			start = n
			clear(seen)
		}
		seen[key] = g
	}
	return append(out, items[start:])
}

// rounds splits a group so that no record is in two requests at once: an
// op whose RecordKey already came up earlier in the group waits for a
// later round. Rounds keep queue order, so the second update of a record
// lands after the first.
func (r *applyRun) rounds(items []int) [][]int {
	seen := map[string]int{}
	var out [][]int
	for _, i := range items {
		n := 0
		if key := r.keys[i]; key != "" {
			n = seen[key]
			seen[key] = n + 1
		}
		for len(out) <= n {
			out = append(out, nil)
		}
		out[n] = append(out[n], i)
	}
	return out
}

// chunks cuts a round into requests of at most size items.
func chunks(items []int, size int) [][]int {
	var out [][]int
	for len(items) > size {
		out = append(out, items[:size:size])
		items = items[size:]
	}
	if len(items) > 0 {
		out = append(out, items)
	}
	return out
}
