package skynamo

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// simEnv is a simulator on 127.0.0.1:0 with a client, a cache in a
// temporary folder and a syncer whose clock the test moves.
type simEnv struct {
	srv    *sim.Server
	cfg    Config
	client *Client
	cache  *Cache
	syncer *Syncer
	clock  *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// noBackoff makes retries immediate, so fault tests never sleep.
func noBackoff() ClientOptions {
	return ClientOptions{Backoff: func(int) time.Duration { return time.Millisecond }, Sleep: InstantSleep}
}

func newSimEnv(t testing.TB, opts sim.Options, tweak func(*Config)) *simEnv {
	t.Helper()
	srv := sim.New(opts)
	base, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg := Config{Instance: sim.DefaultInstance, APIKey: sim.DefaultAPIKey, APIBase: base,
		RefreshInterval: DefaultRefreshInterval, Timeout: 30 * time.Second, DataDir: t.TempDir(),
		Concurrency: 4, PageSize: MaxPageSize}
	if tweak != nil {
		tweak(&cfg)
	}
	env := &simEnv{srv: srv, cfg: cfg, clock: &testClock{now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}}
	env.client, err = NewClient(cfg, noBackoff())
	if err != nil {
		t.Fatal(err)
	}
	env.cache, err = OpenCache(cfg.DataDir, cfg.APIBase, cfg.Instance)
	if err != nil {
		t.Fatal(err)
	}
	env.syncer = NewSyncer(env.client, env.cache, SyncOptions{Now: env.clock.Now, Logf: t.Logf})
	return env
}

// decodeRecords decodes raw records the way readers do (numbers as
// json.Number), to compare them with sim.Records.
func decodeRecords(t testing.TB, raw []json.RawMessage) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		if err := dec.Decode(&out[i]); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	return out
}

// assertCacheEqualsServer compares the cache with the server record by
// record, in order.
func (env *simEnv) assertCacheEqualsServer(t testing.TB, entity string) {
	t.Helper()
	raw, err := env.cache.Records(entity)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeRecords(t, raw)
	want := env.srv.Records(entity)
	if len(got) != len(want) {
		t.Fatalf("%s: cache has %d records, server %d", entity, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: record %d differs\ncache  %v\nserver %v", entity, i, got[i], want[i])
		}
	}
}
