package sim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// faultState holds the knobs that can change while the server runs and the
// counters the tests read.
type faultState struct {
	mu        sync.Mutex
	faults    Faults
	rng       *rand.Rand // decides which requests fail or are throttled
	quotaUsed int        // requests counted against the quota since it was set or reset

	bucket     bucket
	retryAfter int              // Behaviour.RetryAfter
	now        func() time.Time // the bucket's clock; tests replace it

	requests        atomic.Int64
	committedFailed atomic.Int64 // see CommittedThenFailed
	// perList counts GETs of each list path; the map is built once and only
	// its counters change, so reading it needs no lock.
	perList map[string]*atomic.Int64
}

// SetFaults changes the fault knobs of a running server. A changed
// QuotaLimit starts a fresh quota, as a new usage plan would.
func (s *Server) SetFaults(f Faults) {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	if f.QuotaLimit != s.fs.faults.QuotaLimit {
		s.fs.quotaUsed = 0
	}
	s.fs.faults = f
}

// Requests is the number of requests received, whatever their outcome.
func (s *Server) Requests() int64 { return s.fs.requests.Load() }

// RequestsFor is the number of GETs of a list path such as "/customers"
// (single-item GETs are not counted).
func (s *Server) RequestsFor(path string) int64 {
	c := s.fs.perList[strings.Trim(path, "/")]
	if c == nil {
		return 0
	}
	return c.Load()
}

// ResetRequests zeroes the counters and the quota used.
func (s *Server) ResetRequests() {
	s.fs.requests.Store(0)
	for _, c := range s.fs.perList {
		c.Store(0)
	}
	s.fs.mu.Lock()
	s.fs.quotaUsed = 0
	s.fs.mu.Unlock()
}

func (s *Server) latency() time.Duration {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	return s.fs.faults.Latency
}

// sleep waits d or until the client gives up, whichever comes first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// injectFault decides, for an authenticated request, whether the gateway's
// usage plan or throttle or a failing backend answers instead of the API;
// retryAfter > 0 asks for a Retry-After header. The quota is checked first:
// an exhausted plan refuses everything. Throttled requests never reach the
// backend and are not counted against the quota, so a client that backs off
// properly loses nothing by being throttled; requests the backend fails
// are counted.
func (s *Server) injectFault() (status int, message string, retryAfter int) {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	f := s.fs.faults
	switch {
	case f.QuotaLimit > 0 && s.fs.quotaUsed >= f.QuotaLimit:
		return http.StatusTooManyRequests, "Limit Exceeded", 0
	case !s.fs.bucket.take(s.fs.now()),
		f.ThrottleRate > 0 && s.fs.rng.Float64() < f.ThrottleRate:
		return http.StatusTooManyRequests, "Too Many Requests", s.fs.retryAfter
	}
	s.fs.quotaUsed++
	if f.FailRate > 0 && s.fs.rng.Float64() < f.FailRate {
		return http.StatusBadGateway, "Internal server error", 0
	}
	return 0, "", 0
}
