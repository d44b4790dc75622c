package skynamo

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FullJitterBackoff waits a random time between 0 and min(limit,
// base·2^(attempt-1)). Full jitter spreads out the retries of many parallel
// page requests that failed together, instead of sending them back in one
// burst that the gateway throttles again.
func FullJitterBackoff(base, limit time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		ceiling := limit
		if attempt < 1 {
			attempt = 1
		}
		if attempt < 31 {
			if d := base << (attempt - 1); d > 0 && d < limit {
				ceiling = d
			}
		}
		return time.Duration(rand.Int64N(int64(ceiling) + 1))
	}
}

// InstantSleep returns at once (unless ctx has ended): for tests, so that
// retries cost no wall-clock time.
func InstantSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// sleepContext waits d, or less if ctx ends first (Ctrl-C during a backoff).
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. The
// gateway does not promise one (FACTS.md), so 0 means "use the backoff".
func retryAfter(header string) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(header, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if at, err := http.ParseTime(header); err == nil {
		if d := time.Until(at); d > 0 {
			return d
		}
	}
	return 0
}
