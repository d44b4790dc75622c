package skynamo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// gateTransport holds every request until gate is closed; after limit
// requests (0 = none) it holds them until their context ends, as a
// process killed mid-pull would leave them.
type gateTransport struct {
	gate  chan struct{}
	limit int64
	sent  atomic.Int64
}

func (g *gateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.gate != nil {
		select {
		case <-g.gate:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	if n := g.sent.Add(1); g.limit > 0 && n > g.limit {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// syncerWith builds another Syncer on env's data folder, with its own
// Cache value (as another process would have) and transport.
func (env *simEnv) syncerWith(t *testing.T, rt http.RoundTripper, opt SyncOptions) *Syncer {
	t.Helper()
	copts := noBackoff()
	copts.HTTP = &http.Client{Transport: rt}
	client, err := NewClient(env.cfg, copts)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := OpenCache(env.cfg.DataDir, env.cfg.APIBase, env.cfg.Instance)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Now == nil {
		opt.Now = env.clock.Now
	}
	return NewSyncer(client, cache, opt)
}

// Two syncs of one entity on one folder (overlapping cron jobs): the
// second waits, says for whom, and uses the first one's pull.
func TestSecondSyncWaitsForTheFirst(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 500}, nil)
	ctx := context.Background()
	gate := &gateTransport{gate: make(chan struct{})}
	first := env.syncerWith(t, gate, SyncOptions{})
	messages := make(chan string, 4)
	second := env.syncerWith(t, http.DefaultTransport, SyncOptions{Logf: func(format string, args ...any) {
		messages <- strings.TrimSpace(fmt.Sprintf(format, args...))
	}})

	done := make(chan error)
	go func() {
		_, err := first.Sync(ctx, "customers", false)
		done <- err
	}()
	waitForLockHolder(t, env, "customers")

	type outcome struct {
		res SyncResult
		err error
	}
	secondDone := make(chan outcome)
	go func() {
		res, err := second.Sync(ctx, "customers", false)
		secondDone <- outcome{res, err}
	}()
	msg := <-messages
	if ok, _ := regexp.MatchString(`^waiting for another skynamo \(pid \d+\) pulling customers since \d\d:\d\d:\d\d$`, msg); !ok {
		t.Errorf("waiting message %q", msg)
	}
	close(gate.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := <-secondDone
	if out.err != nil {
		t.Fatal(out.err)
	}
	if out.res.Mode != ModeFresh || !out.res.Waited || out.res.Requests != 0 || !strings.Contains(out.res.Note, "another skynamo pulled it") {
		t.Errorf("second sync: %+v", out.res)
	}
	env.assertCacheEqualsServer(t, "customers")
}

// With NoLockWait the second sync fails at once and says why.
func TestSecondSyncWithoutWaiting(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 300}, nil)
	ctx := context.Background()
	gate := &gateTransport{gate: make(chan struct{})}
	first := env.syncerWith(t, gate, SyncOptions{})
	done := make(chan error)
	go func() {
		_, err := first.Sync(ctx, "customers", false)
		done <- err
	}()
	waitForLockHolder(t, env, "customers")
	second := env.syncerWith(t, http.DefaultTransport, SyncOptions{LockWait: NoLockWait})
	_, err := second.Sync(ctx, "customers", false)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pulling customers since") {
		t.Errorf("got %v, want ErrLocked naming the other run", err)
	}
	close(gate.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Reading a fresh entity takes no lock and no request.
	records, err := second.Records(ctx, "customers", false)
	if err != nil || len(records) != 300 {
		t.Errorf("%d records, %v", len(records), err)
	}
}

// waitForLockHolder polls until a sync holds the entity's lock (its info
// is written right after it is taken).
func waitForLockHolder(t *testing.T, env *simEnv, entity string) {
	t.Helper()
	path := filepath.Join(env.cache.Dir(), entity+".lock")
	for range 5000 {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no sync took the lock")
}

// A long pull saves checkpoints as it goes: killed after them, the next
// pull resumes at the first page not saved instead of starting over.
func TestCheckpointedPullResumes(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 2000}, func(c *Config) { c.Concurrency = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hang := &gateTransport{limit: 5} // pages 1-5 arrive, page 6 never does
	killed := env.syncerWith(t, hang, SyncOptions{CheckpointPages: 2})
	done := make(chan error)
	go func() {
		_, err := killed.Sync(ctx, "customers", false)
		done <- err
	}()
	var state EntityState
	for range 5000 {
		if state, _, _ = env.cache.State("customers"); state.PagesDone == 5 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if state.PagesDone != 5 || state.Complete || state.Next != StepPages || state.Count != 1000 {
		t.Fatalf("checkpoint %+v, want pages 1-5 saved", state)
	}
	// kill -9 now: the file on disk is all the next run gets.
	file := filepath.Join(env.cache.Dir(), entityKey("customers"))
	snapshot, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if err := os.WriteFile(file, snapshot, 0o600); err != nil {
		t.Fatal(err)
	}

	env.srv.ResetRequests()
	env.srv.TouchCustomers(4)
	res, err := env.syncer.Sync(context.Background(), "customers", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != ModeResume || env.srv.RequestsFor("/customers") != 5+1 {
		t.Errorf("%+v after %d requests, want pages 6-10 and the follow-up", res, env.srv.RequestsFor("/customers"))
	}
	env.assertCacheEqualsServer(t, "customers")
}

// A cache file whose records and state disagree (a hand edit, a disk
// error) is reported by Load and replaced by the next pull, not fatal.
func TestDamagedCacheIsPulledAgain(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 250}, nil)
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "customers", false); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(env.cache.Dir(), entityKey("customers"))
	data, _ := os.ReadFile(file)
	if err := os.WriteFile(file, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := env.cache.Load("customers"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("Load of half a file: %v", err)
	}
	res, err := env.syncer.Sync(ctx, "customers", true)
	if err != nil || res.Mode != ModeFull {
		t.Fatalf("%+v, %v", res, err)
	}
	env.assertCacheEqualsServer(t, "customers")
}
