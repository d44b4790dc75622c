package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
)

// appendResume pulls the records added since the last pull.
//
// It relies on an assumption the spec does not state (FACTS.md, Unknowns):
// orders, quotes, credit requests, interactions and completed forms are
// listed by id ascending and new records get higher ids, so new records
// appear at the end and the pages the cache holds do not move. The
// overlap check of resumePages and the count check test that assumption;
// when it does not hold (new records in the middle, records reordered or
// deleted), a full pull follows.
func (p *pull) appendResume(ctx context.Context, state EntityState, cached []json.RawMessage, reason string) error {
	if p.res.Mode == "" {
		p.res.Mode = ModeResume
	}
	if len(cached) == 0 {
		return p.full(ctx, state, cached, reason)
	}
	work := state
	work.Complete = false
	if state.Complete {
		work.Repulls, work.FullPass = 0, false
	}
	if !state.Complete && state.PagesDone >= 1 && len(state.Held) > 0 {
		// The last pull stopped with pages beyond a gap: the cache is no
		// prefix of the list, so fill the gap (skipping those pages) and
		// let the tail check after the pages verify the whole.
		p.s.logf("%s: resuming the pull at page %d%s", p.e.Name, state.PagesDone+1, heldWords(state.Held))
		return p.fetchPages(ctx, work, cached, state.PagesDone+1)
	}
	return p.appendTail(ctx, work, cached, true)
}

// appendVerify finishes a full pull of an append-only entity: the copies
// of a record that a shift showed twice are dropped, then a tail check
// (one request, from the last page) verifies the overlap and the count
// against an answer that arrives after every page, and brings records
// added meanwhile.
func (p *pull) appendVerify(ctx context.Context, work EntityState, records []json.RawMessage, _ ListStats) error {
	return p.appendTail(ctx, work, dedupe(records, false), false)
}

// appendTail resumes from the page holding the last cached record, and
// again while an answer spans more than one page (records added while it
// was read may shift it); an answer of one page is atomic, and its count
// must equal the cache's. resumed says the records are the cache the
// pull started from: an error before any page leaves it as it was.
func (p *pull) appendTail(ctx context.Context, work EntityState, records []json.RawMessage, resumed bool) error {
	for round := 1; ; round++ {
		tail, mismatch, err := p.resumePages(ctx, work, records)
		merged, st := tail.merged, tail.st
		if mismatch != "" {
			return p.repullAppend(ctx, work, records, mismatch)
		}
		if err != nil {
			if st.Pages == 0 && resumed {
				p.res.Records = p.cacheCount(records)
				return err // nothing new: the cache stays as it was
			}
			work.Next = StepPages
			next := "resumes from its last page"
			// Without pages beyond a gap the cache is a prefix of the list
			// and resumes by its count; with them, at the first missing page.
			work.PagesDone, work.Held = 0, nil
			if len(tail.held) > 0 {
				work.PagesDone, work.Held = tail.done, tail.held
				next = fmt.Sprintf("resumes at page %d%s", tail.done+1, heldWords(tail.held))
			}
			work.Note = stopNote(err, fmt.Sprintf("with %d records", len(merged)), next)
			return p.keep(merged, work, err)
		}
		records, resumed = merged, false
		work.ServerTotal, work.PageSize = st.TotalItems, st.PageSize
		if st.Pages > 1 && round < maxFollowUps {
			continue
		}
		if len(records) != st.FilteredItems {
			return p.repullAppend(ctx, work, records, fmt.Sprintf("after the last page the cache has %d records and the server %d", len(records), st.FilteredItems))
		}
		work.Complete = true
		return p.save(records, work)
	}
}

// repullAppend pulls everything again when the cached records no longer
// line up with the server's, at most maxRepulls times a sync.
func (p *pull) repullAppend(ctx context.Context, work EntityState, records []json.RawMessage, why string) error {
	if work.Repulls >= maxRepulls {
		work.Next, work.Repulls = "", 0
		work.Note = fmt.Sprintf("unverified after %d full pulls (%s); the next pull pulls everything again", maxRepulls, why)
		return p.keep(records, work, fmt.Errorf("%w: %s", ErrUnsettled, why))
	}
	work.Repulls++
	return p.full(ctx, work, records, why)
}

// tailPages is what resumePages received.
type tailPages struct {
	// merged is the cache with the pages received, also when an error
	// stopped them: those without a gap, then any beyond it (by id).
	merged []json.RawMessage
	st     ListStats
	done   int   // the last page received without a gap
	held   []int // pages beyond done that merged holds too
}

// resumePages fetches from the page holding the last cached record to the
// end. Starting on that page rather than the next one costs one page when
// the cache ends on a page boundary, but means there is always an overlap to
// check. A non-empty mismatch says the server's list no longer lines up
// with the cache.
func (p *pull) resumePages(ctx context.Context, state EntityState, cached []json.RawMessage) (tail tailPages, mismatch string, err error) {
	pageSize := p.pageSize(state)
	count := len(cached)
	page := (count-1)/pageSize + 1
	kept := (page - 1) * pageSize

	q := p.query()
	q.PageSize = pageSize
	save := func(prefix []json.RawMessage, lastPage int, _ ListStats) error {
		if len(prefix) < count-kept || !overlapMatches(cached[kept:], prefix) {
			return nil // the verification after the pages decides
		}
		ck := state
		ck.Complete, ck.Next, ck.PagesDone, ck.Held = false, StepPages, 0, nil
		ck.Note = stopNote(nil, fmt.Sprintf("after page %d", lastPage), "resumes from its last page")
		return p.save(joinPrefix(cached[:kept], prefix), ck)
	}
	f, err := fetchPageRun(ctx, p.s.client, p.e.Path, q, pageRun{first: page, every: p.s.checkpoint, save: save, progress: p.pageProgress()})
	records, st := f.records, f.st
	tail.st, tail.done = st, f.done
	p.tally(st, len(records))
	for _, b := range f.beyond {
		p.res.Pages++
		p.res.Received += len(b.records)
	}
	if st.Pages == 0 {
		tail.merged = cached
		return tail, "", err
	}
	if st.FilteredItems < count {
		return tail, fmt.Sprintf("the server has %d records, fewer than the %d cached", st.FilteredItems, count), err
	}
	overlap := cached[kept:]
	if len(records) < len(overlap) {
		return tail, fmt.Sprintf("page %d holds %d records, the cache %d of them", page, len(records), len(overlap)), err
	}
	for i, r := range overlap {
		if have, got := idText(r), idText(records[i]); have != got || have == "" {
			return tail, fmt.Sprintf("record %d is id %s on the server but id %s in the cache", kept+i+1, got, have), err
		}
	}
	merged := joinPrefix(cached[:kept], records)
	for _, b := range f.beyond {
		merged = append(merged, b.records...)
		tail.held = append(tail.held, b.n)
	}
	if n := len(dedupe(merged, false)); n != len(merged) {
		// A record the cache holds came again on a later page: records
		// were reordered (changed records move under some list orders).
		return tail, fmt.Sprintf("%d cached records came again on the new pages: the list was reordered", len(merged)-n), err
	}
	if len(tail.held) > 0 {
		sortByID(merged) // the pages beyond the gap go in the server's order
	}
	tail.merged = merged
	return tail, "", err
}

// overlapMatches says whether the first records of page hold the ids of
// the cached records of that page, in order.
func overlapMatches(overlap, page []json.RawMessage) bool {
	for i, r := range overlap {
		if have := idText(r); have == "" || have != idText(page[i]) {
			return false
		}
	}
	return true
}

func joinPrefix(kept, records []json.RawMessage) []json.RawMessage {
	merged := make([]json.RawMessage, 0, len(kept)+len(records))
	return append(append(merged, kept...), records...)
}
