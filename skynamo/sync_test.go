package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

func TestFullPullEqualsServer(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 450, Orders: 500}, nil)
	ctx := context.Background()
	for _, e := range Entities() {
		t.Run(e.Name, func(t *testing.T) {
			res, err := env.syncer.Sync(ctx, e.Name, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Mode != ModeFull || !res.Complete || res.Records != len(env.srv.Records(e.Name)) {
				t.Errorf("result %+v; server has %d records", res, len(env.srv.Records(e.Name)))
			}
			env.assertCacheEqualsServer(t, e.Name)
		})
	}
	if got := env.srv.RequestsFor("/customers"); got != 3+1 {
		t.Errorf("450 customers at page size 200 took %d requests, want 3 pages and the follow-up", got)
	}
}

func TestIncrementalPullAfterTouch(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 700}, nil)
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "customers", false); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetRequests()
	touched := env.srv.TouchCustomers(10)

	res, err := env.syncer.Sync(ctx, "customers", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := env.srv.RequestsFor("/customers"); got != 1 {
		t.Errorf("incremental pull made %d list requests to /customers, want 1", got)
	}
	if res.Mode != ModeIncremental || res.Received != len(touched) || res.Requests != 1 {
		t.Errorf("result %+v, want incremental with %d records in 1 request", res, len(touched))
	}
	env.assertCacheEqualsServer(t, "customers")

	state, _, _ := env.cache.State("customers")
	var serverMax int64
	for _, r := range env.srv.Records("customers") {
		n, _ := r["row_version"].(json.Number).Int64()
		serverMax = max(serverMax, n)
	}
	if state.MaxRowVersion != serverMax {
		t.Errorf("max row_version %d, server's %d", state.MaxRowVersion, serverMax)
	}
}

func TestNoRequestWhenFresh(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 50}, nil)
	ctx := context.Background()
	if _, err := env.syncer.Records(ctx, "customers", false); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetRequests()

	env.clock.Advance(DefaultRefreshInterval - time.Second)
	records, err := env.syncer.Records(ctx, "customers", false)
	if err != nil || len(records) != 50 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	if n := env.srv.Requests(); n != 0 {
		t.Errorf("a fresh cache cost %d requests", n)
	}

	env.clock.Advance(2 * time.Second)
	res, err := env.syncer.Sync(ctx, "customers", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != ModeIncremental || env.srv.Requests() != 1 {
		t.Errorf("stale cache: mode %s after %d requests, want one incremental request", res.Mode, env.srv.Requests())
	}
}

func TestPullSurvivesFailuresAndThrottling(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 3000, Orders: 1500, Seed: 3}, func(c *Config) { c.Concurrency = 8 })
	env.srv.SetFaults(sim.Faults{FailRate: 0.1, ThrottleRate: 0.1})
	ctx := context.Background()
	var requests int64
	var pages int
	for _, entity := range []string{"customers", "orders", "stock_levels"} {
		res, err := env.syncer.Sync(ctx, entity, false)
		if err != nil {
			t.Fatalf("%s: %v", entity, err)
		}
		if !res.Complete {
			t.Errorf("%s: %+v is not complete", entity, res)
		}
		requests += res.Requests
		pages += res.Pages
		env.assertCacheEqualsServer(t, entity)
	}
	if requests != env.srv.Requests() || env.client.Requests() != requests {
		t.Errorf("syncs counted %d requests, client %d, server received %d", requests, env.client.Requests(), env.srv.Requests())
	}
	if requests <= int64(pages) {
		t.Errorf("%d requests for %d pages: the faults did not fire, the test proves nothing", requests, pages)
	}
	t.Logf("%d pages took %d requests", pages, requests)
}

func TestQuotaStopsPullAndKeepsPages(t *testing.T) {
	// Concurrency 1 makes which pages land before the quota deterministic.
	env := newSimEnv(t, sim.Options{Customers: 1000}, func(c *Config) { c.Concurrency = 1 })
	env.srv.SetFaults(sim.Faults{QuotaLimit: 3})
	ctx := context.Background()

	records, err := env.syncer.Records(ctx, "customers", false)
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("error %v, want ErrQuotaExceeded", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.Attempts != 1 {
		t.Errorf("error %#v: want a 429 sent once (quota is never retried)", apiErr)
	}
	if !strings.Contains(err.Error(), "quota") {
		t.Errorf("error does not say what happened: %v", err)
	}
	if len(records) != 600 {
		t.Fatalf("kept %d records, want the 3 pages pulled before the quota ran out (600)", len(records))
	}
	state, _, _ := env.cache.State("customers")
	if state.Complete || state.MaxRowVersion != 0 || state.Count != 600 {
		t.Errorf("state after quota %+v: want incomplete, no max row_version, 600 records", state)
	}
	want := env.srv.Records("customers")[:600]
	if got := decodeRecords(t, records); !equalRecords(got, want) {
		t.Error("the kept pages are not the server's first 600 records")
	}

	// A new quota: the pull resumes where it stopped, then catches changes
	// made in between with one follow-up request.
	env.srv.SetFaults(sim.Faults{})
	env.srv.ResetRequests()
	env.srv.TouchCustomers(5)
	res, err := env.syncer.Sync(ctx, "customers", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != ModeResume || res.Requests != 3 {
		t.Errorf("resume: %+v; want pages 4-5 and the follow-up", res)
	}
	env.assertCacheEqualsServer(t, "customers")
}

func equalRecords(a, b []map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, _ := json.Marshal(a[i])
		y, _ := json.Marshal(b[i])
		if string(x) != string(y) {
			return false
		}
	}
	return true
}

func TestAppendOnlyResume(t *testing.T) {
	env := newSimEnv(t, sim.Options{Orders: 1100}, nil)
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "orders", false); err != nil {
		t.Fatal(err)
	}
	all, _ := env.cache.Records("orders")
	total := len(all)
	if total < 801 {
		t.Fatalf("the simulator made only %d orders", total)
	}

	t.Run("nothing new costs one request", func(t *testing.T) {
		env.srv.ResetRequests()
		res, err := env.syncer.Sync(ctx, "orders", true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Mode != ModeResume || env.srv.RequestsFor("/orders") != 1 {
			t.Errorf("%+v after %d requests", res, env.srv.RequestsFor("/orders"))
		}
		env.assertCacheEqualsServer(t, "orders")
	})

	t.Run("new records are fetched from the last cached page on", func(t *testing.T) {
		// A cache that stopped 450 records short: the server's newest
		// records are the ones it lacks.
		short := all[:total-450]
		if err := env.cache.Save("orders", short, EntityState{Mode: ModeResume, Complete: true, PageSize: MaxPageSize, LastFullPull: env.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		env.srv.ResetRequests()
		res, err := env.syncer.Sync(ctx, "orders", true)
		if err != nil {
			t.Fatal(err)
		}
		lastCachedPage := (len(short)-1)/MaxPageSize + 1
		lastPage := (total-1)/MaxPageSize + 1
		// An answer of several pages is not atomic: one more request from
		// the new last page checks the tail and the count.
		if want := int64(lastPage - lastCachedPage + 1 + 1); res.Mode != ModeResume || env.srv.RequestsFor("/orders") != want {
			t.Errorf("%+v after %d requests, want resume in %d", res, env.srv.RequestsFor("/orders"), want)
		}
		env.assertCacheEqualsServer(t, "orders")
	})

	t.Run("an overlap that does not match falls back to a full pull", func(t *testing.T) {
		changed := append([]json.RawMessage(nil), all[:total-10]...)
		changed[len(changed)-1] = json.RawMessage(`{"id": -5}`)
		if err := env.cache.Save("orders", changed, EntityState{Mode: ModeResume, Complete: true, PageSize: MaxPageSize, LastFullPull: env.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		res, err := env.syncer.Sync(ctx, "orders", true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Mode != ModeFull || !strings.Contains(res.Fallback, "id -5 in the cache") {
			t.Errorf("%+v: want a full pull explaining the mismatch", res)
		}
		env.assertCacheEqualsServer(t, "orders")
	})
}

func TestDeletedRecordsTriggerFullPull(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 250}, nil)
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "customers", false); err != nil {
		t.Fatal(err)
	}
	// A record the server no longer has: only the count reveals it.
	cached, _ := env.cache.Records("customers")
	state, _, _ := env.cache.State("customers")
	cached = append(cached, json.RawMessage(`{"id": 99999999, "row_version": 1, "name": "deleted"}`))
	if err := env.cache.Save("customers", cached, state); err != nil {
		t.Fatal(err)
	}
	env.srv.ResetRequests()
	res, err := env.syncer.Sync(ctx, "customers", true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != ModeReconcile || res.Fallback == "" || res.Requests != 1+2+1 {
		t.Errorf("%+v: want one incremental request, then a reconcile of 2 ranges and its follow-up", res)
	}
	env.assertCacheEqualsServer(t, "customers")
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 120}, nil)
	ctx := context.Background()
	for _, entity := range []string{"customers", "users", "customers"} {
		if _, err := env.syncer.Sync(ctx, entity, true); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	root := filepath.Join(env.cfg.DataDir, "cache")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"demo/customers.cache", "demo/customers.lock", "demo/meta.json", "demo/users.cache", "demo/users.lock"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("cache files %q, want %q (a temporary file left over?)", files, want)
	}
}

func TestRecordsOfUnknownEntity(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	_, err := env.syncer.Records(context.Background(), "customer", false)
	if err == nil || !strings.Contains(err.Error(), `did you mean "customers"`) {
		t.Errorf("got %v", err)
	}
	if env.srv.Requests() != 0 {
		t.Error("an unknown entity made a request")
	}
}

func TestCancelledPullStops(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 50}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := env.syncer.Sync(ctx, "customers", false)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if _, ok, _ := env.cache.State("customers"); ok {
		t.Error("a cancelled first pull saved a state")
	}
}

// A resume whose pages arrive but whose closing follow-up request hits
// the quota keeps those pages: the next run does not fetch them again.
func TestQuotaDuringResumeKeepsThePages(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 1000}, func(c *Config) { c.Concurrency = 1 })
	ctx := context.Background()
	env.srv.SetFaults(sim.Faults{QuotaLimit: 3})
	if _, err := env.syncer.Records(ctx, "customers", false); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("first pull: %v, want the quota", err)
	}
	// Enough quota for pages 4-5 but not for the follow-up.
	env.srv.SetFaults(sim.Faults{QuotaLimit: 2})
	env.srv.ResetRequests()
	if _, err := env.syncer.Sync(ctx, "customers", false); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("resume: %v, want the quota at the follow-up", err)
	}
	state, _, _ := env.cache.State("customers")
	if state.Count != 1000 || state.Complete || state.Next != StepFollowUp || !strings.Contains(state.Note, "quota") {
		t.Fatalf("after the resume's pages: %+v, want all 1000 records kept, the follow-up next", state)
	}
	env.srv.SetFaults(sim.Faults{})
	env.srv.ResetRequests()
	res, err := env.syncer.Sync(ctx, "customers", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 1 {
		t.Errorf("finishing took %d requests; the pages were already kept", res.Requests)
	}
	env.assertCacheEqualsServer(t, "customers")
}
