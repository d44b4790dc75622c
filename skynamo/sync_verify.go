package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
)

// maxFollowUps bounds the follow-up rounds of one pull. Each round asks
// for the changes since the previous round's page 1 was answered; a round
// answered in one page is atomic and ends the loop. Three rounds that
// each fill more than a page mean changes faster than a pull can settle:
// the count check decides, and the next incremental pull catches up.
const maxFollowUps = 3

// incremental pulls the records whose row_version is above the cache's and
// merges them by id. Deleted records never show up that way, so when the
// server's count then differs from the cache's, a reconcile follows.
func (p *pull) incremental(ctx context.Context, state EntityState, cached []json.RawMessage) error {
	p.res.Mode = ModeIncremental
	work := state
	work.Complete, work.FullPass, work.StartTotal, work.Repulls = false, false, 0, 0
	work.FollowFrom = state.MaxRowVersion
	return p.followThrough(ctx, work, cached)
}

// followThrough asks for every record whose row_version is above
// work.FollowFrom, a version given out before the pull's first answer, so
// every record inserted or changed since the pull began comes back, and
// the newer copy of each wins. A change landing while a multi-page answer
// is read can be missed, so the rounds repeat from the version of the
// last round's page 1 until one answer fits a page. Then the count is
// verified (verifyVersioned).
func (p *pull) followThrough(ctx context.Context, work EntityState, records []json.RawMessage) error {
	pageSize := p.pageSize(work)
	work.PageSize = pageSize
	from := work.FollowFrom
	var last ListStats
	for round := 1; ; round++ {
		q := p.query(fmt.Sprintf("greater_than(row_version,%d)", from))
		q.PageSize = pageSize
		changed, st, err := p.s.client.ListAll(ctx, p.e.Path, q)
		p.tally(st, len(changed))
		p.report(p.res.Pages)
		records = mergeByID(records, changed)
		if err != nil {
			work.Next, work.FollowFrom = StepFollowUp, from
			work.Note = stopNote(err, "before its follow-up finished", fmt.Sprintf("asks for the changes above version %d", from))
			return p.keep(records, work, err)
		}
		last = st
		if st.LastPage <= 1 || round == maxFollowUps {
			break
		}
		from = max(from, maxRowVersion(changed[:min(len(changed), pageSize)]))
	}
	return p.verifyVersioned(ctx, work, records, last, from)
}

// verifyVersioned compares the cache with the server's count in the last
// answer. A difference means deleted records are still cached or records
// were skipped by offset shifts; a table that changed size while a full
// pull's pages came in may hide one behind the other (a deleted record
// kept, a record shifted past a page boundary), so that counts as a
// difference too (fetchPages reports a page whose count differs from
// page 1's). Either way a reconcile follows, at most maxRepulls times;
// then the pull is kept but marked unverified.
//
// The limit of counting: an insert and a delete landing between the same
// two page answers of a full pull leave every count as it was, and can
// leave a deleted record cached and a shifted one missing. Incremental
// pulls cannot hide a delete that way (the insert comes back in them and
// the count is off by one), so the error stays until the scheduled
// reconcile, which has no offsets and finds it.
func (p *pull) verifyVersioned(ctx context.Context, work EntityState, records []json.RawMessage, last ListStats, from int64) error {
	total := last.TotalItems
	why := ""
	switch {
	case len(records) != total:
		why = fmt.Sprintf("the server has %d records and the cache %d", total, len(records))
	case work.StartTotal != 0 && work.StartTotal != total:
		why = fmt.Sprintf("the table changed from %d to %d records while the pages came in", work.StartTotal, total)
	case work.Moved:
		why = "records were inserted or deleted while the pages came in"
	}
	work.StartTotal, work.Moved = 0, false
	work.ServerTotal = total
	if why == "" {
		work.Complete = true
		if last.LastPage <= 1 {
			// The last answer was one page, atomic: the cache holds every
			// change up to the highest version in it.
			work.MaxRowVersion = maxRowVersion(records)
		} else {
			work.MaxRowVersion = from
		}
		return p.save(records, work)
	}
	if work.Repulls >= maxRepulls {
		work.Next, work.ReconcileTop, work.ReconcileFrom, work.Repulls = StepReconcile, 0, 0, 0
		work.Note = fmt.Sprintf("unverified after %d re-pulls (%s); the next pull reconciles", maxRepulls, why)
		return p.keep(records, work, fmt.Errorf("%w: %s", ErrUnsettled, why))
	}
	work.Repulls++
	work.ReconcileTop, work.ReconcileFrom = 0, 0
	return p.reconcile(ctx, work, records, why)
}
