package sim

import (
	"bytes"
	"net/url"
	"strconv"
	"sync"
	"testing"
)

// naivePull reads pages of size 10 one after another until a short page,
// the way a simple client (or the older SDK) does.
func naivePull(t *testing.T, base, col string) []int64 {
	t.Helper()
	var out []int64
	for n := 1; ; n++ {
		got := pageIDs(t, base, col, n, 10)
		out = append(out, got...)
		if len(got) < 10 {
			return out
		}
	}
}

// compare says what a pull got wrong against the records that existed
// throughout it.
func compare(before, pulled, after []int64) (missed, dups int) {
	seen := map[int64]int{}
	for _, id := range pulled {
		seen[id]++
		if seen[id] == 2 {
			dups++
		}
	}
	stayed := map[int64]bool{}
	for _, id := range after {
		stayed[id] = true
	}
	for _, id := range before {
		if stayed[id] && seen[id] == 0 {
			missed++
		}
	}
	return missed, dups
}

func TestChurnChangesDataBetweenPages(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetBehaviour(Behaviour{Churn: Churn{Collection: "customers", Inserts: 1, Deletes: 2}})
	before := ids(t, s.Records("customers"))

	// Page 1 is the consistent start of a pull: asking again changes nothing.
	a, b := get(t, base, "customers?page_size=10"), get(t, base, "customers?page_size=10")
	if !bytes.Equal(a.body, b.body) {
		t.Error("page 1 changed between two reads")
	}
	if len(ids(t, s.Records("customers"))) != len(before) {
		t.Fatal("page 1 churned the data")
	}

	pulled := naivePull(t, base, "customers")
	after := ids(t, s.Records("customers"))
	missed, _ := compare(before, pulled, after)
	if missed == 0 {
		t.Errorf("a page-by-page pull under churn missed nothing (%d pulled, %d before, %d after)", len(pulled), len(before), len(after))
	}
	if len(after) >= len(before) {
		t.Errorf("%d customers after the pull, %d before: deletes outnumber inserts", len(after), len(before))
	}
	// Other collections are left alone.
	products := len(s.Records("products"))
	pageIDs(t, base, "products", 2, 5)
	if len(s.Records("products")) != products || len(s.Records("customers")) != len(after) {
		t.Error("a page of products churned something")
	}
}

func TestChurnWithUnstableOrderDuplicates(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetBehaviour(Behaviour{UnstableOrder: true, Churn: Churn{Collection: "customers", Updates: 2}})
	before := ids(t, s.Records("customers"))
	pulled := naivePull(t, base, "customers")
	if _, dups := compare(before, pulled, before); dups == 0 {
		t.Error("updates under unstable order produced no duplicates in a page-by-page pull")
	}
}

func TestChurnNewOrdersNotAtEnd(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetBehaviour(Behaviour{NewNotAtEnd: true, Churn: Churn{Collection: "orders", Inserts: 1}})
	before := ids(t, s.Records("orders"))
	pulled := naivePull(t, base, "orders")
	after := ids(t, s.Records("orders"))
	_, dups := compare(before, pulled, after)
	if dups == 0 || len(after) <= len(before) {
		t.Errorf("new orders before the old ones: %d duplicates, %d orders before, %d after", dups, len(before), len(after))
	}
	// The new orders all landed on pages already read.
	seen := map[int64]bool{}
	for _, id := range pulled {
		seen[id] = true
	}
	for _, id := range after {
		if id < before[0] && seen[id] {
			t.Errorf("new order %d was seen although it was inserted before the pages already read", id)
		}
	}
}

// Run with -race: pulls, churn, direct changes and switches all at once.
func TestConcurrentChurnAndSwitches(t *testing.T) {
	s, base := startServer(t, smallOptions())
	s.SetBehaviour(Behaviour{Churn: Churn{Collection: "customers", Inserts: 1, Updates: 1, Deletes: 1}})
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 1; j <= 8; j++ {
				get(t, base, "customers?page_size=20&page_number="+strconv.Itoa(j%4+1)+"&filters="+url.QueryEscape(`["greater_than(row_version,0)"]`))
				get(t, base, "customers/20001")
			}
		}()
	}
	for i := 0; i < 8; i++ {
		s.SetBehaviour(Behaviour{UnstableOrder: i%2 == 0, LegacyVersion: i%3 == 0, NewNotAtEnd: i%2 == 1,
			Churn: Churn{Collection: "customers", Inserts: 1, Updates: 1, Deletes: 1}})
		s.Mutate("orders", 1, 1, 1)
		s.TouchCustomers(2)
		s.Records("customers")
	}
	wg.Wait()
}
