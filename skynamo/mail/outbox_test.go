package mail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Subjects that differ only after the first 40 characters, as one per
// warehouse does, get names that differ.
func TestOutboxNamesKeepLongSubjectsApart(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 3, 18, 57, 39, 0, time.UTC)
	a, err := WriteOutbox(dir, now, 1, "Reorder: 7 products below their reorder level at Cape Town DC", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := WriteOutbox(dir, now, 2, "Reorder: 7 products below their reorder level at Durban Depot", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(a, "-cape-town-dc.eml") || !strings.HasSuffix(b, "-durban-depot.eml") {
		t.Errorf("names %s, %s", filepath.Base(a), filepath.Base(b))
	}
}

// n is unique within a second whatever the subject, also when several
// writers (separate runs) start from the same n at once.
func TestOutboxNumberUniqueAcrossWriters(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 3, 18, 57, 39, 0, time.UTC)
	const writers = 8
	var wg sync.WaitGroup
	paths := make([]string, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = WriteOutbox(dir, now, 1, fmt.Sprintf("Report %c", 'a'+i), []byte("x"))
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	for i, p := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		parts := strings.SplitN(filepath.Base(p), "-", 3)
		if other, dup := seen[parts[1]]; dup {
			t.Errorf("number %s used twice: %s and %s", parts[1], other, p)
		}
		seen[parts[1]] = p
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != writers {
		t.Errorf("the outbox holds %d files, want %d", len(entries), writers)
	}
}
