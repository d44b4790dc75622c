package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestPagingEnvelope(t *testing.T) {
	s, base := startServer(t, smallOptions())
	total := len(s.Records("customers"))

	p := get(t, base, "customers").page(t)
	if p.Page.PageNumber != 1 || p.Page.PageSize != 50 || len(p.Data) != 50 {
		t.Errorf("defaults: page %+v with %d records, want page 1 of 50", p.Page, len(p.Data))
	}
	if p.Page.TotalItemCount != total || p.Page.FilteredItemCount != total {
		t.Errorf("counts %+v, want %d", p.Page, total)
	}

	p = get(t, base, "customers?page_number=2&page_size=7").page(t)
	if p.Page.PageNumber != 2 || p.Page.PageSize != 7 || len(p.Data) != 7 {
		t.Errorf("page 2: %+v with %d records", p.Page, len(p.Data))
	}

	last := (total + 6) / 7
	p = get(t, base, "customers?page_size=7&page_number="+strconv.Itoa(last)).page(t)
	if want := total - 7*(last-1); len(p.Data) != want {
		t.Errorf("last page has %d records, want %d", len(p.Data), want)
	}
	p = get(t, base, "customers?page_size=7&page_number="+strconv.Itoa(last+1)).page(t)
	if len(p.Data) != 0 || p.Page.FilteredItemCount != total {
		t.Errorf("past the end: %d records, page %+v", len(p.Data), p.Page)
	}
	if p := get(t, base, "customers?page_size=200&page_number=99999999999").page(t); len(p.Data) != 0 {
		t.Errorf("huge page number returned %d records", len(p.Data))
	}
	if p := get(t, base, "customers?page_size=200").page(t); len(p.Data) != min(200, total) {
		t.Errorf("page_size=200 returned %d", len(p.Data))
	}
}

func TestPagingLimits(t *testing.T) {
	_, base := startServer(t, smallOptions())
	for _, q := range []string{"page_size=201", "page_size=0", "page_size=-1", "page_size=abc", "page_size=1.5",
		"page_number=0", "page_number=-2", "page_number=x"} {
		r := get(t, base, "customers?"+q)
		if r.status != http.StatusBadRequest || r.message(t) == "" {
			t.Errorf("%s: status %d body %s, want 400 with a message", q, r.status, r.body)
		}
	}
}

func TestPagesFollowIDOrder(t *testing.T) {
	s, base := startServer(t, smallOptions())
	for _, ep := range endpoints() {
		q := url.Values{"flags": {"show_nulls,show_enums"}}
		got := pullAll(t, base, ep.name, q)
		want := s.Records(ep.name)
		if len(got) == 0 {
			t.Errorf("%s: no records", ep.name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: pulled pages differ from Records (%d vs %d records)", ep.name, len(got), len(want))
		}
		if !ep.single {
			continue
		}
		for i := 1; i < len(got); i++ {
			if idOf(t, got[i-1]) >= idOf(t, got[i]) {
				t.Errorf("%s: ids out of order at %d", ep.name, i)
				break
			}
		}
	}
}

func TestAuthAndRouting(t *testing.T) {
	_, base := startServer(t, smallOptions())
	good := http.Header{"X-Api-Key": {DefaultAPIKey}, "X-Api-Client": {DefaultInstance}}
	cases := []struct {
		method, path string
		h            http.Header
		want         string
	}{
		{"GET", "customers", http.Header{}, "Forbidden"},
		{"GET", "customers", http.Header{"X-Api-Key": {"wrong"}, "X-Api-Client": {DefaultInstance}}, "Forbidden"},
		{"GET", "customers", http.Header{"X-Api-Key": {DefaultAPIKey}, "X-Api-Client": {"other"}}, "Forbidden"},
		{"GET", "customers", http.Header{"X-Api-Key": {DefaultAPIKey}}, "Forbidden"},
		{"GET", "customers/20001", http.Header{}, "Forbidden"},
		// Routing comes first: a bad path or method is refused whatever the key.
		{"PATCH", "customers/17", good, "Missing Authentication Token"},
		{"PATCH", "customers/17", http.Header{}, "Missing Authentication Token"},
		{"DELETE", "customers", good, "Missing Authentication Token"},
		{"GET", "nosuchthing", good, "Missing Authentication Token"},
		{"GET", "stocklevels/1", good, "Missing Authentication Token"},
		{"GET", "prices/1", good, "Missing Authentication Token"},
		{"GET", "customers/1/2", good, "Missing Authentication Token"},
		{"GET", "invoicesbyexternalid", good, "Missing Authentication Token"},
	}
	for _, c := range cases {
		r := send(t, c.method, base+c.path, c.h)
		if r.status != http.StatusForbidden || r.message(t) != c.want {
			t.Errorf("%s %s: %d %s, want 403 %q", c.method, c.path, r.status, r.body, c.want)
		}
	}
	root := strings.TrimSuffix(base, "v1/")
	if r := send(t, "GET", root+"customers", good); r.status != http.StatusForbidden || r.message(t) != "Missing Authentication Token" {
		t.Errorf("path outside /v1: %d %s", r.status, r.body)
	}
}

func TestSingleItems(t *testing.T) {
	s, base := startServer(t, smallOptions())
	for _, ep := range endpoints() {
		if !ep.single {
			continue
		}
		recs := s.Records(ep.name)
		want := recs[len(recs)/2]
		id := strconv.FormatInt(idOf(t, want), 10)
		r := get(t, base, ep.name+"/"+id+"?flags=show_nulls,show_enums")
		if r.status != http.StatusOK {
			t.Fatalf("%s/%s: %d %s", ep.name, id, r.status, r.body)
		}
		var got map[string]any
		d := json.NewDecoder(strings.NewReader(string(r.body)))
		d.UseNumber()
		if err := d.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s/%s differs from its list record", ep.name, id)
		}
		if r := get(t, base, ep.name+"/999999999"); r.status != http.StatusNotFound || !strings.Contains(r.message(t), "999999999") {
			t.Errorf("%s unknown id: %d %s", ep.name, r.status, r.body)
		}
	}
	if r := get(t, base, "customers/abc"); r.status != http.StatusBadRequest {
		t.Errorf("non-integer id: %d %s", r.status, r.body)
	}

	inv := s.Records("invoices")[0]
	ext := inv["external_id"].(string)
	r := get(t, base, "invoicesbyexternalid/"+url.PathEscape(ext))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"id":`+inv["id"].(json.Number).String()+",") {
		t.Errorf("invoicesbyexternalid/%s: %d %s", ext, r.status, r.body)
	}
	if r := get(t, base, "invoicesbyexternalid/NOPE-1"); r.status != http.StatusNotFound {
		t.Errorf("unknown external id: %d %s", r.status, r.body)
	}
}

func TestFlags(t *testing.T) {
	_, base := startServer(t, smallOptions())
	var nullsSeen bool
	keys := map[int]int{}
	for _, c := range pullAll(t, base, "customers", url.Values{"flags": {"show_nulls"}}) {
		keys[len(c)]++
		for _, v := range c {
			nullsSeen = nullsSeen || v == nil
		}
	}
	if !nullsSeen || len(keys) != 1 {
		t.Errorf("show_nulls: nulls seen %v, key counts %v (want every record with every key)", nullsSeen, keys)
	}
	for _, c := range pullAll(t, base, "customers", url.Values{}) {
		for k, v := range c {
			if v == nil {
				t.Fatalf("without show_nulls customer %v has null %s", c["id"], k)
			}
		}
	}

	hasEnums := func(q url.Values) bool {
		for _, f := range pullAll(t, base, "formdefinitions", q) {
			for _, cf := range f["custom_fields"].([]any) {
				if _, ok := cf.(map[string]any)["enumeration_values"]; ok {
					return true
				}
			}
		}
		return false
	}
	if hasEnums(url.Values{}) || hasEnums(url.Values{"flags": {"show_nulls"}}) {
		t.Error("enumeration_values sent without show_enums")
	}
	if !hasEnums(url.Values{"flags": {"show_enums"}}) || !hasEnums(url.Values{"flags": {" show_nulls , show_enums"}}) {
		t.Error("enumeration_values missing with show_enums")
	}
}

func TestConcurrentReadsAndTouches(t *testing.T) {
	s, base := startServer(t, smallOptions())
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				get(t, base, "customers?page_size=20&flags=show_nulls&filters="+url.QueryEscape(`["greater_than(row_version,0)"]`))
			}
		}()
	}
	for i := 0; i < 10; i++ {
		s.TouchCustomers(3)
	}
	wg.Wait()
}
