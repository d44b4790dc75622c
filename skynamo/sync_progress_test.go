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

// Served counts the records Read and ReadEach hand out that the run did
// not pull: not the records read internally (joins, the schema, Raw).
func TestReaderCountsServedAgainstPulled(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 700, Users: 5, Orders: 40}, nil)
	ctx := context.Background()
	read := func(r *Reader, entity string) int {
		t.Helper()
		n := 0
		if err := r.ReadEach(ctx, entity, ReadOptions{}, func(recs []Record) { n += len(recs) }); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// First run: everything it hands out it pulled, however often it reads.
	r := NewReader(env.syncer, nil)
	users := read(r, "users")
	read(r, "users")
	orders := read(r, "orders")
	if _, err := r.Raw(ctx, "customers"); err != nil {
		t.Fatal(err)
	}
	if users != 5 || orders != 40 || r.Served() != 0 {
		t.Fatalf("first run: %d users, %d orders, served %d", users, orders, r.Served())
	}

	// Second run on the same cache: what the script receives, the orders
	// without the interactions and forms joined into them, and nothing of
	// the customers a writer looked up with Raw.
	r = NewReader(env.syncer, nil)
	before := env.syncer.Received()
	read(r, "users")
	read(r, "orders")
	if _, err := r.Raw(ctx, "customers"); err != nil {
		t.Fatal(err)
	}
	if got := env.syncer.Received() - before; got != 0 || r.Served() != int64(users+orders) {
		t.Fatalf("second run: pulled %d, served %d, want 0 and %d", got, r.Served(), users+orders)
	}
	recs, err := r.Read(ctx, "users", ReadOptions{})
	if err != nil || r.Served() != int64(users+orders+len(recs)) {
		t.Fatalf("Read: served %d after %d users (%v)", r.Served(), len(recs), err)
	}

	// An incremental pull: the changed records count as pulled, the rest
	// of what is handed out as served from the cache.
	r = NewReader(env.syncer, nil)
	before = env.syncer.Received()
	env.srv.TouchCustomers(10)
	r.RefreshAll()
	customers := read(r, "customers")
	// --refresh pulls the form definitions (the schema) afresh too.
	pulled := env.syncer.Received() - before - int64(len(env.srv.Records("form_definitions")))
	if pulled != 10 || r.Served() != int64(customers)-10 {
		t.Fatalf("incremental read: pulled %d, served %d of %d", pulled, r.Served(), customers)
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
