package skynamo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"skynamo/skynamo/sim"
)

func newBudgetClient(t *testing.T, env *simEnv, concurrency int, budget int64) *Client {
	t.Helper()
	cfg := env.cfg
	cfg.Concurrency = concurrency
	opt := noBackoff()
	opt.MaxRequests = budget
	client, err := NewClient(cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestBudgetStopsAPullAtN(t *testing.T) {
	for _, concurrency := range []int{1, 4} {
		env := newSimEnv(t, sim.Options{Customers: 3000}, nil) // 15 pages
		client := newBudgetClient(t, env, concurrency, 5)
		records, stats, err := client.ListAll(context.Background(), "/customers", ListQuery{})
		if !errors.Is(err, ErrBudgetExceeded) || !IsPartialStop(err) || errors.Is(err, ErrQuotaExceeded) {
			t.Fatalf("concurrency %d: got %v, want ErrBudgetExceeded, a partial stop, not the quota", concurrency, err)
		}
		if want := "the request budget of 5 is used up (--max-requests)"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		// In parallel, a request counted against the budget may be
		// cancelled before it reaches the server (another one hit the
		// budget first); one page after another, all five arrive.
		seen := env.srv.Requests()
		if seen > 5 || concurrency == 1 && seen != 5 {
			t.Errorf("concurrency %d: the server saw %d requests, budget 5", concurrency, seen)
		}
		if used, max := client.Budget(); used != 5 || max != 5 || stats.Requests != 5 {
			t.Errorf("concurrency %d: Budget() = %d, %d; stats.Requests %d; want 5 of 5", concurrency, used, max, stats.Requests)
		}
		// What came back is a prefix of whole pages, kept for the next run.
		if stats.Pages < 1 || stats.Pages > 5 || len(records) != stats.Pages*MaxPageSize ||
			concurrency == 1 && stats.Pages != 5 {
			t.Errorf("concurrency %d: %d records in %d pages: want a prefix of whole pages", concurrency, len(records), stats.Pages)
		}
		// Once used up, nothing else is sent.
		if _, err := client.Get(context.Background(), "/users", nil); !errors.Is(err, ErrBudgetExceeded) {
			t.Errorf("a request after the budget: %v", err)
		}
		if n := env.srv.Requests(); n != seen {
			t.Errorf("the server saw %d requests after the budget was used up, %d before", n, seen)
		}
	}
}

func TestBudgetCountsRetries(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	env.srv.SetFaults(sim.Faults{FailRate: 1})
	client := newBudgetClient(t, env, 1, 3)
	_, err := client.Get(context.Background(), "/customers", nil)
	if !errors.Is(err, ErrBudgetExceeded) {
		t.Fatalf("got %v, want the budget to stop the retries", err)
	}
	if n := env.srv.Requests(); n != 3 {
		t.Errorf("the server saw %d requests, want 3: retries cost quota too", n)
	}
}

func TestUnlimitedBudget(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 1000}, nil)
	records, _, err := env.client.ListAll(context.Background(), "/customers", ListQuery{})
	if err != nil || len(records) != 1000 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	if used, max := env.client.Budget(); used != 5 || max != 0 {
		t.Errorf("Budget() = %d, %d; want 5 used of no limit", used, max)
	}
}

func TestIsPartialStop(t *testing.T) {
	quota := newAPIError("GET", "/customers", http.StatusTooManyRequests, []byte(`{"message":"Limit Exceeded"}`))
	throttled := newAPIError("GET", "/customers", http.StatusTooManyRequests, []byte(`{"message":"Too Many Requests"}`))
	budget := &BudgetError{Max: 10, Method: "GET", Path: "/customers"}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"quota", quota, true},
		{"quota sentinel", ErrQuotaExceeded, true},
		{"budget", budget, true},
		{"budget wrapped by a sync", fmt.Errorf("customers: %w", budget), true},
		{"throttled", throttled, false},
		{"long Retry-After", &RetryAfterError{Method: "GET", Path: "/customers", Err: throttled}, false},
		{"cancelled", context.Canceled, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := IsPartialStop(tt.err); got != tt.want {
			t.Errorf("%s: IsPartialStop(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if errors.Is(budget, ErrQuotaExceeded) || errors.Is(quota, ErrBudgetExceeded) {
		t.Error("the budget and the quota must stay distinct")
	}
}
