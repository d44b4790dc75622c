package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// SyncMode names how a sync brought an entity up to date.
type SyncMode string

const (
	// ModeFresh: the cache was younger than the refresh interval, or
	// another process pulled it while this one waited; no request.
	ModeFresh SyncMode = "fresh"
	// ModeFull: every page was pulled.
	ModeFull SyncMode = "full"
	// ModeIncremental: only records with a greater row_version were pulled.
	ModeIncremental SyncMode = "incremental"
	// ModeResume: pulling continued where the last pull stopped
	// (append-only entities, or a pull stopped by the quota or a kill).
	ModeResume SyncMode = "resume"
	// ModeReconcile: every record of a versioned entity was read again by
	// row_version ranges, which offset shifts cannot fool; it finds deleted
	// records and records a full pull skipped (see reconcile.go).
	ModeReconcile SyncMode = "reconcile"
)

// DefaultReconcileEvery is how often a full reconcile runs when nothing
// else calls for one: deletes that a same-count insert hides show up
// within a day.
const DefaultReconcileEvery = 24 * time.Hour

// ErrUnsettled matches (errors.Is) a pull whose result could not be
// verified because the server's data kept changing through its re-pulls.
// The records are kept and the next pull tries again.
var ErrUnsettled = errors.New("the server's data kept changing during the pull")

// SyncOptions tune a Syncer.
type SyncOptions struct {
	// RefreshInterval: a cache younger than this is used without a request
	// (0 = the client's Config.RefreshInterval, or DefaultRefreshInterval).
	RefreshInterval time.Duration
	// ReconcileEvery: a versioned entity whose last full pull or reconcile
	// is older than this is reconciled instead of pulled incrementally, and
	// an append-only one is pulled whole (0 = DefaultReconcileEvery).
	ReconcileEvery time.Duration
	// LockWait is how long a sync waits for another process pulling the
	// same entity (0 = DefaultLockWait, NoLockWait = fail at once).
	LockWait time.Duration
	// CheckpointPages: a long pull saves what it has after this many pages,
	// then at growing intervals (0 = DefaultCheckpointPages, <0 = never).
	CheckpointPages int
	// Now is the clock (nil = time.Now); tests move it forward.
	Now func() time.Time
	// Logf reports each pull in one line, and why it pulled the way it did
	// (a fallback, a resume, waiting for another process); nil = silent.
	Logf func(format string, args ...any)
	// NoSummary leaves out the one-line summary after each pull, for
	// callers that show each SyncResult themselves (skynamo sync's table).
	NoSummary bool
	// Progress hears how each pull goes, page by page, and once more with
	// Done set when it ends (see SyncProgress); a fresh cache sends no
	// report. Pulls of different entities may call it at the same time;
	// nil = silent.
	Progress func(SyncProgress)
}

// SyncResult says what one Sync did and cost.
type SyncResult struct {
	Entity   string
	Mode     SyncMode
	Requests int64 // HTTP requests sent, retries included
	Pages    int   // list pages received
	Received int   // records received from the server
	Records  int   // records in the cache afterwards
	Complete bool  // false: the pull stopped early or is unverified; see Note
	// Fallback says why a full pull or a reconcile replaced an incremental
	// or resumed one ("" if it did not).
	Fallback string
	// Note says what an incomplete pull left for the next one, or that
	// another process did the pull while this one waited.
	Note string
	// Waited: another process held the entity's lock and this sync waited.
	Waited   bool
	Duration time.Duration
}

// Syncer keeps the cache of each entity up to date with the server. It is
// safe for concurrent use; syncs of one entity run one at a time, in this
// process by a mutex and across processes by a lock file.
type Syncer struct {
	client     *Client
	cache      *Cache
	refresh    time.Duration
	reconcile  time.Duration
	lockWait   time.Duration
	checkpoint int
	now        func() time.Time
	logf       func(string, ...any)
	noSummary  bool
	progress   func(SyncProgress)
	received   atomic.Int64 // records received by every pull (Received)

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewSyncer joins a client and the cache of the same instance.
func NewSyncer(client *Client, cache *Cache, opt SyncOptions) *Syncer {
	s := &Syncer{client: client, cache: cache, refresh: opt.RefreshInterval, reconcile: opt.ReconcileEvery,
		lockWait: opt.LockWait, checkpoint: opt.CheckpointPages, now: opt.Now, logf: opt.Logf, noSummary: opt.NoSummary,
		progress: opt.Progress, locks: map[string]*sync.Mutex{}}
	if s.refresh <= 0 {
		s.refresh = client.cfg.RefreshInterval
	}
	if s.refresh <= 0 {
		s.refresh = DefaultRefreshInterval
	}
	if s.reconcile <= 0 {
		s.reconcile = DefaultReconcileEvery
	}
	if s.lockWait == 0 {
		s.lockWait = DefaultLockWait
	}
	if s.checkpoint == 0 {
		s.checkpoint = DefaultCheckpointPages
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
	records, _, err := s.recordsResult(ctx, entity, refresh)
	return records, err
}

// Cached returns the entity's cache without sending any request (for
// --offline): the records and the state that says how old they are and
// whether the last pull was complete.
func (s *Syncer) Cached(entity string) ([]json.RawMessage, EntityState, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return nil, EntityState{}, err
	}
	records, state, ok, err := s.cache.Load(e.Name)
	if err != nil {
		return nil, EntityState{}, err
	}
	if !ok {
		return nil, EntityState{}, &NotCachedError{Entity: e.Name, Dir: s.cache.Dir()}
	}
	return records, state, nil
}

// NotCachedError is a cache-only (--offline) read of an entity the cache
// has never held. It is not an API failure but a request the flag cannot
// honour: the host exits with its usage code and says how to pull it.
type NotCachedError struct {
	Entity string // "orders"
	Dir    string // the cache folder looked in
}

func (e *NotCachedError) Error() string {
	return fmt.Sprintf("%s has never been pulled into the cache at %s; run once without --offline to pull it", e.Entity, e.Dir)
}

// fresh says whether state needs no pull at all: pulled within the
// refresh interval, and not changed by this client's writes since.
func (s *Syncer) fresh(entity string, state EntityState, ok bool, at time.Time) bool {
	if !ok || !state.Complete || at.Sub(state.PulledAt) >= s.refresh {
		return false
	}
	written, marked := s.cache.WrittenAt(entity)
	return !marked || state.PulledAt.After(written)
}

// Sync brings one entity's cache up to date: nothing when it is younger
// than the refresh interval (unless force), otherwise an incremental,
// resumed, full or reconciling pull depending on the entity's kind and the
// cache's state (see sync_pull.go). The pull holds the entity's lock file;
// a sync that finds another process pulling waits for it, says so through
// Logf, and uses that pull when it completed.
func (s *Syncer) Sync(ctx context.Context, entity string, force bool) (SyncResult, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return SyncResult{Entity: entity}, err
	}
	defer s.lock(e.Name)()
	start := s.now()

	before, hasState, err := s.cache.State(e.Name)
	if err != nil {
		return SyncResult{Entity: e.Name}, err
	}
	if !force && s.fresh(e.Name, before, hasState, start) {
		return SyncResult{Entity: e.Name, Mode: ModeFresh, Records: before.Count, Complete: true}, nil
	}
	if err := ctx.Err(); err != nil {
		return SyncResult{Entity: e.Name}, err
	}
	fileLock, waited, err := s.cache.lockEntity(ctx, e.Name, s.lockWait, s.now, s.logf)
	if err != nil {
		return SyncResult{Entity: e.Name, Waited: waited}, fmt.Errorf("pulling %s: %w", e.Name, err)
	}
	defer fileLock.unlock()

	// Under the lock, the file is what the last pull left: read it whole.
	cached, state, hasState, loadErr := s.cache.Load(e.Name)
	if loadErr != nil {
		s.logf("%v; pulling it afresh", loadErr) // a damaged file is replaced, not fatal
	}
	if waited && hasState && state.Complete && !reflect.DeepEqual(state, before) {
		// The run we waited for pulled it: as fresh as a pull now would be.
		res := SyncResult{Entity: e.Name, Mode: ModeFresh, Records: state.Count, Complete: true, Waited: true,
			Note: "another skynamo pulled it while this one waited; no request sent"}
		s.logf("%s: %s", e.Name, res.Note)
		return res, nil
	}

	p := &pull{s: s, e: e, start: start, res: SyncResult{Entity: e.Name, Waited: waited}}
	if !hasState {
		state, cached = EntityState{}, nil
	}
	err = p.run(ctx, state, cached)
	p.res.Duration = s.now().Sub(start)
	s.ended(p)
	if err != nil {
		if p.res.Records > 0 {
			return p.res, fmt.Errorf("pulling %s stopped; the cache keeps %s records: %w", e.Name, Thousands(int64(p.res.Records)), err)
		}
		return p.res, fmt.Errorf("pulling %s: %w", e.Name, err)
	}
	if !s.noSummary {
		// More received than cached reads like records lost; in a full
		// pull it is the last page read again to check the pull, or
		// records that moved between pages arriving twice. (Other modes
		// count differently: a side re-pull reports the old cache.)
		var rereads string
		if p.res.Mode == ModeFull && p.res.Complete && p.res.Received > p.res.Records {
			rereads = fmt.Sprintf(" (%s read twice to check the pull)", Thousands(int64(p.res.Received-p.res.Records)))
		}
		s.logf("%s: %s pull, %s received, %s cached%s, %s, %s", e.Name, p.res.Mode,
			plural(int64(p.res.Received), "record"), Thousands(int64(p.res.Records)), rereads, plural(p.res.Requests, "request"), p.res.Duration.Round(time.Millisecond))
	}
	return p.res, nil
}

// plural writes "1 request", "2 requests", "20,257 records".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + noun + "s"
}
