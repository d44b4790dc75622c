package skynamo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// Plan estimates from the cache state alone; each estimate is checked
// against what the sync then sends.
func TestPlanEstimates(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 1000, Orders: 900}, func(c *Config) { c.Concurrency = 1 })
	ctx := context.Background()
	plan := func(entity string, force bool) Estimate {
		t.Helper()
		env.srv.ResetRequests()
		est, err := env.syncer.Plan(entity, force)
		if err != nil {
			t.Fatal(err)
		}
		if env.srv.Requests() != 0 {
			t.Fatal("Plan sent a request")
		}
		return est
	}
	sync := func(entity string, force bool) SyncResult {
		t.Helper()
		res, err := env.syncer.Sync(ctx, entity, force)
		if err != nil && !IsPartialStop(err) {
			t.Fatal(err)
		}
		return res
	}

	est := plan("customers", false)
	if est.Mode != ModeFull || est.Exact || est.Requests != 2 || !strings.Contains(est.Why, "unknown until page 1") {
		t.Errorf("never pulled: %+v", est)
	}
	if res := sync("customers", false); res.Requests != 5+1 {
		t.Errorf("first pull took %d requests", res.Requests)
	}

	if est := plan("customers", false); est.Mode != ModeFresh || !est.Exact || est.Requests != 0 {
		t.Errorf("fresh: %+v", est)
	}
	est = plan("customers", true)
	if est.Mode != ModeIncremental || est.Exact || est.Requests != 1 || !strings.Contains(est.Why, "1 plus one per 200 changes") {
		t.Errorf("incremental: %+v", est)
	}
	if res := sync("customers", true); res.Requests != int64(est.Requests) {
		t.Errorf("incremental took %d requests, estimated %d", res.Requests, est.Requests)
	}

	env.clock.Advance(DefaultReconcileEvery)
	est = plan("customers", false)
	if est.Mode != ModeReconcile || est.Requests != 6+1 {
		t.Errorf("reconcile due: %+v", est)
	}
	if res := sync("customers", false); res.Mode != ModeReconcile || res.Requests != int64(est.Requests) {
		t.Errorf("reconcile: %+v, estimated %d", res, est.Requests)
	}

	// Append-only: after a quota stop, resume from the last page.
	env.srv.SetFaults(sim.Faults{QuotaLimit: 2})
	sync("orders", false)
	env.srv.SetFaults(sim.Faults{})
	est = plan("orders", false)
	if est.Mode != ModeResume || est.Requests != 3+1+1 || !strings.Contains(est.Why, "quota") {
		t.Errorf("append-only after the quota: %+v", est)
	}
	if res := sync("orders", false); res.Requests != int64(est.Requests) {
		t.Errorf("resume took %d requests, estimated %d", res.Requests, est.Requests)
	}
	env.clock.Advance(time.Hour)
	if est := plan("orders", false); est.Mode != ModeResume || est.Requests != 1 {
		t.Errorf("append-only, nothing new: %+v", est)
	}
	if est := plan("users", true); est.Mode != ModeFull || est.Requests != 1 {
		t.Errorf("reference: %+v", est)
	}
}

// Cached reads the cache without a request; a never-pulled entity is an
// error that names it and says how to pull it.
func TestCachedReadsWithoutRequests(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 300}, nil)
	_, _, err := env.syncer.Cached("customers")
	if err == nil || !strings.Contains(err.Error(), "customers has never been pulled") || !strings.Contains(err.Error(), "without --offline") {
		t.Errorf("got %v", err)
	}
	env.srv.SetFaults(sim.Faults{QuotaLimit: 1})
	if _, err := env.syncer.Sync(context.Background(), "customers", false); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatal(err)
	}
	env.srv.ResetRequests()
	records, state, err := env.syncer.Cached("customers")
	if err != nil || len(records) != 200 || state.Complete || env.srv.Requests() != 0 {
		t.Errorf("%d records, %+v, %v, %d requests", len(records), state, err, env.srv.Requests())
	}
	status, _ := env.cache.Status(env.clock.Now(), DefaultRefreshInterval)
	if status[0].Note != "stopped by the quota after 1 page; the next pull resumes at page 2" {
		t.Errorf("status note %q", status[0].Note)
	}
}
