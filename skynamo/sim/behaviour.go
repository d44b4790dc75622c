package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Behaviour switches between the ways the real API might behave where
// nobody outside Skynamo knows which it does (FACTS.md, "Unknowns"), so a
// client can be tested under each.
type Behaviour struct {
	RateLimit     float64 // sustained requests/second the gateway allows (token bucket); 0 = unlimited
	Burst         int     // bucket size (0 = max(1, RateLimit))
	RetryAfter    int     // >0: throttling 429s carry "Retry-After: <seconds>"
	UnstableOrder bool    // lists are ordered by last_modified_time then id, not by id: changed records move
	NewNotAtEnd   bool    // new transactions/records get ids below existing ones (they do not appear at the end)
	LegacyVersion bool    // versioned records carry `version` instead of `row_version` (the 2023 API)
	Churn         Churn   // changes landing between page requests

	// MaxWriteItems > 0 answers a write of more items with 400.
	MaxWriteItems int
	// ApplyValidOnError makes a write with invalid items still save its
	// valid ones (the 400 lists the invalid); by default the 400 rejects
	// the whole request.
	ApplyValidOnError bool
	// CommitThenFail is the fraction of successful writes that are saved
	// and then answered 502 or with a dropped connection, so a client that
	// resends blindly duplicates them.
	CommitThenFail float64
}

// Churn is data changing while a client pulls it: before answering a list
// GET of Collection with page_number > 1, the server applies
// Mutate(Collection, Inserts, Updates, Deletes). Page 1 is left alone so a
// pull starts from a consistent state and sees change between its pages.
type Churn struct {
	Collection                string // e.g. "customers" or "orders"; "" = none
	Inserts, Updates, Deletes int
}

func (c Churn) active() bool {
	return c.Collection != "" && (c.Inserts > 0 || c.Updates > 0 || c.Deletes > 0)
}

// SetBehaviour switches behaviours on a running server. A changed rate or
// burst starts a full bucket. It panics on a Churn.Collection the
// simulator does not serve, a mistake in the calling test.
func (s *Server) SetBehaviour(b Behaviour) {
	b = s.checkBehaviour(b)
	s.st.mu.Lock()
	old := s.beh.Load()
	if b.UnstableOrder {
		for _, c := range s.st.cols {
			if c.byMod == nil {
				c.buildModOrder()
			}
		}
	}
	if old != nil && old.LegacyVersion != b.LegacyVersion {
		for _, c := range s.st.cols {
			for _, r := range c.records {
				r.changed()
			}
		}
	}
	// Readers load the behaviour while holding the read lock, so none can
	// encode with the old naming into a cache emptied above.
	s.beh.Store(&b)
	s.st.mu.Unlock()

	s.fs.mu.Lock()
	s.fs.bucket.configure(b.RateLimit, b.Burst, s.fs.now())
	s.fs.retryAfter = b.RetryAfter
	s.fs.mu.Unlock()
}

// checkBehaviour clamps negative numbers to zero and names the churned
// collection by its path.
func (s *Server) checkBehaviour(b Behaviour) Behaviour {
	b.RateLimit = max(b.RateLimit, 0)
	b.Burst = max(b.Burst, 0)
	b.RetryAfter = max(b.RetryAfter, 0)
	b.MaxWriteItems = max(b.MaxWriteItems, 0)
	b.CommitThenFail = min(max(b.CommitThenFail, 0), 1)
	b.Churn.Inserts = max(b.Churn.Inserts, 0)
	b.Churn.Updates = max(b.Churn.Updates, 0)
	b.Churn.Deletes = max(b.Churn.Deletes, 0)
	if b.Churn.Collection != "" {
		name, ok := collectionName(b.Churn.Collection)
		if !ok {
			panic("sim: churn of unknown collection " + strconv.Quote(b.Churn.Collection))
		}
		b.Churn.Collection = name
	}
	return b
}

// collectionName resolves a collection named by its path ("visitfrequencies",
// "/visitfrequencies") or its snake_case name ("visit_frequencies").
func collectionName(name string) (string, bool) {
	name = strings.ReplaceAll(strings.Trim(name, "/"), "_", "")
	for _, ep := range endpoints() {
		if ep.name == name {
			return name, true
		}
	}
	return "", false
}

// churnFlag reads --churn COLLECTION:INSERTS:UPDATES:DELETES.
type churnFlag Churn

func (c *churnFlag) String() string {
	if c.Collection == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d:%d", c.Collection, c.Inserts, c.Updates, c.Deletes)
}

func (c *churnFlag) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) != 4 {
		return fmt.Errorf("want COLLECTION:INSERTS:UPDATES:DELETES, e.g. customers:2:5:1")
	}
	name, ok := collectionName(parts[0])
	if !ok {
		return fmt.Errorf("unknown collection %q", parts[0])
	}
	var n [3]int
	for i, p := range parts[1:] {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return fmt.Errorf("counts must be whole numbers of 0 or more, not %q", p)
		}
		n[i] = v
	}
	*c = churnFlag{Collection: name, Inserts: n[0], Updates: n[1], Deletes: n[2]}
	return nil
}

func (c *churnFlag) Type() string { return "churn" }
