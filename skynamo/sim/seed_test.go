package sim

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDeterministic(t *testing.T) {
	_, a := startServer(t, smallOptions())
	_, b := startServer(t, smallOptions())
	o := smallOptions()
	o.Seed = 8
	_, c := startServer(t, o)
	for _, ep := range endpoints() {
		q := "?page_size=200&flags=show_nulls,show_enums"
		ra, rb, rc := get(t, a, ep.name+q), get(t, b, ep.name+q), get(t, c, ep.name+q)
		if !bytes.Equal(ra.body, rb.body) {
			t.Errorf("%s: same seed, different bytes", ep.name)
		}
		if ep.name == "customers" && bytes.Equal(ra.body, rc.body) {
			t.Errorf("%s: different seed, same bytes", ep.name)
		}
	}
}

// More orders must not reshuffle the customers: each family of data draws
// from its own random stream.
func TestSizesAreIndependent(t *testing.T) {
	o := smallOptions()
	a := New(o)
	o.Orders *= 2
	b := New(o)
	ca, cb := a.Records("customers"), b.Records("customers")
	for i := range ca {
		delete(ca[i], "row_version")
		delete(cb[i], "row_version")
	}
	if !reflect.DeepEqual(ca, cb) {
		t.Error("customers changed with the number of orders")
	}
}

func TestTouchCustomers(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := map[int64]map[string]any{}
	var maxRV int64
	for _, c := range s.Records("customers") {
		before[idOf(t, c)] = c
	}
	for _, col := range []string{"customers", "products", "invoices", "contacts", "tasks", "scheduledvisits", "customercomments", "visitfrequencies"} {
		for _, r := range s.Records(col) {
			maxRV = max(maxRV, mustInt(t, r["row_version"]))
		}
	}
	// Read once so cached encodings exist and must be dropped.
	pullAll(t, base, "customers", url.Values{})

	touched := s.TouchCustomers(4)
	if len(touched) != 4 || !slices.IsSorted(touched) {
		t.Fatalf("TouchCustomers(4) = %v", touched)
	}
	got := pullAll(t, base, "customers", filterQuery("greater_than(row_version,"+strconv.FormatInt(maxRV, 10)+")"))
	if !sameIDs(ids(t, got), touched) {
		t.Fatalf("changed since %d: %v, touched %v", maxRV, ids(t, got), touched)
	}
	for _, c := range got {
		old := before[idOf(t, c)]
		if c["name"] == old["name"] || reflect.DeepEqual(c["custom_fields"], old["custom_fields"]) {
			t.Errorf("customer %v: name or custom field unchanged", c["id"])
		}
		if !date(t, c, "last_modified_time").After(date(t, old, "last_modified_time")) {
			t.Errorf("customer %v: last_modified_time not later", c["id"])
		}
	}
	single := get(t, base, "customers/"+strconv.FormatInt(touched[0], 10))
	if !strings.Contains(string(single.body), "[rev ") {
		t.Errorf("single GET shows a stale record: %s", single.body)
	}
	// Touching again moves row_versions on and keeps names from growing.
	again := s.TouchCustomers(len(before) + 10)
	if len(again) != len(before) {
		t.Errorf("TouchCustomers(more than exist) changed %d of %d", len(again), len(before))
	}
	for _, c := range s.Records("customers") {
		if strings.Count(c["name"].(string), "[rev ") != 1 {
			t.Errorf("name %q", c["name"])
		}
	}
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRowVersionsAreUniqueAndFollowChanges(t *testing.T) {
	s := New(smallOptions())
	type stamp struct {
		rv int64
		at time.Time
	}
	var all []stamp
	seen := map[int64]string{}
	for _, col := range []string{"customers", "products", "invoices", "contacts", "tasks", "scheduledvisits", "customercomments", "visitfrequencies"} {
		recs := s.Records(col)
		if len(recs) == 0 {
			t.Errorf("%s: empty", col)
		}
		for _, r := range recs {
			rv := mustInt(t, r["row_version"])
			if prev, dup := seen[rv]; dup {
				t.Errorf("row_version %d on %s and %s", rv, prev, col)
			}
			seen[rv] = col
			all = append(all, stamp{rv, date(t, r, "last_modified_time")})
		}
	}
	slices.SortFunc(all, func(a, b stamp) int { return int(a.rv - b.rv) })
	for i := 1; i < len(all); i++ {
		// Fractional digits are drawn per stamp, so allow a second of slack.
		if all[i].at.Add(time.Second).Before(all[i-1].at) {
			t.Fatalf("row_version %d modified %v, before row_version %d at %v", all[i].rv, all[i].at, all[i-1].rv, all[i-1].at)
		}
	}
}

func TestDemoContents(t *testing.T) {
	s := New(smallOptions())
	forms := s.Records("formdefinitions")
	byID := map[int64]map[string]any{}
	types := map[string]bool{}
	fieldTypes := map[string]bool{}
	for _, f := range forms {
		byID[idOf(t, f)] = f
		types[f["type"].(string)] = true
		for _, cf := range f["custom_fields"].([]any) {
			fieldTypes[cf.(map[string]any)["type"].(string)] = true
		}
	}
	for _, ft := range []string{tText, tNumber, tDateTime, tSingleEnum, tMultiEnum, tSingleHier, tMultiHier, tAddress,
		tSingleLookup, tMultiLookup, tImages, tSignature, tSketch, tDivider, tLabel} {
		if !fieldTypes[ft] {
			t.Errorf("no field of type %q", ft)
		}
	}
	for _, ty := range []string{"Order", "Quote", "CreditRequest", "Visit", "Standalone"} {
		if !types[ty] {
			t.Errorf("no form of type %s", ty)
		}
	}
	if byID[-1] == nil || byID[-3] == nil {
		t.Fatal("forms -1 (customer) and -3 (product) missing")
	}
	var names []string
	for _, f := range forms {
		names = append(names, f["name"].(string))
	}
	for _, n := range []string{"Dropbox", "SkynamoServices"} {
		if !slices.Contains(names, n) {
			t.Errorf("internal form %s missing", n)
		}
	}
	custFields := map[string]string{}
	for _, cf := range byID[-1]["custom_fields"].([]any) {
		m := cf.(map[string]any)
		custFields[m["name"].(string)] = m["type"].(string)
	}
	for name, ty := range map[string]string{"Credit Limit (R)": tNumber, "Customer Type": tSingleEnum, "Région": tText, "2nd Rep": tSingleLookup} {
		if custFields[name] != ty {
			t.Errorf("customer field %q is %q, want %q", name, custFields[name], ty)
		}
	}

	// Two currencies, and every transaction reachable from its interaction.
	currencies := map[string]bool{}
	for _, o := range s.Records("orders") {
		currencies[o["currency_code"].(string)] = true
	}
	if !currencies["ZAR"] || !currencies["USD"] {
		t.Errorf("order currencies %v", currencies)
	}
	forms2type := map[string]string{}
	for _, f := range forms {
		forms2type[f["id"].(json.Number).String()] = f["type"].(string)
	}
	cfs := map[string]map[string]any{}
	for _, cf := range s.Records("completedforms") {
		cfs[cf["id"].(json.Number).String()] = cf
	}
	linked := map[string]int{}
	for _, in := range s.Records("interactions") {
		for key, ty := range map[string]string{"order_id": "Order", "quote_id": "Quote", "credit_request_id": "CreditRequest"} {
			if in[key] == nil {
				continue
			}
			linked[key]++
			found := false
			for _, id := range in["completed_form_ids"].([]any) {
				cf := cfs[id.(json.Number).String()]
				if cf == nil {
					t.Fatalf("interaction %v lists missing completed form %v", in["id"], id)
				}
				found = found || forms2type[cf["form_id"].(json.Number).String()] == ty
			}
			if !found {
				t.Errorf("interaction %v (%s) has no %s form", in["id"], key, ty)
			}
		}
	}
	if linked["order_id"] != len(s.Records("orders")) || linked["quote_id"] != len(s.Records("quotes")) ||
		linked["credit_request_id"] != len(s.Records("creditrequests")) {
		t.Errorf("interaction links %v", linked)
	}

	// Transactions lie in the last 180 days and fill the last 90.
	recent := 0
	for _, o := range s.Records("orders") {
		at := date(t, o, "date")
		if at.After(testNow) || at.Before(testNow.AddDate(0, 0, -181)) {
			t.Errorf("order %v dated %v", o["id"], at)
		}
		if at.After(testNow.AddDate(0, 0, -90)) {
			recent++
		}
	}
	if recent < len(s.Records("orders"))/3 {
		t.Errorf("only %d orders in the last 90 days", recent)
	}
}

// Multi-value enumerations must be splittable by the field's labels, even
// where a label holds a comma.
func TestMultiValuesSplitByLabels(t *testing.T) {
	o := smallOptions()
	o.Customers = 200
	s := New(o)
	sawCommaLabel := false
	// Read the labels as a client would: from form definitions with show_enums.
	labels := map[int64][]string{}
	for _, f := range s.Records("formdefinitions") {
		for _, cf := range f["custom_fields"].([]any) {
			fd := cf.(map[string]any)
			ty := fd["type"].(string)
			if ty != tMultiEnum && ty != tMultiHier {
				continue
			}
			byID := map[string]string{}
			parents := map[string]bool{}
			for _, e := range fd["enumeration_values"].([]any) {
				ev := e.(map[string]any)
				byID[ev["id"].(json.Number).String()] = ev["label"].(string)
				if p, ok := ev["parent_id"].(json.Number); ok {
					parents[p.String()] = true
				}
			}
			var opts []string
			for _, e := range fd["enumeration_values"].([]any) {
				ev := e.(map[string]any)
				if p, ok := ev["parent_id"].(json.Number); ok {
					opts = append(opts, byID[p.String()]+" - "+ev["label"].(string))
				} else if !parents[ev["id"].(json.Number).String()] {
					opts = append(opts, ev["label"].(string))
				}
			}
			labels[mustInt(t, fd["id"])] = opts
		}
	}
	for _, c := range s.Records("customers") {
		for _, cf := range c["custom_fields"].([]any) {
			m := cf.(map[string]any)
			opts := labels[mustInt(t, m["id"])]
			v := m["value"].(string)
			if opts == nil || v == "" {
				continue
			}
			for v != "" {
				matched := ""
				for _, l := range opts {
					if strings.HasPrefix(v, l) && (len(v) == len(l) || v[len(l)] == ',') && len(l) > len(matched) {
						matched = l
					}
				}
				if matched == "" {
					t.Fatalf("value %q of field %v does not split into labels %q", m["value"], m["id"], opts)
				}
				sawCommaLabel = sawCommaLabel || strings.Contains(matched, ",")
				v = strings.TrimPrefix(strings.TrimPrefix(v, matched), ",")
			}
		}
	}
	if !sawCommaLabel {
		t.Error("no multi-value used a label containing a comma")
	}
}

// Nothing can have been created or changed after the instance's Now.
func TestNothingHappensInTheFuture(t *testing.T) {
	s := New(smallOptions())
	for _, ep := range endpoints() {
		for _, r := range s.Records(ep.name) {
			for _, k := range []string{"last_modified_time", "create_date", "date", "completed_date"} {
				if v, ok := r[k].(string); ok && date(t, r, k).After(testNow) {
					t.Errorf("%s %v: %s %s is after Now", ep.name, r["id"], k, v)
				}
			}
		}
	}
}
