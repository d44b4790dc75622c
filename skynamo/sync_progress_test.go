package skynamo

import (
	"context"
	"sync"
	"testing"

	"skynamo/skynamo/sim"
)

func TestSyncProgressPerPageThenDone(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 450}, nil)
	var mu sync.Mutex
	var got []SyncProgress
	env.syncer = NewSyncer(env.client, env.cache, SyncOptions{Now: env.clock.Now, Progress: func(p SyncProgress) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	}})
	ctx := context.Background()
	res, err := env.syncer.Sync(ctx, "customers", false)
	if err != nil {
		t.Fatal(err)
	}
	// 3 pages, one report each, then the follow-up and the end.
	if len(got) != 5 {
		t.Fatalf("%d reports: %+v", len(got), got)
	}
	first := got[0]
	if first.Entity != "customers" || first.Pages != 1 || first.TotalPages != 3 || first.Records != 200 || first.TotalRecords != 450 || first.Done {
		t.Errorf("first report %+v", first)
	}
	if p := got[2]; p.Pages != 3 || p.TotalPages != 3 || p.Records != 450 {
		t.Errorf("last page %+v", p)
	}
	last := got[len(got)-1]
	if !last.Done || last.Pages != res.Pages || last.Records != res.Received || last.Mode != ModeFull {
		t.Errorf("last report %+v, result %+v", last, res)
	}
	if env.syncer.Received() != int64(res.Received) {
		t.Errorf("Received %d, result %+v", env.syncer.Received(), res)
	}

	// A fresh cache: no pull, no report.
	got = nil
	if _, err := env.syncer.Sync(ctx, "customers", false); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("a fresh cache reported %+v", got)
	}
}

func TestReaderCountsServedAgainstPulled(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 700, Users: 5}, nil)
	r := NewReader(env.syncer, nil)
	ctx := context.Background()
	if _, err := r.Raw(ctx, "users"); err != nil {
		t.Fatal(err)
	}
	if r.Served() != 0 || env.syncer.Received() != 5 {
		t.Fatalf("first read: served %d, received %d", r.Served(), env.syncer.Received())
	}
	if _, err := r.Raw(ctx, "users"); err != nil {
		t.Fatal(err)
	}
	if r.Served() != 5 || env.syncer.Received() != 5 {
		t.Fatalf("second read: served %d, received %d", r.Served(), env.syncer.Received())
	}

	if _, err := r.Raw(ctx, "customers"); err != nil {
		t.Fatal(err)
	}
	before := env.syncer.Received()
	env.srv.TouchCustomers(10)
	r.RefreshAll()
	recs, err := r.Raw(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	pulled := env.syncer.Received() - before
	if pulled != 10 || r.Served() != 5+int64(len(recs))-10 {
		t.Fatalf("incremental read: pulled %d, served %d of %d", pulled, r.Served(), len(recs))
	}
}

func TestClientTracesEveryAttempt(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	var mu sync.Mutex
	var traces []RequestTrace
	opt := noBackoff()
	opt.Trace = func(tr RequestTrace) {
		mu.Lock()
		defer mu.Unlock()
		traces = append(traces, tr)
	}
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	env.srv.SetFaults(sim.Faults{ThrottleRate: 1})
	_, _, err = client.ListAll(context.Background(), "/customers", ListQuery{})
	if err == nil {
		t.Fatal("every request throttled, yet no error")
	}
	if len(traces) != DefaultMaxAttempts || int64(len(traces)) != client.Requests() {
		t.Fatalf("%d traces for %d requests", len(traces), client.Requests())
	}
	for i, tr := range traces {
		if tr.Attempt != i+1 || tr.Status != 429 || tr.Err == nil || tr.Method != "GET" || tr.Path != "/customers" || tr.Query.Get("page_number") != "1" {
			t.Errorf("trace %d: %+v", i, tr)
		}
	}
	env.srv.SetFaults(sim.Faults{})
	traces = nil
	if _, _, err := client.ListAll(context.Background(), "/customers", ListQuery{}); err != nil {
		t.Fatal(err)
	}
	if len(traces) != 1 || traces[0].Status != 200 || traces[0].Err != nil || traces[0].Attempt != 1 {
		t.Fatalf("traces %+v", traces)
	}
}
