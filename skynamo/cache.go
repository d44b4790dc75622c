package skynamo

import (
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
const cacheFormat = 1

const metaKey = "meta.json"

// CacheMeta records whose data a cache folder holds, so that records pulled
// from the simulator never mix with a real instance's.
type CacheMeta struct {
	Format   int       `json:"format"`
	APIBase  string    `json:"api_base"`
	Instance string    `json:"instance"`
	Created  time.Time `json:"created"`
}

// EntityState is the bookkeeping kept beside an entity's records.
type EntityState struct {
	Entity   string    `json:"entity"`
	Count    int       `json:"count"`     // records in the records file
	PulledAt time.Time `json:"pulled_at"` // end of the last pull, complete or not
	Mode     SyncMode  `json:"mode"`      // of the last pull
	Requests int64     `json:"requests"`  // HTTP requests the last pull sent
	// Complete is false when the last pull stopped early (quota, error):
	// the records are a prefix of the table and the next sync resumes.
	Complete bool `json:"complete"`
	// MaxRowVersion is the highest row_version such that every change up to
	// it is in the cache: incremental pulls ask for greater ones. 0 when no
	// complete pull has happened yet.
	MaxRowVersion int64 `json:"max_row_version,omitempty"`
	// ResumeRowVersion, for a versioned full pull that stopped early, is
	// the highest row_version seen by its first session. Every record
	// changed since then has a greater one, so after the remaining pages
	// are in, one incremental pull from here makes the cache consistent.
	ResumeRowVersion int64 `json:"resume_row_version,omitempty"`
	ServerTotal      int   `json:"server_total"` // total_item_count last seen
	PageSize         int   `json:"page_size"`    // of the last pull: resume needs the same
}

// Cache keeps pulled records on disk, one folder per instance:
//
//	<DataDir>/cache/<instance>/meta.json
//	<DataDir>/cache/<instance>/<entity>.json        the raw records, one JSON array
//	<DataDir>/cache/<instance>/<entity>.state.json  an EntityState
//
// Every file is written to <DataDir>/cache/.tmp/<instance>/ and renamed into
// place (diskv's TempDir), so a crash leaves the old file or the new one,
// never half of one. A records file is written before its state, and a
// state whose count disagrees with its records is treated as no state.
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
		if c.kv.Has(recordsKey(name)) {
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

func recordsKey(entity string) string { return entity + ".json" }
func stateKey(entity string) string   { return entity + ".state.json" }

// State returns the entity's state; ok is false when there is none or it
// is damaged. The Syncer also checks State.Count against the records, which
// catches a crash between writing the records and writing the state.
func (c *Cache) State(entity string) (state EntityState, ok bool, err error) {
	data, err := c.kv.Read(stateKey(entity))
	if errors.Is(err, fs.ErrNotExist) {
		return EntityState{}, false, nil
	}
	if err != nil {
		return EntityState{}, false, fmt.Errorf("cache %s: %w", entity, err)
	}
	if err := json.Unmarshal(data, &state); err != nil {
		return EntityState{}, false, nil // damaged: pull afresh
	}
	return state, true, nil
}

// Records returns the entity's cached records (nil when none).
func (c *Cache) Records(entity string) ([]json.RawMessage, error) {
	data, err := c.kv.Read(recordsKey(entity))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", entity, err)
	}
	records, err := splitArray(data)
	if err != nil {
		return nil, fmt.Errorf("cache %s: %s is damaged (%v); pull it again with refresh", entity, filepath.Join(c.dir, recordsKey(entity)), err)
	}
	return records, nil
}

// Save replaces the entity's records and state. state.Count is set from
// records.
func (c *Cache) Save(entity string, records []json.RawMessage, state EntityState) error {
	if !c.metaSaved {
		if err := c.writeJSON(metaKey, c.meta); err != nil {
			return fmt.Errorf("cache: saving %s: %w", metaKey, err)
		}
		c.metaSaved = true
	}
	var buf bytes.Buffer
	buf.Grow(recordsSize(records))
	buf.WriteByte('[')
	for i, r := range records {
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(r)
	}
	buf.WriteString("]\n")
	if err := c.kv.WriteStream(recordsKey(entity), &buf, true); err != nil {
		return fmt.Errorf("cache %s: saving records: %w", entity, err)
	}
	state.Entity = entity
	state.Count = len(records)
	if err := c.writeJSON(stateKey(entity), state); err != nil {
		return fmt.Errorf("cache %s: saving state: %w", entity, err)
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
		for _, key := range []string{stateKey(name), recordsKey(name)} {
			if err := c.kv.Erase(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cache %s: %w", name, err)
			}
		}
	}
	return nil
}

// fileSize is the size of a cache file, 0 if absent.
func (c *Cache) fileSize(key string) int64 {
	info, err := os.Stat(filepath.Join(c.dir, key))
	if err != nil {
		return 0
	}
	return info.Size()
}
