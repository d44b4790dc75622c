package sim

import "time"

// bucket is the gateway's token bucket: it holds up to size tokens, refills
// at rate tokens a second, and a request that finds it empty is throttled.
// One per server, as a usage plan's limit is per key and the simulator
// accepts one key. Guarded by faultState.mu.
type bucket struct {
	rate, size float64 // rate 0: unlimited
	tokens     float64
	last       time.Time // when tokens was last brought up to date
}

// configure sets the limits; a change starts a full bucket, as a new usage
// plan would.
func (b *bucket) configure(rate float64, burst int, now time.Time) {
	size := float64(burst)
	if burst <= 0 {
		size = max(1, rate)
	}
	if rate == b.rate && size == b.size {
		return
	}
	*b = bucket{rate: rate, size: size, tokens: size, last: now}
}

// take spends a token if there is one.
func (b *bucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	if now.After(b.last) {
		b.tokens = min(b.size, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}
