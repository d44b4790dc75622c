package sim

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	s, base := startServer(t, smallOptions())
	expect := func(status int, msg string) {
		t.Helper()
		r := get(t, base, "users")
		if r.status != status || (msg != "" && r.message(t) != msg) {
			t.Errorf("got %d %s, want %d %q", r.status, r.body, status, msg)
		}
	}
	expect(http.StatusOK, "")

	s.SetFaults(Faults{FailRate: 1})
	expect(http.StatusBadGateway, "Internal server error")

	s.SetFaults(Faults{ThrottleRate: 1})
	expect(http.StatusTooManyRequests, "Too Many Requests")

	s.SetFaults(Faults{QuotaLimit: 2})
	expect(http.StatusOK, "")
	expect(http.StatusOK, "")
	expect(http.StatusTooManyRequests, "Limit Exceeded")
	expect(http.StatusTooManyRequests, "Limit Exceeded")
	// Routing and auth errors are answered before the usage plan.
	if r := send(t, "GET", base+"users", http.Header{}); r.status != http.StatusForbidden {
		t.Errorf("unauthenticated request under exhausted quota: %d", r.status)
	}
	s.ResetRequests()
	expect(http.StatusOK, "")

	s.SetFaults(Faults{})
	expect(http.StatusOK, "")
}

func TestFaultsFromOptions(t *testing.T) {
	o := smallOptions()
	o.Faults = Faults{QuotaLimit: 1}
	_, base := startServer(t, o)
	if r := get(t, base, "users"); r.status != http.StatusOK {
		t.Fatalf("first request: %d", r.status)
	}
	if r := get(t, base, "users"); r.status != http.StatusTooManyRequests {
		t.Fatalf("second request: %d", r.status)
	}
}

func TestFractionalFailRate(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetFaults(Faults{FailRate: 0.5})
	failed := 0
	for i := 0; i < 40; i++ {
		if get(t, base, "taxrates").status == http.StatusBadGateway {
			failed++
		}
	}
	// The fault stream is seeded, so this count is fixed; only its range is
	// asserted so a change of generator does not break the test.
	if failed == 0 || failed == 40 {
		t.Errorf("%d of 40 failed at FailRate 0.5", failed)
	}
}

// Latency must give way to a client that stops waiting, so a benchmark's
// cancelled requests do not pile up sleeping goroutines.
func TestLatencyHonoursCancellation(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetFaults(Faults{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"users", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("request under an hour of latency: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRequestCounters(t *testing.T) {
	s, base := startServer(t, smallOptions())
	get(t, base, "customers")
	get(t, base, "customers?page_number=2")
	get(t, base, "customers/20001")
	get(t, base, "products")
	send(t, "GET", base+"customers", http.Header{}) // refused, but still a GET of the path
	send(t, "PATCH", base+"customers", http.Header{})
	if got := s.Requests(); got != 6 {
		t.Errorf("Requests() = %d, want 6", got)
	}
	if got := s.RequestsFor("/customers"); got != 3 {
		t.Errorf("RequestsFor(/customers) = %d, want 3", got)
	}
	if got := s.RequestsFor("/products"); got != 1 {
		t.Errorf("RequestsFor(/products) = %d, want 1", got)
	}
	if got := s.RequestsFor("/nothing"); got != 0 {
		t.Errorf("RequestsFor(/nothing) = %d", got)
	}
	s.ResetRequests()
	if s.Requests() != 0 || s.RequestsFor("/customers") != 0 {
		t.Error("ResetRequests left counts")
	}
}
