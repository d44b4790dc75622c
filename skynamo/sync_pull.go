package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PullStep is what an incomplete pull left to do; the next sync starts there.
type PullStep string

const (
	// StepPages: pages PagesDone+1 onward are missing (append-only entities
	// resume from the page holding their last record instead).
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
	// started from (0: none): a re-pull stopped early does not replace it
	// with a shorter fragment.
	oldComplete int
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
		return p.full(ctx, state, cached, due)
	}
	switch p.e.Kind {
	case Versioned:
		return p.incremental(ctx, state, cached)
	case AppendOnly:
		return p.appendResume(ctx, state, cached, "")
	default:
		return p.full(ctx, state, cached, "")
	}
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
	if state.Complete {
		state.Next, state.Note = "", ""
		state.PagesDone, state.FollowFrom, state.StartTotal, state.Moved = 0, 0, 0, false
		state.ReconcileFrom, state.ReconcileTop, state.Repulls = 0, 0, 0
		if state.FullPass {
			state.LastFullPull = state.PulledAt
		}
		state.FullPass = false
	}
	if err := p.s.cache.Save(p.e.Name, records, state); err != nil {
		return err
	}
	p.res.Records = len(records)
	p.res.Complete = state.Complete
	p.res.Note = state.Note
	return nil
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
// early it keeps the pages it got, unless the cache already held a
// complete copy with at least as many records: a complete older copy is
// more useful than a fresh fragment, and the next pull starts over.
func (p *pull) full(ctx context.Context, old EntityState, oldRecords []json.RawMessage, reason string) error {
	p.res.Mode, p.res.Fallback = ModeFull, reason
	if reason != "" {
		p.s.logf("%s: full pull: %s", p.e.Name, reason)
	}
	work := EntityState{Next: StepPages, PageSize: p.pageSize(old), LastFullPull: old.LastFullPull,
		Repulls: old.Repulls, ServerTotal: old.ServerTotal, MaxRowVersion: old.MaxRowVersion, FullPass: true}
	if p.e.Kind == Versioned {
		// A version the cache saw is a version given out before page 1 is
		// answered: a valid follow-up bound, often better than page 1's.
		work.FollowFrom = max(old.MaxRowVersion, maxRowVersion(oldRecords))
	}
	return p.fetchPages(ctx, work, nil, 1, p.oldComplete > 0, p.oldComplete)
}

// pages resumes a versioned or reference pull stopped by an error or a
// kill after a checkpoint: pages PagesDone+1 onward. Records shifted across
// the boundary in between are found by the verification that follows.
func (p *pull) pages(ctx context.Context, state EntityState, cached []json.RawMessage) error {
	if state.PagesDone < 1 || len(cached) == 0 {
		return p.full(ctx, state, cached, "the last pull left no pages to resume from")
	}
	p.s.logf("%s: resuming the pull at page %d", p.e.Name, state.PagesDone+1)
	return p.fetchPages(ctx, state, cached, state.PagesDone+1, false, 0)
}

// fetchPages fetches from page first to the end, checkpointing, and hands
// the result to the verification of the entity's kind.
func (p *pull) fetchPages(ctx context.Context, work EntityState, base []json.RawMessage, first int, keepOld bool, oldCount int) error {
	q := p.query()
	q.PageSize = work.PageSize
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
	merge := func(got []json.RawMessage) []json.RawMessage {
		all := make([]json.RawMessage, 0, len(base)+len(got))
		return dedupe(append(append(all, base...), got...), p.e.Kind == Versioned)
	}
	checkpoint := func(prefix []json.RawMessage, lastPage int, head ListStats) error {
		if keepOld && len(base)+len(prefix) <= oldCount {
			// A complete cache is never replaced by a shorter prefix of its
			// own re-pull: if this pull stops, the old copy stays.
			return nil
		}
		state := session(prefix, head)
		state.PagesDone = lastPage
		state.Note = stopNote(nil, "after "+plural(int64(lastPage), "page"), fmt.Sprintf("resumes at page %d", lastPage+1))
		return p.save(merge(prefix), state)
	}
	got, st, moved, err := fetchPages(ctx, p.s.client, p.e.Path, q, first, p.s.checkpoint, checkpoint)
	p.tally(st, len(got))
	work.Moved = work.Moved || moved || (first > 1 && st.TotalItems != work.StartTotal)
	if st.Pages == 0 {
		if base != nil {
			p.res.Records = len(base)
		} else {
			p.res.Records = oldCount
		}
		return err
	}
	work = session(got, st)
	work.ServerTotal = st.TotalItems
	records := merge(got)
	if err != nil {
		if keepOld && len(records) <= oldCount {
			p.res.Records = oldCount
			return err
		}
		work.PagesDone = first + st.Pages - 1
		work.Next = StepPages
		work.Note = stopNote(err, "after "+plural(int64(work.PagesDone), "page"), fmt.Sprintf("resumes at page %d", work.PagesDone+1))
		return p.keep(records, work, err)
	}
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
