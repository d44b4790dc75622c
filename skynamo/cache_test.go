package skynamo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCacheBelongsToOneInstance(t *testing.T) {
	dir := t.TempDir()
	simCache, err := OpenCache(dir, "http://127.0.0.1:5000/v1/", "demo")
	if err != nil {
		t.Fatal(err)
	}
	// A run that never got a record (a wrong API base) claims nothing.
	if _, err := OpenCache(dir, DefaultAPIBase, "demo"); err != nil {
		t.Errorf("an empty cache refused another API base: %v", err)
	}
	if err := simCache.Save("customers", []json.RawMessage{json.RawMessage(`{"id":1}`)}, EntityState{Complete: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCache(dir, "http://127.0.0.1:5000/v1/", "demo"); err != nil {
		t.Errorf("reopening the same cache: %v", err)
	}
	_, err = OpenCache(dir, DefaultAPIBase, "demo")
	if err == nil || !strings.Contains(err.Error(), `holds records of instance "demo" at http://127.0.0.1:5000/v1/`) {
		t.Errorf("a real instance opened the simulator's cache: %v", err)
	}
	if _, err := OpenCache(dir, DefaultAPIBase, "acme"); err != nil {
		t.Errorf("another instance gets its own folder: %v", err)
	}
	if _, err := RemoveCache(dir, "demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCache(dir, DefaultAPIBase, "demo"); err != nil {
		t.Errorf("after RemoveCache the folder is free: %v", err)
	}
}

func TestCacheSaveReadClearStatus(t *testing.T) {
	dir := t.TempDir()
	cache, err := OpenCache(dir, DefaultAPIBase, "acme/../x") // a name that is not a safe folder
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(cache.Dir()) != filepath.Join(dir, "cache") {
		t.Fatalf("cache folder %s escapes %s", cache.Dir(), filepath.Join(dir, "cache"))
	}
	records := []json.RawMessage{json.RawMessage(`{"id":1}`), json.RawMessage(`{"id":2,"s":"]"}`)}
	pulled := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := cache.Save("customers", records, EntityState{Mode: ModeFull, Complete: true, MaxRowVersion: 9, PulledAt: pulled}); err != nil {
		t.Fatal(err)
	}
	got, err := cache.Records("customers")
	if err != nil || len(got) != 2 || string(got[1]) != `{"id":2,"s":"]"}` {
		t.Fatalf("records %q, %v", got, err)
	}
	state, ok, err := cache.State("customers")
	if err != nil || !ok || state.Count != 2 || state.Entity != "customers" || state.MaxRowVersion != 9 {
		t.Fatalf("state %+v %v %v", state, ok, err)
	}

	status, err := cache.Status(state.PulledAt.Add(time.Minute), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(status) != len(Entities()) || status[0].Entity != "customers" || !status[0].Cached || status[0].Stale ||
		status[0].Count != 2 || status[0].Bytes == 0 || status[1].Cached || !status[1].Stale {
		t.Errorf("status %+v", status[:2])
	}

	if err := cache.Clear(); err != nil {
		t.Fatal(err)
	}
	if records, _ := cache.Records("customers"); records != nil {
		t.Error("Clear left records")
	}
	if _, ok, _ := cache.State("customers"); ok {
		t.Error("Clear left the state")
	}
	if _, err := os.Stat(filepath.Join(cache.Dir(), metaKey)); err != nil {
		t.Errorf("Clear removed the meta file: %v", err)
	}
}
