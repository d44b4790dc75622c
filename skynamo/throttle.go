package skynamo

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The adaptive throttle is AIMD, as TCP's congestion control: the gateway's
// limits (FACTS.md, Unknowns) are a token bucket nobody outside Skynamo
// knows the size of, so the client finds them by backing off hard when
// throttled and probing back up slowly while the server is calm.
const (
	// throttleRateWindow bounds how far back the send rate is measured.
	throttleRateWindow = 10 * time.Second

	// throttleCut halves concurrency and rate on a 429: from any overshoot
	// of the server's rate the client is under it within log2(overshoot)
	// throttled rounds, and halving keeps most of the throughput.
	throttleCut = 0.5
	// throttleCalm is how long the server must answer without a 429 before
	// one more request may be in flight: the gateway's bucket refills
	// continuously, and a second lets it refill noticeably while a pull of
	// 100,000 records (500 pages) still recovers within the pull.
	throttleCalm = time.Second
	// throttleRecoverySteps is how many calm periods the rate takes to climb
	// back to where it was cut, matching the climb of the default
	// concurrency from 8 back to 16.
	throttleRecoverySteps = 8
	// throttleMinRate is the floor of the rate (requests per second): a
	// server that throttles one request a second has something other than
	// rate in mind, and the backoff and the attempt limit deal with that.
	throttleMinRate = 1.0
	// throttleMinWindow is the shortest time over which the send rate is
	// measured: a burst sent in one instant has no meaningful rate.
	throttleMinWindow = 100 * time.Millisecond
)

// ThrottleOptions tune the adaptive throttle; the zero value is the default.
type ThrottleOptions struct {
	// Fixed keeps concurrency and rate where they are on 429s; retries
	// still back off. For comparison in tests, and for hosts that pace
	// their requests themselves.
	Fixed bool
	// Now is the throttle's clock; nil = time.Now.
	Now func() time.Time
	// Sleep waits for the rate; nil = ClientOptions.Sleep, so that tests
	// which make retries instant make the throttle's waits instant too.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ThrottleState is where the adaptive throttle stands.
type ThrottleState struct {
	Concurrency    int     // requests allowed in flight now
	MaxConcurrency int     // Config.Concurrency, where it recovers to
	Rate           float64 // requests per second allowed now; 0 = unlimited
	Throttled      int64   // 429 Too Many Requests answers seen
	Cuts           int     // times concurrency and rate came down
}

// outcome is what became of one request, as far as the throttle cares.
type outcome int

const (
	// outcomeAnswered: the server answered without throttling (any answer
	// but a 429 or a 5xx: a 404 is a calm server too).
	outcomeAnswered outcome = iota
	// outcomeThrottled: 429 Too Many Requests.
	outcomeThrottled
	// outcomeNeutral: no answer, a 5xx, the quota, or never sent; says
	// nothing about the rate.
	outcomeNeutral
)

// ticket is a granted slot; it remembers the generation it was sent in so
// that the 429s of one burst count as one signal.
type ticket struct{ gen int }

// limiter bounds the requests of one Client in flight and per second.
//
// At full speed (limit at the maximum, no rate) Acquire and Release take a
// mutex and touch two integers: the clock is read only once throttled.
type limiter struct {
	fixed bool
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	logf  func(string, ...any)

	mu       sync.Mutex
	max      int
	limit    int
	inFlight int
	wake     chan struct{} // closed when a slot may have freed; nil = nobody waits

	rate     float64   // requests per second; 0 = unlimited
	cutFrom  float64   // the rate before the last cut; above it the rate is dropped
	step     float64   // rate added per calm period
	nextSend time.Time // earliest send under the rate

	gen       int       // bumped on each cut
	changed   time.Time // last cut or raise; calm periods count from here
	sent      int       // sends since `since`, to measure the rate of the first cut
	since     time.Time // zero until the first send after a reset
	throttled int64
	cuts      int
}

func newLimiter(concurrency int, opt ThrottleOptions, logf func(string, ...any)) *limiter {
	l := &limiter{fixed: opt.Fixed, now: opt.Now, sleep: opt.Sleep, logf: logf, max: concurrency, limit: concurrency}
	if l.now == nil {
		l.now = time.Now
	}
	if l.sleep == nil {
		l.sleep = sleepContext
	}
	return l
}

// Acquire waits for a slot and then for the rate. The caller must Release
// the ticket once the answer (or the failure) is in.
func (l *limiter) Acquire(ctx context.Context) (ticket, error) {
	l.mu.Lock()
	for l.inFlight >= l.limit {
		if l.wake == nil {
			l.wake = make(chan struct{})
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ticket{}, ctx.Err()
		}
		l.mu.Lock()
	}
	l.inFlight++
	t := ticket{gen: l.gen}
	if !l.fixed {
		// The rate a first cut starts from is measured over recent sends
		// only: an average over a run with idle stretches would start it
		// near zero.
		if now := l.now(); l.since.IsZero() || now.Sub(l.since) > throttleRateWindow {
			l.sent, l.since = 0, now
		}
		l.sent++
	}
	var wait time.Duration
	if l.rate > 0 {
		// Reserve the next send time and wait for it outside the lock, so
		// that other requests can reserve theirs meanwhile.
		now := l.now()
		at := l.nextSend
		if at.Before(now) {
			at = now
		}
		l.nextSend = at.Add(time.Duration(float64(time.Second) / l.rate))
		wait = at.Sub(now)
	}
	l.mu.Unlock()
	if wait > 0 {
		if err := l.sleep(ctx, wait); err != nil {
			l.Release(t, outcomeNeutral)
			return ticket{}, err
		}
	}
	return t, nil
}

// Release frees the slot and adapts to how the request went.
func (l *limiter) Release(t ticket, o outcome) {
	var msg string
	l.mu.Lock()
	l.inFlight--
	switch {
	case o == outcomeThrottled:
		l.throttled++
		if !l.fixed && t.gen == l.gen {
			msg = l.cut()
		}
	case o == outcomeAnswered && !l.fixed && t.gen == l.gen && (l.limit < l.max || l.rate > 0):
		l.raise()
	}
	if l.wake != nil && l.inFlight < l.limit {
		close(l.wake)
		l.wake = nil
	}
	l.mu.Unlock()
	if msg != "" {
		l.logf("%s", msg)
	}
}

// cut halves concurrency and rate. The first cut starts from the rate
// measured since the last change; later ones from the current cap. Only a
// 429 to a request sent since the last cut counts (see ticket), or one
// burst of parallel 429s would take the limit from 16 to 1 at once.
func (l *limiter) cut() string {
	now := l.now()
	from := l.rate
	if from == 0 {
		window := max(now.Sub(l.since), throttleMinWindow)
		from = float64(l.sent) / window.Seconds()
	}
	l.cutFrom = from
	l.rate = max(from*throttleCut, throttleMinRate)
	l.step = max((l.cutFrom-l.rate)/throttleRecoverySteps, 0.1)
	oldLimit := l.limit
	l.limit = max(1, int(float64(l.limit)*throttleCut))
	// A 429 says the bucket is empty now: the next send waits one interval
	// for a token, or the requests queued behind the slot would spend the
	// new rate's first send on another 429.
	if next := now.Add(time.Duration(float64(time.Second) / l.rate)); next.After(l.nextSend) {
		l.nextSend = next
	}
	l.gen++
	l.cuts++
	l.changed = now
	l.sent, l.since = 0, time.Time{}
	return fmt.Sprintf("the API is throttling (429 Too Many Requests): requests in flight %d -> %d, rate %.1f -> %.1f per second",
		oldLimit, l.limit, from, l.rate)
}

// raise adds one slot and one rate step once a calm period has passed
// since the last change. The rate cap goes once concurrency is back at its
// maximum and the rate back where it was cut.
func (l *limiter) raise() {
	now := l.now()
	if now.Sub(l.changed) < throttleCalm {
		return
	}
	l.changed = now
	if l.limit < l.max {
		l.limit++
	}
	if l.rate > 0 {
		l.rate += l.step
		if l.limit >= l.max && l.rate >= l.cutFrom {
			l.rate, l.nextSend = 0, time.Time{}
			l.sent, l.since = 0, time.Time{}
		}
	}
}

// State reports where the throttle stands.
func (l *limiter) State() ThrottleState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ThrottleState{Concurrency: l.limit, MaxConcurrency: l.max, Rate: l.rate, Throttled: l.throttled, Cuts: l.cuts}
}
