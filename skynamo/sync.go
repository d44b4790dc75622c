package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// SyncMode names how a sync brought an entity up to date.
type SyncMode string

const (
	// ModeFresh: the cache was younger than the refresh interval; no request.
	ModeFresh SyncMode = "fresh"
	// ModeFull: every page was pulled.
	ModeFull SyncMode = "full"
	// ModeIncremental: only records with a greater row_version were pulled.
	ModeIncremental SyncMode = "incremental"
	// ModeResume: pulling continued from the last page the cache holds
	// (append-only entities, or a versioned full pull that stopped early).
	ModeResume SyncMode = "resume"
)

// SyncOptions tune a Syncer.
type SyncOptions struct {
	// RefreshInterval: a cache younger than this is used without a request
	// (0 = the client's Config.RefreshInterval, or DefaultRefreshInterval).
	RefreshInterval time.Duration
	// Now is the clock (nil = time.Now); tests move it forward.
	Now func() time.Time
	// Logf reports each pull in one line; nil = silent.
	Logf func(format string, args ...any)
}

// SyncResult says what one Sync did and cost.
type SyncResult struct {
	Entity   string
	Mode     SyncMode
	Requests int64 // HTTP requests sent, retries included
	Pages    int   // list pages received
	Received int   // records received from the server
	Records  int   // records in the cache afterwards
	Complete bool  // false: the pull stopped early; the cache holds a prefix
	// Fallback says why a full pull replaced an incremental or resumed one
	// ("" if it did not).
	Fallback string
	Duration time.Duration
}

// Syncer keeps the cache of each entity up to date with the server. It is
// safe for concurrent use; syncs of one entity run one at a time.
type Syncer struct {
	client  *Client
	cache   *Cache
	refresh time.Duration
	now     func() time.Time
	logf    func(string, ...any)

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewSyncer joins a client and the cache of the same instance.
func NewSyncer(client *Client, cache *Cache, opt SyncOptions) *Syncer {
	s := &Syncer{client: client, cache: cache, refresh: opt.RefreshInterval, now: opt.Now, logf: opt.Logf,
		locks: map[string]*sync.Mutex{}}
	if s.refresh <= 0 {
		s.refresh = client.cfg.RefreshInterval
	}
	if s.refresh <= 0 {
		s.refresh = DefaultRefreshInterval
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	return s
}

// Cache is the cache the syncer fills.
func (s *Syncer) Cache() *Cache { return s.cache }

// Client is the client the syncer pulls with.
func (s *Syncer) Client() *Client { return s.client }

func (s *Syncer) lock(entity string) func() {
	s.mu.Lock()
	l, ok := s.locks[entity]
	if !ok {
		l = &sync.Mutex{}
		s.locks[entity] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// Records returns the entity's cached records, syncing first when the cache
// is stale or refresh is true. When the sync fails the records the cache
// holds (possibly a prefix kept from a pull stopped by the quota) come back
// with the error, so a caller can choose to work with them.
func (s *Syncer) Records(ctx context.Context, entity string, refresh bool) ([]json.RawMessage, error) {
	if _, err := LookupEntity(entity); err != nil {
		return nil, err
	}
	_, syncErr := s.Sync(ctx, entity, refresh)
	records, err := s.cache.Records(entity)
	if err != nil {
		return nil, err
	}
	return records, syncErr
}

// Sync brings one entity's cache up to date: nothing when it is younger
// than the refresh interval (unless force), otherwise an incremental,
// resumed or full pull depending on the entity's kind and the cache's state.
func (s *Syncer) Sync(ctx context.Context, entity string, force bool) (SyncResult, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return SyncResult{Entity: entity}, err
	}
	defer s.lock(e.Name)()
	start := s.now()

	state, hasState, err := s.cache.State(e.Name)
	if err != nil {
		return SyncResult{Entity: e.Name}, err
	}
	if hasState && state.Complete && !force && start.Sub(state.PulledAt) < s.refresh {
		return SyncResult{Entity: e.Name, Mode: ModeFresh, Records: state.Count, Complete: true}, nil
	}
	cached, err := s.cache.Records(e.Name)
	if err != nil {
		return SyncResult{Entity: e.Name}, err
	}
	if hasState && state.Count != len(cached) {
		// A crash between writing the records and the state: trust neither.
		hasState = false
	}

	p := &pull{s: s, e: e, start: start, res: SyncResult{Entity: e.Name}}
	if !hasState {
		state, cached = EntityState{}, nil
	}
	err = p.run(ctx, state, cached)
	p.res.Duration = s.now().Sub(start)
	if err != nil {
		if p.res.Records > 0 {
			return p.res, fmt.Errorf("pulling %s stopped; the cache keeps %d records: %w", e.Name, p.res.Records, err)
		}
		return p.res, fmt.Errorf("pulling %s: %w", e.Name, err)
	}
	s.logf("%s: %s pull, %s received, %d cached, %s, %s", e.Name, p.res.Mode,
		plural(int64(p.res.Received), "record"), p.res.Records, plural(p.res.Requests, "request"), p.res.Duration.Round(time.Millisecond))
	return p.res, nil
}

// plural writes "1 request", "2 requests".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
