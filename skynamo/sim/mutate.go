package sim

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// mutator makes the changes of Mutate and TouchCustomers. Everything it
// draws comes from its own random stream, so the same seed and the same
// sequence of calls change the same records in the same way (only the
// timestamps follow the clock). Guarded by the store's write lock.
type mutator struct {
	sd    *seeder
	rng   *rand.Rand
	names []string // collection names in a fixed order, for deterministic inserts
	edits int64    // numbers the edits of records that carry no row_version
}

func newMutator(sd *seeder, rng *rand.Rand) *mutator {
	m := &mutator{sd: sd, rng: rng}
	for _, ep := range endpoints() {
		m.names = append(m.names, ep.name)
	}
	return m
}

// Mutate changes a collection the way its users and the ERP would between
// two reads: it deletes, then updates, then inserts records, and returns
// the ids of each in ascending order (inserts in creation order).
//
//   - Deleted records vanish from lists, single GETs and every filter
//     (including row_version pulls); total_item_count drops. Their ids are
//     never handed out again.
//   - Updated records get a new row_version (where the entity has one), a
//     new last_modified_time and a visible change (a customer's name and
//     credit limit, a task's description, an invoice paid, ...).
//   - Inserted records are made like the seeded ones: customers with
//     custom fields, orders, quotes and credit requests with their
//     interaction and completed forms, and so on. Their ids come after
//     every id the collection ever had, or before them with
//     Behaviour.NewNotAtEnd. The fixed reference data (users, warehouses,
//     tax rates, price lists, form definitions) and the id-less stock
//     levels and prices take updates and deletes but no inserts.
//
// Stock levels and prices have no id in the API; their internal sequence
// numbers are returned. Mutate panics on a collection the simulator does
// not serve.
func (s *Server) Mutate(collection string, inserts, updates, deletes int) (inserted, updated, deleted []int64) {
	name, ok := collectionName(collection)
	if !ok {
		panic("sim: Mutate of unknown collection " + strconv.Quote(collection))
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	c := s.st.cols[name]
	for _, r := range s.mut.pick(c, deletes) {
		s.deleteRecord(c, r)
		deleted = append(deleted, r.id)
	}
	for _, r := range s.mut.pick(c, updates) {
		s.update(c, r)
		updated = append(updated, r.id)
	}
	for i := 0; i < inserts; i++ {
		ids, ok := s.insert(name)
		if !ok {
			break
		}
		inserted = append(inserted, ids...)
	}
	return inserted, updated, deleted
}

// pick draws k distinct records of c, returned in id order.
func (m *mutator) pick(c *collection, k int) []*record {
	n := len(c.records)
	k = min(max(k, 0), n)
	if k == 0 {
		return nil
	}
	var idx []int
	if 2*k >= n {
		idx = m.rng.Perm(n)[:k]
	} else {
		// A churned pull asks for a handful of a large collection on every
		// page: drawing them one by one avoids a permutation of it all.
		seen := make(map[int]bool, k)
		for len(idx) < k {
			if i := m.rng.IntN(n); !seen[i] {
				seen[i] = true
				idx = append(idx, i)
			}
		}
	}
	slices.Sort(idx)
	recs := make([]*record, k)
	for j, i := range idx {
		recs[j] = c.records[i]
	}
	return recs
}

// deleteRecord removes r from c and from the external id index.
func (s *Server) deleteRecord(c *collection, r *record) {
	c.remove(r)
	if c.name == "invoices" {
		if v, ok := r.props.get("external_id"); ok && v != nil && s.st.invoicesByExternalID[v.(string)] == r {
			delete(s.st.invoicesByExternalID, v.(string))
		}
	}
}

// update changes r as a user editing it would, with a fresh row_version and
// last_modified_time.
func (s *Server) update(c *collection, r *record) {
	t := s.st.changeTime(s.clock(), s.opts.Now)
	var n int64
	if _, ok := r.props.get("row_version"); ok {
		n = s.st.nextRowVersion()
		r.props.set("row_version", n)
	} else {
		s.mut.edits++
		n = s.mut.edits
	}
	edit(c.name, r, n)
	c.setModified(r, t)
	c.changed(r)
}

// edit makes the visible part of change number n (the row_version where
// there is one): a marked name or text, or a value that moves on.
func edit(col string, r *record, n int64) {
	switch col {
	case "customers":
		mark(r, "name", n)
		if v, ok := r.props.get("custom_fields"); ok {
			fields := v.([]customField) // each record has its own
			for j := range fields {
				if fields[j].id == 101 { // Credit Limit (R)
					fields[j].value = strconv.FormatInt(1000*(n%97+1), 10)
				}
			}
		}
	case "products", "warehouses", "taxrates", "pricelists", "formdefinitions":
		mark(r, "name", n)
	case "users":
		mark(r, "display_name", n)
	case "contacts":
		mark(r, "job_title", n)
	case "tasks":
		mark(r, "description", n)
	case "scheduledvisits", "customercomments", "interactions":
		mark(r, "comment", n)
	case "orders", "quotes", "creditrequests":
		mark(r, "reference", n)
	case "invoices":
		if v, _ := r.props.get("outstanding_balance"); v != 0.0 {
			r.props.set("outstanding_balance", 0.0)
			r.props.set("status", "Paid")
		} else {
			mark(r, "reference", n)
		}
	case "visitfrequencies":
		if v, ok := r.props.get("cycle"); ok {
			r.props.set("cycle", v.(int64)%4+1)
		}
	case "stocklevels":
		if v, ok := r.props.get("level"); ok {
			level := float64((int64(v.(float64)) + 37) % 400)
			r.props.set("level", level)
			r.props.set("label", stockLabel(level))
		}
	case "prices":
		if v, ok := r.props.get("price"); ok {
			r.props.set("price", round2(v.(float64)*1.05))
		}
	}
	// Completed forms change only in their stamps: their values belong to
	// the form's field types, which a blind edit could break.
}

// mark replaces a text's " [rev N]" suffix (or adds one), so repeated edits
// do not make it grow.
func mark(r *record, key string, n int64) {
	v, _ := r.props.get(key)
	base, _ := v.(string)
	if i := strings.Index(base, "[rev "); i >= 0 {
		base = strings.TrimSuffix(base[:i], " ")
	}
	if base != "" {
		base += " "
	}
	r.props.set(key, base+"[rev "+strconv.FormatInt(n, 10)+"]")
}
