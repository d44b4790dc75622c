package skynamo

import (
	"context"
	"errors"
	"testing"

	"skynamo/skynamo/sim"
)

// A re-pull over a complete cache (the daily full pull of an append-only
// entity, every pull of a reference table) that the quota stops after a
// checkpoint must leave the complete cache, not the checkpoint's prefix.
func TestStoppedRepullKeepsTheCompleteCache(t *testing.T) {
	for _, tc := range []struct {
		entity string
		opts   sim.Options
		size   int
		quota  int
		age    func(env *simEnv)
	}{
		{"orders", sim.Options{Orders: 1000, Seed: 3}, 50, 6, func(env *simEnv) { env.clock.Advance(DefaultReconcileEvery) }},
		{"stock_levels", sim.Options{Seed: 3}, 5, 4, func(env *simEnv) { env.clock.Advance(2 * DefaultRefreshInterval) }},
	} {
		t.Run(tc.entity, func(t *testing.T) {
			env := newSimEnv(t, tc.opts, func(c *Config) { c.Concurrency = 1; c.PageSize = tc.size })
			env.syncer = NewSyncer(env.client, env.cache, SyncOptions{Now: env.clock.Now, CheckpointPages: 2})
			ctx := context.Background()
			if _, err := env.syncer.Sync(ctx, tc.entity, false); err != nil {
				t.Fatal(err)
			}
			before, _, _ := env.cache.State(tc.entity)
			tc.age(env)
			env.srv.SetFaults(sim.Faults{QuotaLimit: tc.quota})
			res, err := env.syncer.Sync(ctx, tc.entity, false)
			if !errors.Is(err, ErrQuotaExceeded) {
				t.Fatalf("re-pull: %v, want the quota", err)
			}
			after, _, _ := env.cache.State(tc.entity)
			if after.Count < before.Count || !after.Complete {
				t.Errorf("a complete cache of %d became %d records (complete %v; the result says %d)", before.Count, after.Count, after.Complete, res.Records)
			}
		})
	}
}

// After the quota stops a pull, the other parallel pages stop too: the
// server sees hardly more requests than the quota allowed.
func TestNoRequestsAfterTheQuota(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 2000, Seed: 3}, func(c *Config) { c.Concurrency = 4; c.PageSize = 50 })
	env.srv.SetFaults(sim.Faults{QuotaLimit: 6})
	_, err := env.syncer.Sync(context.Background(), "customers", false)
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("%v, want the quota", err)
	}
	// 6 allowed, and at most one refused request per worker in flight.
	if got := env.srv.Requests(); got > 6+4 {
		t.Errorf("the server saw %d requests after a quota of 6 with 4 workers", got)
	}
}
