package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// testNow pins the instance clock so seeded data is the same on every run.
var testNow = time.Date(2026, 3, 2, 9, 30, 0, 0, instanceZone)

func smallOptions() Options {
	return Options{Seed: 7, Now: testNow, Customers: 60, Products: 12, Users: 5, Orders: 120}
}

// startServer runs a simulator on a free local port for the test's lifetime.
func startServer(t *testing.T, o Options) (*Server, string) {
	t.Helper()
	s := New(o)
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, base
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// get sends an authenticated GET of base+path.
func get(t *testing.T, base, path string) reply {
	t.Helper()
	return send(t, "GET", base+path, http.Header{"X-Api-Key": {DefaultAPIKey}, "X-Api-Client": {DefaultInstance}})
}

func send(t *testing.T, method, u string, h http.Header) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func (r reply) message(t *testing.T) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return m.Message
}

type page struct {
	Data []map[string]any
	Page struct {
		PageNumber        int `json:"page_number"`
		PageSize          int `json:"page_size"`
		TotalItemCount    int `json:"total_item_count"`
		FilteredItemCount int `json:"filtered_item_count"`
	}
}

func (r reply) page(t *testing.T) page {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var p page
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		t.Fatalf("page %q: %v", r.body, err)
	}
	return p
}

// pullAll reads every page of a list path with the given query.
func pullAll(t *testing.T, base, path string, q url.Values) []map[string]any {
	t.Helper()
	var out []map[string]any
	for n := 1; ; n++ {
		q.Set("page_number", strconv.Itoa(n))
		q.Set("page_size", "200")
		p := get(t, base, path+"?"+q.Encode()).page(t)
		out = append(out, p.Data...)
		if len(p.Data) < 200 {
			return out
		}
	}
}

func filterQuery(filters ...string) url.Values {
	b, _ := json.Marshal(filters)
	return url.Values{"filters": {string(b)}}
}

func idOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	n, err := m["id"].(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
