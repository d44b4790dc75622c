package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// idsWhere lists the ids of a collection's records that pass keep.
func idsWhere(t *testing.T, recs []map[string]any, keep func(map[string]any) bool) []int64 {
	t.Helper()
	var out []int64
	for _, r := range recs {
		if keep(r) {
			out = append(out, idOf(t, r))
		}
	}
	return out
}

func ids(t *testing.T, recs []map[string]any) []int64 {
	return idsWhere(t, recs, func(map[string]any) bool { return true })
}

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(json.Number).Float64()
	return f
}

func date(t *testing.T, m map[string]any, k string) time.Time {
	tm, err := time.Parse(time.RFC3339Nano, m[k].(string))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFilterOperators(t *testing.T) {
	s, base := startServer(t, smallOptions())
	custs := s.Records("customers")
	mid := custs[len(custs)/2]
	midID := num(mid, "id")
	midRV := num(mid, "row_version")
	cut := date(t, mid, "create_date")
	day := cut.In(instanceZone).Format("2006-01-02")
	dayStart, _ := time.ParseInLocation("2006-01-02", day, instanceZone)
	minute := cut.In(instanceZone).Format("2006-01-02T15:04:05")
	minuteStart, _ := time.ParseInLocation("2006-01-02T15:04:05", minute, instanceZone)

	cases := []struct {
		filters []string
		keep    func(map[string]any) bool
	}{
		{[]string{"less_than(id," + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "id") < midID }},
		{[]string{"less_than_equals(id, " + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "id") <= midID }},
		{[]string{"greater_than(id," + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "id") > midID }},
		{[]string{"greater_than_equals(id," + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "id") >= midID }},
		{[]string{"equals(id," + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "id") == midID }},
		{[]string{"starts_with(code,HB_)"}, func(m map[string]any) bool { return strings.HasPrefix(m["code"].(string), "HB_") }},
		{[]string{"equals(active, true)"}, func(m map[string]any) bool { return m["active"] == true }},
		{[]string{"equals(active,false)"}, func(m map[string]any) bool { return m["active"] == false }},
		{[]string{"greater_than(row_version," + mid["row_version"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "row_version") > midRV }},
		// version is the older SDK's name for row_version.
		{[]string{"greater_than(version," + mid["row_version"].(json.Number).String() + ")"}, func(m map[string]any) bool { return num(m, "row_version") > midRV }},
		{[]string{"greater_than_equals(create_date, " + day + ")"}, func(m map[string]any) bool { return !date(t, m, "create_date").Before(dayStart) }},
		{[]string{"less_than(create_date," + minute + ")"}, func(m map[string]any) bool { return date(t, m, "create_date").Before(minuteStart) }},
		{[]string{"equals(create_date," + mid["create_date"].(string) + ")"}, func(m map[string]any) bool { return date(t, m, "create_date").Equal(cut) }},
		{[]string{"greater_than_equals(create_date, " + cut.UTC().Format("2006-01-02T15:04:05.0000000Z07:00") + ")"}, func(m map[string]any) bool { return !date(t, m, "create_date").Before(cut) }},
		// Filters are ANDed.
		{[]string{"starts_with(code,HB_)", "equals(active,true)", "less_than(id," + mid["id"].(json.Number).String() + ")"}, func(m map[string]any) bool {
			return strings.HasPrefix(m["code"].(string), "HB_") && m["active"] == true && num(m, "id") < midID
		}},
	}
	for _, c := range cases {
		got := ids(t, pullAll(t, base, "customers", filterQuery(c.filters...)))
		want := idsWhere(t, custs, c.keep)
		if len(want) == 0 && !strings.HasPrefix(c.filters[0], "equals(active,false)") {
			t.Errorf("%v: test data has no matches", c.filters)
		}
		if !sameIDs(got, want) {
			t.Errorf("%v: got %d ids, want %d", c.filters, len(got), len(want))
		}
	}

	p := get(t, base, "customers?page_size=5&"+filterQuery("starts_with(code,HB_)").Encode()).page(t)
	if p.Page.TotalItemCount != len(custs) || p.Page.FilteredItemCount != len(idsWhere(t, custs, cases[5].keep)) {
		t.Errorf("filtered counts %+v", p.Page)
	}
}

func TestFiltersOnOtherEndpoints(t *testing.T) {
	s, base := startServer(t, smallOptions())

	levels := s.Records("stocklevels")
	got := pullAll(t, base, "stocklevels", filterQuery("equals(warehouse_id, null)"))
	want := 0
	for _, l := range levels {
		if l["warehouse_id"] == nil {
			want++
		}
	}
	if len(got) != want || want == 0 || want == len(levels) {
		t.Errorf("equals(warehouse_id,null): %d records, want %d of %d", len(got), want, len(levels))
	}
	got = pullAll(t, base, "stocklevels", filterQuery("equals(warehouse_id,1)"))
	for _, l := range got {
		if l["warehouse_id"] != json.Number("1") {
			t.Errorf("warehouse filter let through %v", l)
		}
	}
	if len(got) == 0 {
		t.Error("no stock in warehouse 1")
	}

	// Errata: products filter on code, invoices on row_version and version.
	if got := pullAll(t, base, "products", filterQuery("starts_with(code,HB_)")); len(got) == 0 {
		t.Error("products starts_with(code,HB_) found nothing")
	}
	invs := s.Records("invoices")
	rv := invs[len(invs)/2]["row_version"].(json.Number).String()
	a := pullAll(t, base, "invoices", filterQuery("greater_than(row_version,"+rv+")"))
	b := pullAll(t, base, "invoices", filterQuery("greater_than(version,"+rv+")"))
	if len(a) == 0 || len(a) != len(b) || len(a) == len(invs) {
		t.Errorf("invoice row_version filter: %d, version filter: %d, of %d", len(a), len(b), len(invs))
	}
	if got := pullAll(t, base, "formdefinitions", filterQuery("equals(type,Order)")); len(got) != 1 {
		t.Errorf("formdefinitions equals(type,Order): %d forms", len(got))
	}
	if got := pullAll(t, base, "visitfrequencies", filterQuery("greater_than_equals(create_date,2000-01-01)")); len(got) != len(s.Records("visitfrequencies")) {
		t.Errorf("visit frequencies by create_date: %d", len(got))
	}
	cid := s.Records("contacts")[0]["customer_id"].(json.Number).String()
	for _, c := range pullAll(t, base, "contacts", filterQuery("equals(customer_id,"+cid+")")) {
		if c["customer_id"].(json.Number).String() != cid {
			t.Errorf("contact of customer %v let through", c["customer_id"])
		}
	}
}

func TestFilterErrors(t *testing.T) {
	_, base := startServer(t, smallOptions())
	cases := []struct {
		path    string
		filters string
		mention string
	}{
		{"customers", `["equals(colour,red)"]`, "colour"},
		{"customers", `["near(id,5)"]`, "near"},
		{"customers", `["equals(id 5)"]`, "malformed"},
		{"customers", `["equals(id,5"]`, "malformed"},
		{"customers", `equals(id,5)`, "JSON"},
		{"customers", `["equals(id,five)"]`, "number"},
		{"customers", `["equals(active,maybe)"]`, "true or false"},
		{"customers", `["greater_than(create_date,yesterday)"]`, "date"},
		{"customers", `["starts_with(active,t)"]`, "starts_with"},
		{"customers", `["greater_than(active,true)"]`, "greater_than"},
		{"customers", `["greater_than(id,null)"]`, "number"},
		{"orders", `["greater_than(id,1)"]`, "orders"},
		{"quotes", `["greater_than(id,1)"]`, "quotes"},
		{"creditrequests", `["equals(id,1)"]`, "creditrequests"},
		{"interactions", `["equals(id,1)"]`, "interactions"},
		{"completedforms", `["equals(id,1)"]`, "completedforms"},
		{"stocklevels", `["greater_than(warehouse_id,1)"]`, "greater_than"},
		{"stocklevels", `["equals(product_id,1)"]`, "product_id"},
		{"products", `["equals(active,true)"]`, "active"},
		{"invoices", `["equals(id,1)"]`, "id"},
	}
	for _, c := range cases {
		r := get(t, base, c.path+"?filters="+url.QueryEscape(c.filters))
		if r.status != http.StatusBadRequest {
			t.Errorf("%s %s: status %d, want 400", c.path, c.filters, r.status)
			continue
		}
		if msg := r.message(t); !strings.Contains(msg, c.mention) {
			t.Errorf("%s %s: message %q does not mention %q", c.path, c.filters, msg, c.mention)
		}
	}
	// An empty list filters nothing, even where filters are not documented.
	if r := get(t, base, "orders?filters="+url.QueryEscape("[]")); r.status != http.StatusOK {
		t.Errorf("empty filter list: %d %s", r.status, r.body)
	}
}
