package sim

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// fakeClock drives the token bucket so the tests never sleep.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// limitedServer runs a server whose bucket follows a fake clock.
func limitedServer(t *testing.T, b Behaviour) (*Server, string, *fakeClock) {
	t.Helper()
	s, base := startServer(t, smallOptions())
	clk := &fakeClock{t: testNow}
	s.fs.mu.Lock()
	s.fs.now = clk.now
	s.fs.mu.Unlock()
	s.SetBehaviour(b)
	return s, base, clk
}

func TestRateLimitBurstThenRate(t *testing.T) {
	_, base, clk := limitedServer(t, Behaviour{RateLimit: 10, Burst: 3})
	for i := 0; i < 3; i++ {
		if r := get(t, base, "users"); r.status != http.StatusOK {
			t.Fatalf("request %d of the burst: %d", i+1, r.status)
		}
	}
	r := get(t, base, "users")
	if r.status != http.StatusTooManyRequests || r.message(t) != "Too Many Requests" {
		t.Fatalf("request over the burst: %d %s", r.status, r.body)
	}
	if h := r.header.Get("Retry-After"); h != "" {
		t.Errorf("Retry-After %q sent without being asked for", h)
	}
	clk.advance(100 * time.Millisecond) // one token at 10/s
	if r := get(t, base, "users"); r.status != http.StatusOK {
		t.Errorf("after a refill: %d", r.status)
	}
	if r := get(t, base, "users"); r.status != http.StatusTooManyRequests {
		t.Errorf("second request on one token: %d", r.status)
	}
}

func TestRateLimitBelowAndAbove(t *testing.T) {
	count := func(interval time.Duration) (throttled int) {
		_, base, clk := limitedServer(t, Behaviour{RateLimit: 20, Burst: 2})
		for i := 0; i < 60; i++ {
			if get(t, base, "taxrates").status == http.StatusTooManyRequests {
				throttled++
			}
			clk.advance(interval)
		}
		return throttled
	}
	if n := count(50 * time.Millisecond); n != 0 { // exactly the rate
		t.Errorf("%d of 60 throttled at the allowed rate", n)
	}
	if n := count(60 * time.Millisecond); n != 0 {
		t.Errorf("%d of 60 throttled below the allowed rate", n)
	}
	// At twice the rate, half the requests beyond the burst are refused.
	if n := count(25 * time.Millisecond); n < 25 || n > 31 {
		t.Errorf("%d of 60 throttled at twice the allowed rate, want about 29", n)
	}
}

func TestRateLimitDefaultBurst(t *testing.T) {
	_, base, _ := limitedServer(t, Behaviour{RateLimit: 0.5})
	if r := get(t, base, "users"); r.status != http.StatusOK {
		t.Fatalf("first request: %d", r.status)
	}
	if r := get(t, base, "users"); r.status != http.StatusTooManyRequests {
		t.Errorf("Burst 0 at 0.5/s allows one request at once; second got %d", r.status)
	}
}

func TestRetryAfter(t *testing.T) {
	s, base, _ := limitedServer(t, Behaviour{RateLimit: 1, Burst: 1, RetryAfter: 7})
	get(t, base, "users")
	r := get(t, base, "users")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "7" {
		t.Errorf("throttled: %d, Retry-After %q, want 429 with 7", r.status, r.header.Get("Retry-After"))
	}
	// Random throttling is throttling too.
	s.SetBehaviour(Behaviour{RetryAfter: 3})
	s.SetFaults(Faults{ThrottleRate: 1})
	if r := get(t, base, "users"); r.header.Get("Retry-After") != "3" {
		t.Errorf("ThrottleRate 429: Retry-After %q, want 3", r.header.Get("Retry-After"))
	}
	// The quota's 429 is not throttling: waiting a few seconds does not help.
	s.SetFaults(Faults{QuotaLimit: 1})
	get(t, base, "users")
	if r := get(t, base, "users"); r.message(t) != "Limit Exceeded" || r.header.Get("Retry-After") != "" {
		t.Errorf("quota 429: %s with Retry-After %q", r.body, r.header.Get("Retry-After"))
	}
}

func TestThrottledRequestsDoNotUseQuota(t *testing.T) {
	s, base, clk := limitedServer(t, Behaviour{RateLimit: 10, Burst: 2})
	s.SetFaults(Faults{QuotaLimit: 5})
	ok, throttled := 0, 0
	for i := 0; i < 40 && ok < 5; i++ {
		switch r := get(t, base, "users"); r.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			if r.message(t) != "Too Many Requests" {
				t.Fatalf("request %d: %s before the quota was used", i+1, r.body)
			}
			throttled++
		}
		clk.advance(40 * time.Millisecond) // 25/s against 10/s allowed
	}
	if ok != 5 || throttled == 0 {
		t.Fatalf("%d served, %d throttled; want 5 served and some throttled", ok, throttled)
	}
	clk.advance(time.Second)
	if r := get(t, base, "users"); r.status != http.StatusTooManyRequests || r.message(t) != "Limit Exceeded" {
		t.Errorf("after the quota: %d %s", r.status, r.body)
	}
}
