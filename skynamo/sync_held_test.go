package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// pageHold is a transport that records the unfiltered list pages asked
// for, and holds back the request for one page until the server has
// refused a request: that page then meets the exhausted quota after pages
// beyond it were answered, so a stop leaves pages beyond a gap, every time.
type pageHold struct {
	srv   *sim.Server
	quota int64
	hold  int // page number held back (0 = none)

	mu    sync.Mutex
	pages []int
}

func (h *pageHold) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	page, _ := strconv.Atoi(q.Get("page_number"))
	if q.Get("filters") == "" && page > 0 {
		h.mu.Lock()
		h.pages = append(h.pages, page)
		h.mu.Unlock()
	}
	if page == h.hold && h.quota > 0 {
		for deadline := time.Now().Add(5 * time.Second); h.srv.Requests() <= h.quota && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		// The other workers' stop cancels the request's context; send it
		// anyway, so that it is the quota that refuses this page.
		req = req.WithContext(context.WithoutCancel(req.Context()))
	}
	return http.DefaultTransport.RoundTrip(req)
}

// take returns the pages asked for since the last take, sorted.
func (h *pageHold) take() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.pages)
	h.pages = nil
	slices.Sort(out)
	return out
}

// newHeldEnv is a simulator env with pages of 50, 8 workers and the pageHold
// transport holding back page 3.
func newHeldEnv(t *testing.T, opts sim.Options) (*simEnv, *pageHold) {
	t.Helper()
	env := newSimEnv(t, opts, func(c *Config) { c.Concurrency = 8; c.PageSize = 50 })
	hold := &pageHold{srv: env.srv, hold: 3}
	opt := noBackoff()
	opt.HTTP = &http.Client{Transport: hold, Timeout: 30 * time.Second}
	client, err := NewClient(env.cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	env.client = client
	env.syncer = NewSyncer(client, env.cache, SyncOptions{Now: env.clock.Now, Logf: t.Logf})
	return env, hold
}

// setQuota starts a fresh quota of n requests (0 = none).
func (env *simEnv) setQuota(hold *pageHold, n int) {
	env.srv.SetFaults(sim.Faults{QuotaLimit: n})
	env.srv.ResetRequests()
	hold.quota = int64(n)
	hold.take()
}

// serverPages is the server's records on the given pages of size 50,
// listed by id as the simulator lists them.
func serverPages(records []map[string]any, pages []int) []map[string]any {
	var out []map[string]any
	for _, p := range pages {
		lo := min((p-1)*50, len(records))
		out = append(out, records[lo:min(p*50, len(records))]...)
	}
	return out
}

// heldPages is every page a stopped pull's state says it holds.
func heldPages(state EntityState) []int {
	var pages []int
	for p := 1; p <= state.PagesDone; p++ {
		pages = append(pages, p)
	}
	return append(pages, state.Held...)
}

// missingPages is the pages of 1..last that state does not hold.
func missingPages(state EntityState, last int) []int {
	var out []int
	for p := 1; p <= last; p++ {
		if !slices.Contains(heldPages(state), p) {
			out = append(out, p)
		}
	}
	return out
}

// A quota that stops a parallel pull keeps every page received, those
// beyond the first missing page too, and the resume fetches only the pages
// missing, then verifies as after any pull.
func TestQuotaStopKeepsPagesBeyondTheGap(t *testing.T) {
	for _, tc := range []struct {
		entity string
		opts   sim.Options
		// verify is the pages the resume asks for besides the missing
		// ones: an append-only pull's tail check asks for the last page
		// again; a versioned pull's follow-up is filtered and not counted.
		verify func(last int) []int
		change func(env *simEnv) // between the stop and the resume
	}{
		{"customers", sim.Options{Customers: 2000, Seed: 4}, func(int) []int { return nil }, nil},
		{"customers", sim.Options{Customers: 2000, Seed: 4}, nil, func(env *simEnv) { env.srv.Mutate("customers", 3, 5, 2) }},
		{"orders", sim.Options{Orders: 2000, Seed: 4}, func(last int) []int { return []int{last} }, nil},
		{"orders", sim.Options{Orders: 2000, Seed: 4}, nil, func(env *simEnv) { env.srv.Mutate("orders", 60, 0, 0) }},
	} {
		name := tc.entity
		if tc.change != nil {
			name += ", changed in between"
		}
		t.Run(name, func(t *testing.T) {
			env, hold := newHeldEnv(t, tc.opts)
			ctx := context.Background()
			const quota = 15
			env.setQuota(hold, quota)
			_, err := env.syncer.Sync(ctx, tc.entity, false)
			if !errors.Is(err, ErrQuotaExceeded) {
				t.Fatalf("%v, want the quota", err)
			}
			records, state, ok, err := env.cache.Load(tc.entity)
			if err != nil || !ok {
				t.Fatalf("no cache after the stop: %v", err)
			}
			// Every request the quota allowed brought a page, and the
			// cache holds each of them.
			if state.Complete || state.Next != StepPages || state.PagesDone != 2 || len(state.Held) == 0 ||
				len(heldPages(state)) != quota || !strings.Contains(state.Note, "beyond") {
				t.Fatalf("after the stop: %+v; want pages 1-2 and %d beyond page 3 held", state, quota-2)
			}
			if got, want := decodeRecords(t, records), serverPages(env.srv.Records(tc.entity), heldPages(state)); !equalRecords(got, want) {
				t.Fatalf("the cache holds %d records, not the server's %d of pages %v", len(got), len(want), heldPages(state))
			}
			est, err := env.syncer.Plan(tc.entity, false)
			if err != nil || !strings.Contains(est.Why, "beyond it held") {
				t.Errorf("plan %+v, %v: want the held pages mentioned", est, err)
			}

			if tc.change != nil {
				tc.change(env)
			}
			env.setQuota(hold, 0)
			last := ceilDiv(len(env.srv.Records(tc.entity)), 50)
			res, err := env.syncer.Sync(ctx, tc.entity, false)
			if err != nil {
				t.Fatal(err)
			}
			asked := hold.take()
			if tc.verify != nil {
				want := append(missingPages(state, last), tc.verify(last)...)
				slices.Sort(want)
				if !slices.Equal(asked, want) {
					t.Errorf("the resume asked for pages %v, want %v (the missing ones and the verification)", asked, want)
				}
			}
			for _, p := range asked {
				if p != last && slices.Contains(heldPages(state), p) {
					t.Errorf("the resume fetched page %d again", p)
				}
			}
			if !res.Complete {
				t.Errorf("%+v is not complete", res)
			}
			t.Logf("resume: %s, %d requests, pages %v (%s)", res.Mode, res.Requests, asked, res.Fallback)
			env.assertCacheEqualsServer(t, tc.entity)
		})
	}
}

// The daily full pull of an append-only entity, stopped by the quota,
// keeps the complete cache readable and its own pages in the side entry;
// the next sync continues it rather than starting at page 1, and swaps it
// in once it completes.
func TestStoppedRepullContinues(t *testing.T) {
	env, hold := newHeldEnv(t, sim.Options{Orders: 2000, Seed: 6})
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "orders", false); err != nil {
		t.Fatal(err)
	}
	complete, _, _, _ := env.cache.Load("orders")
	fullPull := env.srv.RequestsFor("/orders")
	env.srv.Mutate("orders", 30, 0, 0)

	env.clock.Advance(DefaultReconcileEvery)
	const quota = 12
	env.setQuota(hold, quota)
	res, err := env.syncer.Sync(ctx, "orders", false)
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("re-pull: %v, want the quota", err)
	}
	if res.Records != len(complete) || !strings.Contains(res.Note, "complete copy") {
		t.Errorf("%+v: want the complete copy's %d records reported", res, len(complete))
	}
	records, state, err := env.syncer.Cached("orders")
	if err != nil || !state.Complete || len(records) != len(complete) {
		t.Fatalf("readers get %d records (state %+v, %v), want the complete %d", len(records), state, err, len(complete))
	}
	side, found, err := env.cache.RepullState("orders")
	if err != nil || !found || side.Next != StepPages || len(heldPages(side)) != quota || len(side.Held) == 0 {
		t.Fatalf("the side entry %+v (found %v, %v): want the %d pages received", side, found, err, quota)
	}
	est, err := env.syncer.Plan("orders", false)
	if err != nil || est.Mode != ModeResume || !strings.Contains(est.Why, "re-pull is half done: 12 pages held") {
		t.Errorf("plan %+v, %v", est, err)
	}
	status, err := env.cache.Status(env.clock.Now(), DefaultRefreshInterval)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range status {
		if st.Entity == "orders" && (!st.Complete || !strings.Contains(st.Repull, "12 pages held")) {
			t.Errorf("status %+v: want complete, with the re-pull mentioned", st)
		}
	}

	env.setQuota(hold, 0)
	last := ceilDiv(len(env.srv.Records("orders")), 50)
	res, err = env.syncer.Sync(ctx, "orders", false)
	if err != nil {
		t.Fatal(err)
	}
	asked := hold.take()
	want := append(missingPages(side, last), last)
	slices.Sort(want)
	if !slices.Equal(asked, want) {
		t.Errorf("the continued re-pull asked for pages %v, want the missing ones and the tail check %v", asked, want)
	}
	if got := env.srv.RequestsFor("/orders"); got >= fullPull || res.Mode != ModeResume || !res.Complete {
		t.Errorf("%+v after %d requests; a full pull takes %d", res, got, fullPull)
	}
	env.assertCacheEqualsServer(t, "orders")
	if _, found, _ := env.cache.RepullState("orders"); found {
		t.Error("the side entry is still there after the re-pull completed")
	}
	state, _, _ = env.cache.State("orders")
	if !state.LastFullPull.Equal(env.clock.Now()) || len(state.Held) != 0 || state.PagesDone != 0 {
		t.Errorf("state %+v: want a full pull recorded now, no resume bookkeeping", state)
	}
}

// Clear removes a half-done re-pull with the entity's cache.
func TestClearRemovesTheRepull(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 10}, nil)
	one := []json.RawMessage{json.RawMessage(`{"id":1}`)}
	if err := env.cache.Save("orders", one, EntityState{Complete: true}); err != nil {
		t.Fatal(err)
	}
	if err := env.cache.Save(repullKey("orders"), one, EntityState{Next: StepPages, PagesDone: 1}); err != nil {
		t.Fatal(err)
	}
	if err := env.cache.Clear("orders"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := env.cache.RepullState("orders"); found {
		t.Error("Clear left the side entry")
	}
}
