package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

func TestAPIErrorsExplainThemselves(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	ctx := context.Background()
	badKey := env.cfg
	badKey.APIKey = "wrong-key"
	badClient, err := NewClient(badKey, noBackoff())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		status int
		want   []string
	}{
		{"wrong path", func() error { _, err := env.client.Get(ctx, "/customer", nil); return err },
			403, []string{"GET /customer: the API answered 403 Missing Authentication Token", "a wrong path or method, not a bad key"}},
		{"wrong method", func() error { _, err := env.client.Send(ctx, "PATCH", "/customers/1", nil, []byte(`[]`)); return err },
			403, []string{"PATCH /customers/1", "not a bad key"}},
		{"bad key", func() error { _, err := badClient.Get(ctx, "/customers", nil); return err },
			403, []string{"403 Forbidden", "check SKYNAMO_API_KEY and SKYNAMO_INSTANCE_NAME"}},
		{"bad request", func() error {
			_, err := env.client.Get(ctx, "/customers", url.Values{"page_size": {"500"}})
			return err
		}, 400, []string{"GET /customers: the API answered 400 page_size must be between 1 and 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Attempts != 1 {
				t.Fatalf("got %v, want an APIError %d sent once", err, tt.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "wrong-key") || strings.Contains(err.Error(), sim.DefaultAPIKey) {
				t.Errorf("the key leaked into %q", err)
			}
		})
	}
}

func TestRetriesGiveUpAfterMaxAttempts(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	for _, f := range []sim.Faults{{FailRate: 1}, {ThrottleRate: 1}} {
		env.srv.SetFaults(f)
		env.srv.ResetRequests()
		_, err := env.client.Get(context.Background(), "/customers", nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Attempts != DefaultMaxAttempts {
			t.Fatalf("%+v: got %v, want an APIError after %d attempts", f, err, DefaultMaxAttempts)
		}
		if n := env.srv.Requests(); n != DefaultMaxAttempts {
			t.Errorf("%+v: server saw %d requests", f, n)
		}
		if !strings.Contains(err.Error(), "gave up after 8 attempts") {
			t.Errorf("error %q does not say it retried", err)
		}
	}
}

func TestQuotaNeverRetried(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 3000}, func(c *Config) { c.Concurrency = 6 })
	env.srv.SetFaults(sim.Faults{QuotaLimit: 5})
	records, stats, err := env.client.ListAll(context.Background(), "/customers", ListQuery{})
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("got %v, want ErrQuotaExceeded", err)
	}
	if stats.LastPage != 15 || stats.Pages > 5 || len(records) != stats.Pages*MaxPageSize {
		t.Errorf("stats %+v with %d records: want a prefix of at most 5 whole pages", stats, len(records))
	}
	// 5 pages within the quota, then at most one refusal per worker: a
	// refused request is never repeated. (The client may count a request
	// that was cancelled before it reached the server, never fewer.)
	if stats.Requests > 5+6 || env.srv.Requests() > stats.Requests {
		t.Errorf("%d requests counted, server saw %d: the quota was retried", stats.Requests, env.srv.Requests())
	}
}

func TestListAllSendsFiltersAndFlags(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 500}, nil)
	server := env.srv.Records("customers")
	firstID, _ := server[0]["id"].(json.Number).Int64()
	lo, hi := firstID+100, firstID+430
	records, stats, err := env.client.ListAll(context.Background(), "/customers", ListQuery{
		Filters: []string{fmt.Sprintf("greater_than(id,%d)", lo), fmt.Sprintf("less_than_equals(id,%d)", hi)},
		Flags:   []string{"show_nulls"}, PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range server {
		if id, _ := r["id"].(json.Number).Int64(); id > lo && id <= hi {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the filter matches nothing; the test proves nothing")
	}
	if len(records) != want || stats.FilteredItems != want || stats.TotalItems != 500 || stats.Pages != (want+49)/50 {
		t.Errorf("%d records, stats %+v; want %d", len(records), stats, want)
	}
}

// headerServer answers like the API but records what it was sent, and
// throttles the first request with a Retry-After.
func TestHeadersAndRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		first := len(seen) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message":"Too Many Requests"}`))
			return
		}
		w.Write([]byte(`{"data":[{"id":1}],"page":{"page_number":1,"page_size":200,"total_item_count":1,"filtered_item_count":1}}`))
	}))
	defer srv.Close()

	var waits []time.Duration
	opt := ClientOptions{Backoff: func(int) time.Duration { return time.Millisecond },
		Sleep:    func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Throttle: newFakeClock().options()} // the throttle's own pacing is not a Retry-After
	client, err := NewClient(Config{Instance: "acme", APIKey: "k1", APIBase: srv.URL + "/v1"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	records, _, err := client.ListAll(context.Background(), "/customers", ListQuery{})
	if err != nil || len(records) != 1 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	if len(waits) != 1 || waits[0] != 7*time.Second {
		t.Errorf("waits %v, want the server's Retry-After of 7s", waits)
	}
	for _, h := range seen {
		if h.Get("x-api-client") != "acme" || h.Get("x-api-key") != "k1" || h.Get("accept") != "application/json" {
			t.Errorf("headers %v", h)
		}
	}
	if client.Requests() != 2 {
		t.Errorf("counted %d requests, want 2", client.Requests())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	env.srv.SetFaults(sim.Faults{FailRate: 1})
	ctx, cancel := context.WithCancel(context.Background())
	opt := ClientOptions{Backoff: func(int) time.Duration { return time.Hour },
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return sleepContext(ctx, d) }}
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Get(ctx, "/customers", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestFullJitterBackoffStaysInBounds(t *testing.T) {
	backoff := FullJitterBackoff(100*time.Millisecond, time.Second)
	for attempt := 1; attempt <= 40; attempt++ {
		ceiling := min(time.Second, 100*time.Millisecond<<min(attempt-1, 20))
		for range 50 {
			if d := backoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("attempt %d waited %s, outside [0, %s]", attempt, d, ceiling)
			}
		}
	}
}

func TestUnsendableKeyIsAConfigError(t *testing.T) {
	_, err := NewClient(Config{Instance: "demo", APIKey: "abc\ndef", APIBase: "http://127.0.0.1:1/v1/"}, ClientOptions{})
	if err == nil || !strings.Contains(err.Error(), KeyAPIKey) || strings.Contains(err.Error(), "abc") {
		t.Errorf("NewClient with a line break in the key: %v", err)
	}
}
