package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestDeletesVanish(t *testing.T) {
	s, base := startServer(t, smallOptions())
	for _, col := range []string{"customers", "tasks", "invoices", "scheduledvisits", "orders", "contacts"} {
		total := get(t, base, col).page(t).Page.TotalItemCount
		var gone []string
		if col == "invoices" {
			for _, r := range s.Records(col) {
				gone = append(gone, r["external_id"].(string))
			}
		}
		_, _, deleted := s.Mutate(col, 0, 0, 3)
		if len(deleted) != 3 || !slices.IsSorted(deleted) {
			t.Fatalf("%s: deleted %v", col, deleted)
		}
		p := get(t, base, col).page(t)
		if p.Page.TotalItemCount != total-3 || p.Page.FilteredItemCount != total-3 {
			t.Errorf("%s: counts %+v after deleting 3 of %d", col, p.Page, total)
		}
		q := url.Values{}
		if _, versioned := s.endpoints[col].filters["row_version"]; versioned {
			q = filterQuery("greater_than(row_version,0)")
		}
		pulled := ids(t, pullAll(t, base, col, q))
		for _, id := range deleted {
			if slices.Contains(pulled, id) || slices.Contains(ids(t, s.Records(col)), id) {
				t.Errorf("%s %d: still listed after its deletion", col, id)
			}
			if r := get(t, base, col+"/"+strconv.FormatInt(id, 10)); r.status != http.StatusNotFound {
				t.Errorf("%s/%d after deletion: %d", col, id, r.status)
			}
		}
		if col == "invoices" {
			missing := 0
			for _, ext := range gone {
				if get(t, base, "invoicesbyexternalid/"+url.PathEscape(ext)).status == http.StatusNotFound {
					missing++
				}
			}
			if missing != 3 {
				t.Errorf("%d invoices gone by external id, want 3", missing)
			}
		}
	}
}

func TestDeletedIDsAreNeverReused(t *testing.T) {
	for _, notAtEnd := range []bool{false, true} {
		s := New(smallOptions())
		s.SetBehaviour(Behaviour{NewNotAtEnd: notAtEnd})
		old := ids(t, s.Records("tasks"))
		_, _, deleted := s.Mutate("tasks", 0, 0, len(old))
		if len(deleted) != len(old) || len(s.Records("tasks")) != 0 {
			t.Fatalf("deleting all %d tasks left %d", len(old), len(s.Records("tasks")))
		}
		inserted, _, _ := s.Mutate("tasks", 3, 0, 0)
		for _, id := range inserted {
			if id >= old[0] && id <= old[len(old)-1] {
				t.Errorf("NewNotAtEnd=%v: new task id %d within the old range %d..%d", notAtEnd, id, old[0], old[len(old)-1])
			}
		}
	}
}

func TestNewRecordsAtTheEndOrNot(t *testing.T) {
	for _, col := range []string{"orders", "customers", "invoices", "tasks"} {
		s, base := startServer(t, smallOptions())
		old := ids(t, s.Records(col))
		atEnd, _, _ := s.Mutate(col, 2, 0, 0)
		if len(atEnd) != 2 || atEnd[0] <= old[len(old)-1] || atEnd[1] <= atEnd[0] {
			t.Errorf("%s: new ids %v, want after %d", col, atEnd, old[len(old)-1])
		}
		s.SetBehaviour(Behaviour{NewNotAtEnd: true})
		before, _, _ := s.Mutate(col, 2, 0, 0)
		if len(before) != 2 || before[0] >= old[0] || before[1] >= old[0] {
			t.Errorf("%s with NewNotAtEnd: new ids %v, want below %d", col, before, old[0])
		}
		// An append-only client resuming from the last page it saw finds
		// nothing new, although there is.
		first := pageIDs(t, base, col, 1, 2)
		if !slices.Contains(first, before[0]) || !slices.Contains(first, before[1]) {
			t.Errorf("%s: page 1 is %v, want the new %v", col, first, before)
		}
	}
}

// Orders bring their interaction and completed forms, as seeded ones do.
func TestInsertedOrdersAreComplete(t *testing.T) {
	s := New(smallOptions())
	s.SetBehaviour(Behaviour{NewNotAtEnd: true})
	inserted, _, _ := s.Mutate("orders", 2, 0, 0)
	byID := func(col string) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, r := range s.Records(col) {
			m[r["id"].(json.Number).String()] = r
		}
		return m
	}
	orders, interactions, forms := byID("orders"), byID("interactions"), byID("completedforms")
	for _, id := range inserted {
		o := orders[strconv.FormatInt(id, 10)]
		in := interactions[o["interaction_id"].(json.Number).String()]
		if in == nil || in["order_id"] != o["id"] {
			t.Fatalf("order %d: interaction %v does not point back", id, o["interaction_id"])
		}
		fids := in["completed_form_ids"].([]any)
		if len(fids) == 0 {
			t.Fatalf("order %d: no completed forms", id)
		}
		for _, f := range fids {
			cf := forms[f.(json.Number).String()]
			if cf == nil || cf["interaction_id"] != in["id"] || len(cf["custom_fields"].([]any)) == 0 {
				t.Errorf("order %d: completed form %v missing or unlinked", id, f)
			}
		}
		if date(t, o, "date").After(date(t, o, "last_modified_time")) {
			t.Errorf("order %d dated after its last change", id)
		}
	}
}

func TestInsertedCustomersAreLikeSeededOnes(t *testing.T) {
	s, base := startServer(t, smallOptions())
	seeded := s.Records("customers")
	var maxRV int64
	codes := map[any]bool{}
	for _, c := range seeded {
		maxRV = max(maxRV, mustInt(t, c["row_version"]))
		codes[c["code"]] = true
	}
	inserted, _, _ := s.Mutate("customers", 3, 0, 0)
	got := pullAll(t, base, "customers", filterQuery("greater_than(row_version,"+strconv.FormatInt(maxRV, 10)+")"))
	if !sameIDs(ids(t, got), inserted) {
		t.Fatalf("row_version pull after inserts: %v, inserted %v", ids(t, got), inserted)
	}
	for _, c := range got {
		if codes[c["code"]] {
			t.Errorf("customer %v reuses code %v", c["id"], c["code"])
		}
		if len(c["custom_fields"].([]any)) != len(seeded[0]["custom_fields"].([]any)) {
			t.Errorf("customer %v has %d custom fields", c["id"], len(c["custom_fields"].([]any)))
		}
		if created := date(t, c, "create_date"); !created.After(testNow) {
			t.Errorf("customer %v created %v, before the instance's Now", c["id"], created)
		}
	}
}

// Every collection takes updates and deletes, and those that take inserts
// make records the spec allows.
func TestMutatedRecordsKeepTheContract(t *testing.T) {
	sp := loadSpec(t)
	s, base := startServer(t, smallOptions())
	noInserts := []string{"users", "warehouses", "taxrates", "pricelists", "formdefinitions", "stocklevels", "prices"}
	for _, ep := range endpoints() {
		total := len(s.Records(ep.name))
		inserted, updated, deleted := s.Mutate(ep.name, 2, 2, 1)
		wantInserts := 2
		if slices.Contains(noInserts, ep.name) {
			wantInserts = 0
		}
		if len(inserted) != wantInserts || len(updated) != 2 || len(deleted) != 1 {
			t.Errorf("%s: %d inserted, %d updated, %d deleted", ep.name, len(inserted), len(updated), len(deleted))
		}
		if got := len(s.Records(ep.name)); got != total+wantInserts-1 {
			t.Errorf("%s: %d records after the changes, want %d", ep.name, got, total+wantInserts-1)
		}
		item := sp.Paths["/"+ep.name]["get"].Responses["200"].Schema.Properties["data"].Items
		for _, rec := range pullAll(t, base, ep.name, url.Values{"flags": {"show_nulls,show_enums"}}) {
			checkValue(t, sp, ep.name, item, rec)
		}
	}
}

func TestUpdatesAreVisible(t *testing.T) {
	s := New(smallOptions())
	for _, col := range []string{"customers", "tasks", "invoices", "orders", "stocklevels", "visitfrequencies"} {
		before := s.Records(col)
		s.Mutate(col, 0, 3, 0)
		after := s.Records(col)
		changed := 0
		for i := range before {
			if !reflect.DeepEqual(before[i], after[i]) {
				changed++
				if lm, ok := before[i]["last_modified_time"]; ok && !date(t, after[i], "last_modified_time").After(date(t, before[i], "last_modified_time")) {
					t.Errorf("%s: last_modified_time %v did not move on", col, lm)
				}
			}
		}
		if changed != 3 {
			t.Errorf("%s: %d records changed, want 3", col, changed)
		}
	}
}

func TestMutateIsDeterministic(t *testing.T) {
	run := func(seed int64) ([][]int64, map[string][]map[string]any) {
		o := smallOptions()
		o.Seed = seed
		s := New(o)
		var out [][]int64
		for _, col := range []string{"customers", "orders", "tasks", "customers"} {
			in, up, del := s.Mutate(col, 2, 3, 1)
			out = append(out, in, up, del)
		}
		recs := map[string][]map[string]any{}
		for _, col := range []string{"customers", "orders", "interactions", "completedforms", "tasks"} {
			recs[col] = withoutTimes(s.Records(col))
		}
		return out, recs
	}
	a, ra := run(7)
	b, rb := run(7)
	c, _ := run(8)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different changes:\n%v\n%v", a, b)
	}
	if !reflect.DeepEqual(ra, rb) {
		t.Error("same seed and changes, different records")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds, same changes")
	}
}

// withoutTimes drops date-times, which follow the clock of the change.
func withoutTimes(recs []map[string]any) []map[string]any {
	for _, r := range recs {
		for k, v := range r {
			if s, ok := v.(string); ok {
				if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
					delete(r, k)
				}
			}
		}
	}
	return recs
}

func TestLegacyVersion(t *testing.T) {
	s, base := startServer(t, smallOptions())
	get(t, base, "customers?flags=show_nulls") // fill the caches the switch must drop
	s.SetBehaviour(Behaviour{LegacyVersion: true})
	check := func(where string, m map[string]any, legacy bool) {
		t.Helper()
		_, hasRV := m["row_version"]
		_, hasV := m["version"]
		if hasRV == legacy || hasV != legacy {
			t.Errorf("%s: row_version %v, version %v with LegacyVersion %v", where, hasRV, hasV, legacy)
		}
	}
	for _, col := range []string{"customers", "invoices", "tasks"} {
		for _, q := range []string{"", "?flags=show_nulls"} {
			check(col+q, get(t, base, col+q).page(t).Data[0], true)
		}
		check(col+" Records", s.Records(col)[0], true)
		for _, f := range []string{"version", "row_version"} {
			if got := pullAll(t, base, col, filterQuery("greater_than("+f+",0)")); len(got) != len(s.Records(col)) {
				t.Errorf("%s filtered by %s: %d records", col, f, len(got))
			}
		}
	}
	var single map[string]any
	if err := json.Unmarshal(get(t, base, "customers/"+s.Records("customers")[0]["id"].(json.Number).String()).body, &single); err != nil {
		t.Fatal(err)
	}
	check("single customer", single, true)
	if _, ok := get(t, base, "orders").page(t).Data[0]["version"]; ok {
		t.Error("orders carry a version")
	}
	s.SetBehaviour(Behaviour{})
	check("customers after switching back", get(t, base, "customers?flags=show_nulls").page(t).Data[0], false)
}
