package skynamo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/peterbourgon/diskv/v3"
)

// cacheFormat is bumped when the layout on disk changes incompatibly.
// Format 1 kept records and state in two files (<entity>.json and
// <entity>.state.json); a crash between the two writes left a records file
// without its state, and the next pull threw both away. Format 2 keeps
// them in one file, so they are replaced together by one rename.
const cacheFormat = 2

const metaKey = "meta.json"

// CacheMeta records whose data a cache folder holds, so that records pulled
// from the simulator never mix with a real instance's.
type CacheMeta struct {
	Format   int       `json:"format"`
	APIBase  string    `json:"api_base"`
	Instance string    `json:"instance"`
	Created  time.Time `json:"created"`
}

// EntityState is the bookkeeping kept with an entity's records.
type EntityState struct {
	Entity   string    `json:"entity"`
	Count    int       `json:"count"`     // records in the file
	PulledAt time.Time `json:"pulled_at"` // end of the last pull, complete or not
	Mode     SyncMode  `json:"mode"`      // of the last pull
	Requests int64     `json:"requests"`  // HTTP requests the last pull sent
	// Complete is false when the last pull stopped early (quota, error, a
	// kill after a checkpoint) or could not be verified: Next says what the
	// next sync does first, and Note says why in words.
	Complete bool     `json:"complete"`
	Next     PullStep `json:"next,omitempty"`
	Note     string   `json:"note,omitempty"`
	// MaxRowVersion is the highest row_version such that every change up to
	// it is in the cache: incremental pulls ask for greater ones. 0 when no
	// complete pull has happened yet.
	MaxRowVersion int64 `json:"max_row_version,omitempty"`
	// LastFullPull is the end of the last pull that read every record (a
	// full pull or a reconcile) and verified the count: the scheduled
	// reconcile counts from it.
	LastFullPull time.Time `json:"last_full_pull,omitempty"`
	ServerTotal  int       `json:"server_total"` // total_item_count last seen
	PageSize     int       `json:"page_size"`    // of the last pull: resume needs the same

	// The resume bookkeeping of a pull in progress (see PullStep).
	PagesDone int `json:"pages_done,omitempty"` // Next=pages: pages 1..PagesDone are in
	// Held are pages after PagesDone that are in too: received beyond the
	// first missing page when the pull stopped, and not fetched again.
	Held          []int `json:"held,omitempty"`
	FollowFrom    int64 `json:"follow_from,omitempty"`    // Next=followup: the follow-up bound W
	StartTotal    int   `json:"start_total,omitempty"`    // total_item_count when the pull's page 1 was answered
	ReconcileFrom int64 `json:"reconcile_from,omitempty"` // Next=reconcile: versions up to here are done
	ReconcileTop  int64 `json:"reconcile_top,omitempty"`  // Next=reconcile: the top of the ranges
	Repulls       int   `json:"repulls,omitempty"`        // re-pulls spent on verification this pull
	FullPass      bool  `json:"full_pass,omitempty"`      // the pull in progress reads every record
	Moved         bool  `json:"moved,omitempty"`          // its pages saw the table change size
}

// Cache keeps pulled records on disk, one folder per instance:
//
//	<DataDir>/cache/<instance>/meta.json
//	<DataDir>/cache/<instance>/<entity>.cache  line 1: the EntityState as JSON;
//	                                           then the raw records, one JSON array
//	<DataDir>/cache/<instance>/<entity>.lock   held by the process pulling the entity
//	<DataDir>/cache/<instance>/<entity>~repull.cache
//	                                           a re-pull of a complete cache, half done
//	                                           (same format; see repullKey)
//
// Every file is written to <DataDir>/cache/.tmp/<instance>/ and renamed into
// place (diskv's TempDir), so a crash leaves the old file or the new one,
// never half of one; and as state and records share the file, a reader
// never sees the state of one pull with the records of another. The state
// comes first so that status reads one line, not the records.
type Cache struct {
	dir  string
	tmp  string
	meta CacheMeta
	kv   *diskv.Diskv

	// metaSaved: meta.json names this cache's owner on disk. It is written
	// with the first records, not on open, so a run that never reached the
	// server (a wrong API base) does not claim the folder.
	metaSaved bool
}

// OpenCache opens (creating if needed) the cache of instance at apiBase under
// dataDir. A folder that belongs to another API base or instance is an error.
func OpenCache(dataDir, apiBase, instance string) (*Cache, error) {
	if instance == "" {
		return nil, errors.New("cache: the instance name is empty")
	}
	folder := safeFolderName(instance)
	c := &Cache{
		dir:  filepath.Join(dataDir, "cache", folder),
		tmp:  filepath.Join(dataDir, "cache", ".tmp", folder),
		meta: CacheMeta{Format: cacheFormat, APIBase: apiBase, Instance: instance},
	}
	c.kv = diskv.New(diskv.Options{
		BasePath:     c.dir,
		TempDir:      c.tmp,
		CacheSizeMax: 0, // the records are read once per run; no second copy in memory
		PathPerm:     0o755,
		FilePerm:     0o600, // records hold customer data
	})
	if err := c.checkMeta(); err != nil {
		return nil, err
	}
	c.removeStaleTemps()
	return c, nil
}

// safeFolderName keeps an instance name usable as one folder name.
func safeFolderName(s string) string {
	safe := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(s, "_")
	if strings.Trim(safe, ".") == "" {
		safe = "_" + safe
	}
	return safe
}

func (c *Cache) checkMeta() error {
	data, err := c.kv.Read(metaKey)
	if errors.Is(err, fs.ErrNotExist) {
		c.meta.Created = time.Now().UTC()
		return nil
	}
	if err != nil {
		return fmt.Errorf("cache %s: %w", c.dir, err)
	}
	var found CacheMeta
	if err := json.Unmarshal(data, &found); err != nil {
		return fmt.Errorf("cache %s: %s is damaged (%v); remove the folder to start afresh", c.dir, metaKey, err)
	}
	if found.APIBase != c.meta.APIBase || found.Instance != c.meta.Instance {
		if !c.holdsRecords() {
			// Nothing cached for the old owner: the folder is free to take.
			c.meta.Created = time.Now().UTC()
			return nil
		}
		return fmt.Errorf("cache %s holds records of instance %q at %s, not %q at %s; use another --data-dir, or `skynamo cache clear` to delete them",
			c.dir, found.Instance, found.APIBase, c.meta.Instance, c.meta.APIBase)
	}
	if found.Format < cacheFormat {
		// An older layout: the records are only a cache, so they are
		// dropped and pulled again rather than converted.
		c.removeLegacyFiles()
		c.meta.Created = time.Now().UTC()
		return nil
	}
	if found.Format != cacheFormat {
		return fmt.Errorf("cache %s has format %d, this program writes %d; remove the folder to pull afresh", c.dir, found.Format, cacheFormat)
	}
	c.meta = found
	c.metaSaved = true
	return nil
}

// holdsRecords reports whether any entity has a records file.
func (c *Cache) holdsRecords() bool {
	for _, name := range EntityNames() {
		if c.kv.Has(entityKey(name)) || c.kv.Has(name+".json") {
			return true
		}
	}
	return false
}

// RemoveCache deletes the whole cache folder of instance under dataDir,
// whoever it belongs to: the way out of a cache that belongs to another API
// base, which OpenCache refuses.
func RemoveCache(dataDir, instance string) (string, error) {
	if instance == "" {
		return "", errors.New("cache: the instance name is empty")
	}
	folder := safeFolderName(instance)
	dir := filepath.Join(dataDir, "cache", folder)
	if err := os.RemoveAll(dir); err != nil {
		return dir, fmt.Errorf("cache %s: %w", dir, err)
	}
	return dir, os.RemoveAll(filepath.Join(dataDir, "cache", ".tmp", folder))
}

// removeStaleTemps deletes temporary files a crashed write left behind.
// Only old ones: a younger one may belong to another process writing now.
func (c *Cache) removeStaleTemps() {
	entries, err := os.ReadDir(c.tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(c.tmp, e.Name())) // best effort: a leftover costs only disk space
		}
	}
}

// Dir is the folder holding this instance's cache files.
func (c *Cache) Dir() string { return c.dir }

// Meta says which API base and instance the cache belongs to.
func (c *Cache) Meta() CacheMeta { return c.meta }

func entityKey(entity string) string { return entity + ".cache" }

// repullKey names the side entry of a re-pull over a complete cache (the
// daily full pull of an append-only entity, any pull of a reference one)
// that stopped early. Its pages live apart so that readers keep the
// complete copy, and the next sync continues the re-pull instead of
// starting it over; it replaces the entity's cache once it completes.
// "~" cannot occur in an entity name, so the key never meets one.
func repullKey(entity string) string { return entity + "~repull" }

// removeLegacyFiles deletes the files of cache format 1.
func (c *Cache) removeLegacyFiles() {
	for _, name := range EntityNames() {
		for _, key := range []string{name + ".json", name + ".state.json"} {
			_ = c.kv.Erase(key) // best effort: a leftover costs only disk space
		}
	}
}

// State returns the entity's state, reading only the file's first line;
// ok is false when there is none or it is damaged (the next pull starts
// afresh).
func (c *Cache) State(entity string) (state EntityState, ok bool, err error) {
	r, err := c.kv.ReadStream(entityKey(entity), true)
	if errors.Is(err, fs.ErrNotExist) {
		return EntityState{}, false, nil
	}
	if err != nil {
		return EntityState{}, false, fmt.Errorf("cache %s: %w", entity, err)
	}
	defer r.Close()
	line, err := bufio.NewReader(r).ReadBytes('\n')
	if err != nil {
		return EntityState{}, false, nil // no complete first line: damaged
	}
	if json.Unmarshal(line, &state) != nil || state.Entity != entity {
		return EntityState{}, false, nil
	}
	return state, true, nil
}

// Records returns the entity's cached records (nil when none).
func (c *Cache) Records(entity string) ([]json.RawMessage, error) {
	records, _, _, err := c.Load(entity)
	return records, err
}

// Load returns the entity's records and state from one read of one file,
// so they always belong together. ok is false when nothing is cached.
func (c *Cache) Load(entity string) (records []json.RawMessage, state EntityState, ok bool, err error) {
	data, err := c.readAll(entityKey(entity))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, EntityState{}, false, nil
	}
	if err != nil {
		return nil, EntityState{}, false, fmt.Errorf("cache %s: %w", entity, err)
	}
	damaged := func(why error) error {
		return fmt.Errorf("cache %s: %s is damaged (%v); pull it again with refresh", entity, filepath.Join(c.dir, entityKey(entity)), why)
	}
	line, rest, found := bytes.Cut(data, []byte("\n"))
	if !found {
		return nil, EntityState{}, false, damaged(errors.New("no state line"))
	}
	if err := json.Unmarshal(line, &state); err != nil {
		return nil, EntityState{}, false, damaged(err)
	}
	records, err = splitArray(rest)
	if err != nil {
		return nil, EntityState{}, false, damaged(err)
	}
	if state.Entity != entity || state.Count != len(records) {
		return nil, EntityState{}, false, damaged(fmt.Errorf("the state counts %d records of %q, the file holds %d", state.Count, state.Entity, len(records)))
	}
	return records, state, true, nil
}

// readAll reads a cache file into a buffer of its size. diskv's Read grows
// its buffer by doubling, which for a 126 MB file of 100,000 customers
// allocates twice that, and a run's peak memory is what a cron box pays.
func (c *Cache) readAll(key string) ([]byte, error) {
	rc, err := c.kv.ReadStream(key, true)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var size int64
	if info, err := os.Stat(filepath.Join(c.dir, key)); err == nil {
		size = info.Size() // diskv's flat layout keeps key as the file name
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save replaces the entity's records and state in one atomic write.
// state.Entity and state.Count are set from the arguments.
func (c *Cache) Save(entity string, records []json.RawMessage, state EntityState) error {
	if !c.metaSaved {
		if err := c.writeJSON(metaKey, c.meta); err != nil {
			return fmt.Errorf("cache: saving %s: %w", metaKey, err)
		}
		c.metaSaved = true
	}
	state.Entity = entity
	state.Count = len(records)
	line, err := json.Marshal(state) // compact: one line, as Load expects
	if err != nil {
		return fmt.Errorf("cache %s: %w", entity, err)
	}
	var buf bytes.Buffer
	buf.Grow(len(line) + 1 + recordsSize(records))
	buf.Write(line)
	buf.WriteByte('\n')
	buf.WriteByte('[')
	for i, r := range records {
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(r)
	}
	buf.WriteString("]\n")
	if err := c.kv.WriteStream(entityKey(entity), &buf, true); err != nil {
		return fmt.Errorf("cache %s: saving: %w", entity, err)
	}
	return nil
}

func recordsSize(records []json.RawMessage) int {
	n := 2
	for _, r := range records {
		n += len(r) + 2
	}
	return n
}

func (c *Cache) writeJSON(key string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return c.kv.WriteStream(key, bytes.NewReader(append(data, '\n')), true)
}

// Clear removes the cached records and state of the given entities, or of
// all entities when none are given. The meta file stays: the folder still
// belongs to the same instance.
func (c *Cache) Clear(entities ...string) error {
	if len(entities) == 0 {
		entities = EntityNames()
	}
	for _, name := range entities {
		for _, key := range []string{entityKey(name), entityKey(repullKey(name)), writtenKey(name), name + ".json", name + ".state.json"} {
			if err := c.kv.Erase(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cache %s: %w", name, err)
			}
		}
	}
	return nil
}

// writtenKey is the file that says when this client last wrote to an
// entity it cannot pull incrementally: a few bytes, so marking the cache
// stale after an apply does not rewrite a large records file.
func writtenKey(entity string) string { return entity + ".written" }

// MarkWritten records that the entity was written at t: the cache is
// stale from then until a pull completes after t.
func (c *Cache) MarkWritten(entity string, t time.Time) error {
	return c.writeJSON(writtenKey(entity), t.UTC())
}

// WrittenAt is when the entity was last marked written; ok is false when
// it never was (or the mark cannot be read, which only costs a pull).
func (c *Cache) WrittenAt(entity string) (t time.Time, ok bool) {
	data, err := c.kv.Read(writtenKey(entity))
	if err != nil || json.Unmarshal(data, &t) != nil {
		return time.Time{}, false
	}
	return t, true
}

// dropRepull deletes the entity's half-done re-pull, if any.
func (c *Cache) dropRepull(entity string) error {
	if err := c.kv.Erase(entityKey(repullKey(entity))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cache %s: %w", entity, err)
	}
	return nil
}

// RepullState is the state of the entity's half-done re-pull; ok is false
// when there is none.
func (c *Cache) RepullState(entity string) (state EntityState, ok bool, err error) {
	return c.State(repullKey(entity))
}

// fileSize is the size of a cache file, 0 if absent.
func (c *Cache) fileSize(key string) int64 {
	info, err := os.Stat(filepath.Join(c.dir, key))
	if err != nil {
		return 0
	}
	return info.Size()
}
