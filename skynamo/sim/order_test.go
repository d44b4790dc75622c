package sim

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// pageIDs reads one page of a list and returns its ids.
func pageIDs(t *testing.T, base, path string, number, size int) []int64 {
	t.Helper()
	p := get(t, base, path+"?page_number="+strconv.Itoa(number)+"&page_size="+strconv.Itoa(size)).page(t)
	return ids(t, p.Data)
}

func TestUnstableOrderMovesUpdatedRecordsToTheEnd(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetBehaviour(Behaviour{UnstableOrder: true})
	before := ids(t, pullAll(t, base, "customers", url.Values{}))
	if slices.IsSorted(before) {
		t.Fatal("unstable order lists customers in id order")
	}

	// Read page 1, let one of its records change, read page 2: what was the
	// first record of page 2 slides onto page 1 and is never seen.
	page1 := pageIDs(t, base, "customers", 1, 10)
	changed := page1[3]
	updateID(s, "customers", changed)
	seen := append(page1, pageIDs(t, base, "customers", 2, 10)...)
	if slices.Contains(seen, before[10]) {
		t.Errorf("a naive pull still saw %d after a record before it moved", before[10])
	}
	after := ids(t, pullAll(t, base, "customers", url.Values{}))
	if after[len(after)-1] != changed {
		t.Errorf("last record is %d, want the changed %d", after[len(after)-1], changed)
	}

	_, updated, _ := s.Mutate("customers", 0, 2, 0)
	after = ids(t, pullAll(t, base, "customers", url.Values{}))
	if tail := after[len(after)-2:]; !slices.Equal(tail, updated) {
		t.Errorf("list ends with %v, want the updated %v in order of change", tail, updated)
	}
	if !reflect.DeepEqual(ids(t, s.Records("customers")), after) {
		t.Error("Records does not follow the list order")
	}
	filtered := ids(t, pullAll(t, base, "customers", filterQuery("greater_than(row_version,0)")))
	if !slices.Equal(filtered, after) {
		t.Error("a filtered list does not follow the same order")
	}
	// Single GETs are unaffected.
	if r := get(t, base, "customers/"+strconv.FormatInt(changed, 10)); r.status != 200 {
		t.Errorf("single GET of the changed record: %d", r.status)
	}

	s.SetBehaviour(Behaviour{})
	if got := ids(t, pullAll(t, base, "customers", url.Values{})); !slices.IsSorted(got) {
		t.Error("id order not restored")
	}
}

// updateID changes one chosen record the way Mutate changes random ones.
func updateID(s *Server, col string, id int64) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	c := s.st.cols[col]
	s.update(c, c.byID[id])
}

func TestStableOrderKeepsUpdatedRecordsInPlace(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := ids(t, pullAll(t, base, "customers", url.Values{}))
	s.Mutate("customers", 0, 5, 0)
	if after := ids(t, pullAll(t, base, "customers", url.Values{})); !reflect.DeepEqual(before, after) {
		t.Error("updates moved records in id order")
	}
}
