package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkBuild measures building a large instance; it should take a
// second or two for 100,000 customers.
func BenchmarkBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		New(Options{Customers: 100_000, Now: testNow})
	}
}

// BenchmarkServeCustomerPages pulls 200-customer pages over real HTTP from
// 16 goroutines, the shape of the client's parallel pull.
func BenchmarkServeCustomerPages(b *testing.B) {
	s := New(Options{Customers: 20_000, Now: testNow})
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	pages := 20_000 / 200
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)%int64(pages) + 1
			req, _ := http.NewRequest("GET", base+"customers?page_size=200&page_number="+strconv.FormatInt(n, 10), nil)
			req.Header.Set("x-api-key", DefaultAPIKey)
			req.Header.Set("x-api-client", DefaultInstance)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// BenchmarkPage100k is the CPU of serving one 200-customer page of a
// 100,000-customer instance under each order and naming; it should stay
// well under a millisecond.
func BenchmarkPage100k(b *testing.B) {
	s := New(Options{Customers: 100_000, Orders: 10, Now: testNow})
	for _, c := range []struct {
		name string
		beh  Behaviour
		q    string
	}{
		{"id-order", Behaviour{}, ""},
		{"unstable-order", Behaviour{UnstableOrder: true}, ""},
		{"legacy-version", Behaviour{LegacyVersion: true}, ""},
		{"row-version-filter", Behaviour{UnstableOrder: true}, "&filters=" + url.QueryEscape(`["greater_than(row_version,0)"]`)},
		{"churned", Behaviour{UnstableOrder: true, Churn: Churn{Collection: "customers", Inserts: 1, Updates: 2, Deletes: 1}}, ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			s.SetBehaviour(c.beh)
			var n int64
			for i := 0; i < b.N; i++ {
				n = n%400 + 1
				req := httptest.NewRequest("GET", "/v1/customers?page_size=200&flags=show_nulls&page_number="+strconv.FormatInt(n+1, 10)+c.q, nil)
				req.Header.Set("x-api-key", DefaultAPIKey)
				req.Header.Set("x-api-client", DefaultInstance)
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
