package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// PullStep is what an incomplete pull left to do; the next sync starts there.
type PullStep string

const (
	// StepPages: pages PagesDone+1 onward are missing, except those in
	// Held (append-only entities without Held resume from the page holding
	// their last record instead).
	StepPages PullStep = "pages"
	// StepFollowUp: the pages are in; the follow-up from FollowFrom and the
	// count check are not.
	StepFollowUp PullStep = "followup"
	// StepReconcile: the row_version ranges above ReconcileFrom, up to
	// ReconcileTop, are still to be read again, then the follow-up.
	StepReconcile PullStep = "reconcile"
)

// maxRepulls bounds the re-pulls one sync spends when verification fails:
// under data that keeps changing, more would spend the quota for nothing.
const maxRepulls = 2

// pull is one Sync of one entity in progress; it tallies the cost across
// the steps a sync may take.
//
// What each way of pulling costs, in requests (n records, pages of 200):
//
//	fresh               0
//	incremental         1 per 200 changed records (at least 1), plus 1 if
//	                    they filled more than a page (the follow-up)
//	full, versioned     ceil(n/200) + 1: the pages, then the follow-up from
//	                    the version page 1 was answered at; +1 per further
//	                    follow-up while changes fill more than a page
//	full, append-only   ceil(n/200) + 1: the pages, then a tail check
//	resume, append-only (new records)/200 + 1: from the last cached page
//	reconcile           ceil(n/180) + 1: row_version ranges of at most 180
//	                    cached records, each answered in one page, and the
//	                    follow-up above them
//	verification failed up to 2 reconciles (versioned) or full pulls more
//	after a stop        the pages still missing, then the verification:
//	                    pages received beyond the first missing one are
//	                    kept (Held) and not asked for again, and a re-pull
//	                    over a complete cache goes on from its side entry
//
// The first full pull's follow-up starts from the highest version on page
// 1. Listed by id that is near the table's top; listed by modification
// time (FACTS.md, Unknowns) page 1 holds the oldest versions, and the
// follow-up re-reads most of the table (900 customers: 14 requests, not 6).
// Later pulls start from the cache's highest version and do not pay this.
//
// A full pull is verified by count: if the server's count at the last
// answer differs from the cache's, or the table changed size while the
// pages came in (a delete can then hide a skipped record), a reconcile
// follows. Checkpoints rewrite the prefix received: under twice the
// records' size in writes over a whole pull, no requests.
type pull struct {
	s     *Syncer
	e     Entity
	start time.Time
	res   SyncResult
	// oldComplete is the record count of the complete cache the pull
	// started from (0: none).
	oldComplete int
	// side: this pull re-pulls over that complete cache, so what it saves
	// before it completes goes to the side entry (repullKey) and readers
	// keep the complete copy; the next sync continues it from there.
	side bool
}

// run picks the pull that brings the cache up to date. state is zero when
// there is no usable cache.
func (p *pull) run(ctx context.Context, state EntityState, cached []json.RawMessage) error {
	if state.Complete {
		p.oldComplete = len(cached)
	}
	if state.Entity == "" {
		return p.full(ctx, EntityState{}, nil, "")
	}
	if !state.Complete {
		p.res.Mode = ModeResume
		switch {
		case state.Next == StepPages && p.e.Kind == AppendOnly:
			return p.appendResume(ctx, state, cached, "")
		case state.Next == StepPages:
			return p.pages(ctx, state, cached)
		case state.Next == StepFollowUp && p.e.Kind == Versioned:
			return p.followThrough(ctx, state, cached)
		case state.Next == StepReconcile && p.e.Kind == Versioned:
			return p.reconcile(ctx, state, cached, "")
		}
		return p.full(ctx, state, cached, "the last pull did not finish")
	}
	if due := p.s.reconcileDue(p.e, state, p.start); due != "" {
		if p.e.Kind == Versioned {
			return p.reconcile(ctx, state, cached, due)
		}
		return p.repull(ctx, state, cached, due)
	}
	switch p.e.Kind {
	case Versioned:
		return p.incremental(ctx, state, cached)
	case AppendOnly:
		return p.appendResume(ctx, state, cached, "")
	default:
		return p.repull(ctx, state, cached, "")
	}
}

// repull pulls a complete cache whole again, continuing the re-pull an
// earlier sync left in the side entry if there is one: under a quota too
// tight for the whole table in one run, starting over every time would
// never finish. Its pages may have shifted since; the verification after
// the pages (the count, the tail check) decides, as after any resume.
func (p *pull) repull(ctx context.Context, state EntityState, cached []json.RawMessage, reason string) error {
	records, side, ok, err := p.s.cache.Load(repullKey(p.e.Name))
	if err != nil {
		p.s.logf("%v; starting the re-pull over", err)
	}
	if !ok || err != nil || side.Next != StepPages || len(records) == 0 || side.PageSize != p.pageSize(state) {
		return p.full(ctx, state, cached, reason)
	}
	p.side = true
	p.res.Mode, p.res.Fallback = ModeResume, reason
	p.s.logf("%s: continuing the re-pull: %s", p.e.Name, repullWords(side, p.pageSize(side)))
	if p.e.Kind == AppendOnly {
		return p.appendResume(ctx, side, records, reason)
	}
	return p.pages(ctx, side, records)
}

// repullWords says how far a half-done re-pull got.
func repullWords(side EntityState, pageSize int) string {
	held := side.PagesDone + len(side.Held)
	if side.PagesDone == 0 {
		held = ceilDiv(side.Count, pageSize) // an append-only tail resumes by count
	}
	return fmt.Sprintf("a re-pull is half done: %s held", plural(int64(held), "page"))
}

// reconcileDue says why the scheduled reconcile is due, "" if it is not.
// Reference entities are pulled whole every time and need none.
func (s *Syncer) reconcileDue(e Entity, state EntityState, now time.Time) string {
	if e.Kind != Versioned && e.Kind != AppendOnly {
		return ""
	}
	if state.LastFullPull.IsZero() {
		return "scheduled reconcile: no full pull recorded"
	}
	if age := now.Sub(state.LastFullPull); age >= s.reconcile {
		return fmt.Sprintf("scheduled reconcile: the last full pull was %s ago", age.Round(time.Minute))
	}
	return ""
}

func (p *pull) query(filters ...string) ListQuery {
	// show_nulls: without it null properties are left out, and records of
	// one entity would not all have the same keys.
	flags := append([]string{"show_nulls"}, p.e.Flags...)
	return ListQuery{Filters: filters, Flags: flags}
}

func (p *pull) pageSize(state EntityState) int {
	if state.PageSize >= 1 && state.PageSize <= MaxPageSize {
		return state.PageSize
	}
	return p.s.client.cfg.PageSize
}

func (p *pull) tally(st ListStats, received int) {
	p.res.Requests += st.Requests
	p.res.Pages += st.Pages
	p.res.Received += received
}

// save writes records with state as this pull's result so far.
func (p *pull) save(records []json.RawMessage, state EntityState) error {
	state.PulledAt = p.s.now()
	state.Requests = p.res.Requests
	state.Mode = p.res.Mode
	verifiedFull := state.Complete && state.FullPass
	if state.Complete {
		state.Next, state.Note, state.Held = "", "", nil
		state.PagesDone, state.FollowFrom, state.StartTotal, state.Moved = 0, 0, 0, false
		state.ReconcileFrom, state.ReconcileTop, state.Repulls = 0, 0, 0
		if state.FullPass {
			state.LastFullPull = state.PulledAt
		}
		state.FullPass = false
	}
	if p.side && !state.Complete {
		if err := p.s.cache.Save(repullKey(p.e.Name), records, state); err != nil {
			return err
		}
		p.res.Records = p.oldComplete // what readers get: the complete copy
		p.res.Note = state.Note + "; the cache keeps the complete copy of the last pull until then"
		return nil
	}
	if err := p.s.cache.Save(p.e.Name, records, state); err != nil {
		return err
	}
	if verifiedFull {
		// Every record was read and verified: a half-done re-pull (this
		// one, or one left over) has nothing more to give.
		if err := p.s.cache.dropRepull(p.e.Name); err != nil {
			return err
		}
	}
	p.res.Records = len(records)
	p.res.Complete = state.Complete
	p.res.Note = state.Note
	return nil
}

// cacheCount is the records readers get when the pull stops before saving:
// records is what it started from.
func (p *pull) cacheCount(records []json.RawMessage) int {
	if p.side || records == nil {
		return p.oldComplete
	}
	return len(records)
}

// keep saves the records received before err stopped the pull, as an
// incomplete state, and returns err.
func (p *pull) keep(records []json.RawMessage, state EntityState, err error) error {
	state.Complete = false
	if saveErr := p.save(records, state); saveErr != nil {
		return fmt.Errorf("%w; and keeping the pages received failed: %v", err, saveErr)
	}
	return err
}

// stopNote words why a pull stopped for Status: "stopped by the quota
// after 12 pages; the next pull resumes at page 13".
func stopNote(err error, done string, next string) string {
	why := "stopped"
	switch {
	case IsPartialStop(err):
		why = "stopped by " + quotaOrBudget(err)
	case err == nil:
		why = "saved a checkpoint"
	case ctxErr(err):
		why = "interrupted"
	}
	return fmt.Sprintf("%s %s; the next pull %s", why, done, next)
}

func quotaOrBudget(err error) string {
	if errors.Is(err, ErrBudgetExceeded) {
		return "the request budget"
	}
	return "the quota"
}

func ctxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// full pulls every page from page 1 and goes on to verify them. If it stops
// early it keeps the pages it got; over a complete cache it keeps them in
// the side entry (see repullKey), as a complete older copy is more useful
// to readers than a fresh fragment.
func (p *pull) full(ctx context.Context, old EntityState, oldRecords []json.RawMessage, reason string) error {
	p.res.Mode, p.res.Fallback = ModeFull, reason
	if reason != "" {
		p.s.logf("%s: full pull: %s", p.e.Name, reason)
	}
	p.side = p.oldComplete > 0
	work := EntityState{Next: StepPages, PageSize: p.pageSize(old), LastFullPull: old.LastFullPull,
		Repulls: old.Repulls, ServerTotal: old.ServerTotal, MaxRowVersion: old.MaxRowVersion, FullPass: true}
	if p.e.Kind == Versioned {
		// A version the cache saw is a version given out before page 1 is
		// answered: a valid follow-up bound, often better than page 1's.
		work.FollowFrom = max(old.MaxRowVersion, maxRowVersion(oldRecords))
	}
	return p.fetchPages(ctx, work, nil, 1)
}

// pages resumes a versioned or reference pull stopped by an error or a
// kill after a checkpoint: pages PagesDone+1 onward, except those Held.
// Records shifted across the boundary in between are found by the
// verification that follows.
func (p *pull) pages(ctx context.Context, state EntityState, cached []json.RawMessage) error {
	if state.PagesDone < 1 || len(cached) == 0 {
		return p.full(ctx, state, cached, "the last pull left no pages to resume from")
	}
	p.s.logf("%s: resuming the pull at page %d%s", p.e.Name, state.PagesDone+1, heldWords(state.Held))
	return p.fetchPages(ctx, state, cached, state.PagesDone+1)
}

func heldWords(held []int) string {
	if len(held) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s beyond it held)", plural(int64(len(held)), "page"))
}

// keepsIslands says whether pages received beyond a gap are worth keeping:
// records without an id can be neither put back in order nor told apart
// from a copy the next run receives again after a shift.
func (p *pull) keepsIslands() bool {
	return len(p.e.Key) == 1 && p.e.Key[0] == "id"
}

// fetchPages fetches from page first to the end, skipping the pages of
// work.Held that base already holds, checkpointing, and hands the result
// to the verification of the entity's kind.
func (p *pull) fetchPages(ctx context.Context, work EntityState, base []json.RawMessage, first int) error {
	q := p.query()
	q.PageSize = work.PageSize
	held := pagesAfter(work.Held, first-1)
	session := func(got []json.RawMessage, st ListStats) EntityState {
		if first == 1 && len(got) > 0 {
			work.StartTotal = st.TotalItems
			if p.e.Kind == Versioned {
				// The highest version on page 1 was given out before page 1
				// was answered: every change after that has a greater one.
				work.FollowFrom = max(work.FollowFrom, maxRowVersion(got[:min(len(got), work.PageSize)]))
			}
		}
		return work
	}
	merge := func(got []json.RawMessage, beyond []pageData) []json.RawMessage {
		all := make([]json.RawMessage, 0, len(base)+len(got))
		all = append(append(all, base...), got...)
		for _, b := range beyond {
			all = append(all, b.records...)
		}
		// Pages that came around a gap are out of page order; by id is
		// the server's order (append-only entities rely on it already).
		islands := len(held) > 0 || len(beyond) > 0
		return dedupe(all, p.e.Kind == Versioned || islands)
	}
	checkpoint := func(prefix []json.RawMessage, lastPage int, head ListStats) error {
		state := session(prefix, head)
		state.PagesDone, state.Held = lastPage, pagesAfter(held, lastPage)
		state.Note = stopNote(nil, "after "+plural(int64(lastPage), "page"), fmt.Sprintf("resumes at page %d", lastPage+1))
		return p.save(merge(prefix, nil), state)
	}
	f, err := fetchPageRun(ctx, p.s.client, p.e.Path, q, pageRun{first: first, every: p.s.checkpoint, held: held, save: checkpoint, progress: p.pageProgress()})
	if !p.keepsIslands() {
		f.beyond = nil
	}
	st := f.st
	p.tally(st, len(f.records))
	for _, b := range f.beyond {
		p.res.Pages++
		p.res.Received += len(b.records)
	}
	work.Moved = work.Moved || f.moved || (first > 1 && st.TotalItems != work.StartTotal)
	if st.Pages == 0 {
		p.res.Records = p.cacheCount(base)
		return err
	}
	work = session(f.records, st)
	work.ServerTotal = st.TotalItems
	records := merge(f.records, f.beyond)
	if err != nil {
		work.PagesDone = f.done
		work.Held = pagesAfter(held, f.done)
		for _, b := range f.beyond {
			work.Held = append(work.Held, b.n)
		}
		slices.Sort(work.Held)
		work.Held = slices.Compact(work.Held)
		work.Next = StepPages
		work.Note = stopNote(err, "after "+plural(int64(work.PagesDone), "page")+heldWords(work.Held), fmt.Sprintf("resumes at page %d", work.PagesDone+1))
		return p.keep(records, work, err)
	}
	work.PagesDone, work.Held = 0, nil
	if first == 1 && st.LastPage <= 1 {
		// The whole table fit in page 1: one answer is atomic, and there
		// is nothing to follow up or verify.
		work.Complete = true
		if p.e.Kind == Versioned {
			work.MaxRowVersion = maxRowVersion(records)
		}
		return p.save(records, work)
	}
	switch p.e.Kind {
	case Versioned:
		return p.followThrough(ctx, work, records)
	case AppendOnly:
		return p.appendVerify(ctx, work, records, st)
	default:
		return p.verifyReference(ctx, work, records, st)
	}
}

// pagesAfter is the pages of held above page.
func pagesAfter(held []int, page int) []int {
	var out []int
	for _, h := range held {
		if h > page {
			out = append(out, h)
		}
	}
	return out
}

// verifyReference checks a reference entity's count against page 1's: a
// table that changed while its pages came in is pulled again.
func (p *pull) verifyReference(ctx context.Context, work EntityState, records []json.RawMessage, st ListStats) error {
	if (st.Pages > 1 || st.FirstPage > 1) && len(records) != st.FilteredItems && work.Repulls < maxRepulls {
		work.Repulls++
		return p.full(ctx, work, nil, fmt.Sprintf("the server had %d records and the pages %d", st.FilteredItems, len(records)))
	}
	work.Complete = true
	work.ServerTotal = st.TotalItems
	return p.save(records, work)
}
