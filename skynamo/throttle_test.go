package skynamo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// fakeClock is a throttle clock whose Sleep moves Now forward instead of
// waiting, and remembers what it was asked to wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) options() ThrottleOptions { return ThrottleOptions{Now: c.Now, Sleep: c.Sleep} }

func mustAcquire(t *testing.T, l *limiter) ticket {
	t.Helper()
	tk, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestThrottleCutsOncePerBurst(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(16, clock.options(), t.Logf)
	burst := make([]ticket, 16)
	for i := range burst {
		burst[i] = mustAcquire(t, l)
	}
	clock.Advance(50 * time.Millisecond)
	// All 16 parallel requests of one burst come back throttled: that is
	// one signal, not sixteen.
	for _, tk := range burst {
		l.Release(tk, outcomeThrottled)
	}
	st := l.State()
	// 16 sends over the minimum window of 100 ms = 160/s, halved.
	if st.Concurrency != 8 || st.Rate != 80 || st.Cuts != 1 || st.Throttled != 16 {
		t.Fatalf("after one throttled burst: %+v, want concurrency 8, rate 80/s, one cut", st)
	}
	// A 429 to a request sent after the cut is a new signal.
	l.Release(mustAcquire(t, l), outcomeThrottled)
	if st := l.State(); st.Concurrency != 4 || st.Rate != 40 || st.Cuts != 2 {
		t.Fatalf("after a second throttled round: %+v, want concurrency 4, rate 40/s", st)
	}
	// Halving stops at one request and one per second.
	for range 10 {
		l.Release(mustAcquire(t, l), outcomeThrottled)
	}
	if st := l.State(); st.Concurrency != 1 || st.Rate != throttleMinRate {
		t.Fatalf("after many cuts: %+v, want the floors", st)
	}
}

func TestThrottleRecoversWhenCalm(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(16, clock.options(), t.Logf)
	l.Release(mustAcquire(t, l), outcomeThrottled)
	cut := l.State()
	if cut.Concurrency != 8 || cut.Rate == 0 {
		t.Fatalf("after a 429: %+v", cut)
	}
	// Successes within a calm period change nothing: the server has not
	// been calm for long yet. (Three sends at 5/s take 400 ms.)
	for range 3 {
		l.Release(mustAcquire(t, l), outcomeAnswered)
	}
	if st := l.State(); st.Concurrency != 8 {
		t.Fatalf("raised before a calm period: %+v", st)
	}
	// Each calm period with a success adds one slot and a rate step; the
	// rate cap goes when both are back.
	prevRate := cut.Rate
	for want := 9; want <= 16; want++ {
		clock.Advance(throttleCalm)
		l.Release(mustAcquire(t, l), outcomeAnswered)
		st := l.State()
		if st.Concurrency != want {
			t.Fatalf("calm period %d: %+v, want concurrency %d", want-8, st, want)
		}
		if want < 16 && st.Rate <= prevRate {
			t.Fatalf("calm period %d: rate %v did not rise from %v", want-8, st.Rate, prevRate)
		}
		prevRate = st.Rate
	}
	if st := l.State(); st.Rate != 0 || st.Concurrency != 16 {
		t.Fatalf("after recovering: %+v, want full concurrency and no rate cap", st)
	}
	// Neither failures nor the quota count as calm or as throttling.
	l.Release(mustAcquire(t, l), outcomeNeutral)
	if st := l.State(); st.Cuts != 1 || st.Throttled != 1 {
		t.Errorf("a neutral outcome changed the throttle: %+v", st)
	}
}

func TestThrottlePacesTheRate(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(4, clock.options(), t.Logf)
	l.Release(mustAcquire(t, l), outcomeThrottled) // 1 send / 100 ms = 10/s, halved
	if st := l.State(); st.Rate != 5 {
		t.Fatalf("rate %v, want 5/s", st.Rate)
	}
	start := clock.Now()
	const n = 5 // within one calm period, so the rate stays put
	for range n {
		tk := mustAcquire(t, l)
		l.Release(tk, outcomeAnswered)
	}
	// 200 ms apart, the first one too: the 429 said the gateway's bucket
	// is empty now.
	if got, want := clock.Now().Sub(start), n*200*time.Millisecond; got != want {
		t.Errorf("%d sends took %s on the throttle's clock, want %s (slept %v)", n, got, want, clock.slept)
	}
}

func TestThrottleLimitsRequestsInFlight(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(2, clock.options(), t.Logf)
	a, b := mustAcquire(t, l), mustAcquire(t, l)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error)
	go func() {
		_, err := l.Acquire(ctx)
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a third request got a slot of two (%v)", err)
	case <-time.After(20 * time.Millisecond):
		// Not an assertion on time: only a chance for a wrong grant to show.
	}
	l.Release(a, outcomeAnswered)
	if err := <-got; err != nil {
		t.Fatalf("the waiting request did not get the freed slot: %v", err)
	}
	// A request waiting for a slot gives up with its context.
	go func() {
		_, err := l.Acquire(ctx)
		got <- err
	}()
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait returned %v", err)
	}
	l.Release(b, outcomeAnswered)
}

func TestFixedThrottleNeverAdapts(t *testing.T) {
	clock := newFakeClock()
	opt := clock.options()
	opt.Fixed = true
	l := newLimiter(16, opt, t.Logf)
	for range 5 {
		l.Release(mustAcquire(t, l), outcomeThrottled)
	}
	if st := l.State(); st.Concurrency != 16 || st.Rate != 0 || st.Cuts != 0 || st.Throttled != 5 {
		t.Errorf("fixed throttle after 429s: %+v", st)
	}
}

// pullUnderRateLimit pulls all customers twice with one client from a
// gateway that allows fewer requests than the client would send, and
// returns the 429s each pull met. Backoff is instant; the throttle's own
// waits are real, because the simulator's token bucket refills in real
// time (only the throttle's pacing can wait for it: about half a second
// here).
func pullUnderRateLimit(t *testing.T, fixed bool) (first, second int64) {
	t.Helper()
	// Small pages are quick to serve, so that eight workers outrun the
	// gateway's 100 a second even on a slow machine or under -race.
	env := newSimEnv(t, sim.Options{Customers: 400}, func(c *Config) { c.Concurrency = 8; c.PageSize = 20 }) // 20 pages
	env.srv.SetBehaviour(sim.Behaviour{RateLimit: 100, Burst: 5})
	opt := noBackoff()
	// Without adaptation every retry is throttled again until the bucket
	// has a token: allow enough attempts that the fixed client completes
	// too, so that the comparison is of 429s, not of failures.
	opt.MaxAttempts = 100000
	opt.Throttle = ThrottleOptions{Fixed: fixed, Sleep: sleepContext}
	opt.Logf = t.Logf
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := env.srv.Records("customers")
	for i, throttled := range []*int64{&first, &second} {
		before := client.Throttle().Throttled
		records, _, err := client.ListAll(context.Background(), "/customers", ListQuery{Flags: []string{"show_nulls"}})
		if err != nil {
			t.Fatalf("pull %d: %v", i+1, err)
		}
		got := decodeRecords(t, records)
		if len(got) != len(want) {
			t.Fatalf("pull %d: %d records, server has %d", i+1, len(got), len(want))
		}
		for j := range want {
			if !reflect.DeepEqual(got[j], want[j]) {
				t.Fatalf("pull %d: record %d differs", i+1, j)
			}
		}
		*throttled = client.Throttle().Throttled - before
	}
	t.Logf("fixed=%v: 429s %d then %d; throttle %+v", fixed, first, second, client.Throttle())
	return first, second
}

func TestAdaptiveThrottleLearnsTheRate(t *testing.T) {
	first, second := pullUnderRateLimit(t, false)
	fixedFirst, fixedSecond := pullUnderRateLimit(t, true)
	if first == 0 {
		t.Fatal("the adaptive client was never throttled; the test proves nothing")
	}
	// The first pull meets the 429s that teach the throttle; the second,
	// with what it learned, meets fewer.
	if second >= first {
		t.Errorf("adaptive: %d 429s in the first pull, %d in the second: it did not learn", first, second)
	}
	// Without adaptation the client keeps running into the limit.
	if fixedFirst+fixedSecond <= 2*(first+second) {
		t.Errorf("429s: adaptive %d+%d, fixed %d+%d; want the fixed client throttled far more",
			first, second, fixedFirst, fixedSecond)
	}
}

func TestRetryAfterWithinTheCapIsWaited(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 2000}, func(c *Config) { c.Concurrency = 1 }) // 10 pages
	env.srv.SetFaults(sim.Faults{ThrottleRate: 0.3})
	env.srv.SetBehaviour(sim.Behaviour{RetryAfter: 2})
	var waits []time.Duration
	clock := newFakeClock() // the throttle's pacing goes to its own clock
	opt := ClientOptions{Backoff: func(int) time.Duration { return time.Millisecond }, Throttle: clock.options(),
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	records, _, err := client.ListAll(context.Background(), "/customers", ListQuery{})
	if err != nil || len(records) != 2000 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	throttled := client.Throttle().Throttled
	if throttled == 0 {
		t.Fatal("no request was throttled; the test proves nothing")
	}
	if int64(len(waits)) != throttled {
		t.Errorf("%d waits for %d 429s", len(waits), throttled)
	}
	for _, d := range waits {
		if d != 2*time.Second {
			t.Errorf("waited %s, want the server's Retry-After of 2s (waits %v)", d, waits)
			break
		}
	}
}

func TestRetryAfterAboveTheCapStops(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 2000}, func(c *Config) { c.Concurrency = 1 }) // 10 pages
	env.srv.SetFaults(sim.Faults{ThrottleRate: 0.3})
	env.srv.SetBehaviour(sim.Behaviour{RetryAfter: 90})
	var waits []time.Duration
	opt := ClientOptions{Backoff: func(int) time.Duration { return time.Millisecond }, MaxRetryAfter: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, stats, err := client.ListAll(context.Background(), "/customers", ListQuery{})
	var raErr *RetryAfterError
	if !errors.As(err, &raErr) {
		t.Fatalf("got %v, want a RetryAfterError", err)
	}
	want := fmt.Sprintf("GET /customers page %d: the API asked to wait 1m30s before retrying (Retry-After), more than the 1m0s", raErr.Page)
	if raErr.Page < 1 || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	if IsPartialStop(err) {
		t.Error("a long Retry-After is not a partial stop")
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests {
		t.Errorf("the 429 is not reachable through %v", err)
	}
	// One page after another: the pages before the throttled one came in,
	// and the throttled request was not sent again.
	if len(waits) != 0 || stats.Pages != raErr.Page-1 || env.srv.Requests() != int64(raErr.Page) {
		t.Errorf("waits %v, %d pages, server saw %d requests; want no wait and the throttled page %d sent once",
			waits, stats.Pages, env.srv.Requests(), raErr.Page)
	}
}
