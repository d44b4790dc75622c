package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// A reconcile reads every record of a versioned entity again, not by
// offset pages, which shift when records are inserted, deleted or
// reordered between requests, but by row_version ranges:
// `greater_than(row_version,lo)` and `less_than_equals(row_version,hi)`.
// The ranges are cut from the cached records so that each holds at most
// rangeFill of them. A range can only lose records over time (a change
// gives a record a version above every range, a delete removes it), so
// each is answered in one page, which is atomic; the server's answer
// replaces the cached records of that range, which drops deleted records
// and restores skipped ones. The follow-up from the top of the ranges then
// brings every record changed or inserted since, and the count check
// verifies the result: with no offsets there is nothing to skip, so a
// count that still differs can only be a record deleted mid-reconcile.
//
// Cost: ceil(n/rangeFill) requests, in parallel, plus the follow-up.

// rangeFill is the most cached records a range is cut to hold: a tenth
// under the page size leaves room for records the cache lacks, so a range
// still fits one page.
func rangeFill(pageSize int) int { return max(1, pageSize-pageSize/10) }

// versionRange is the row_versions lo < v <= hi.
type versionRange struct{ lo, hi int64 }

// cutRanges cuts (from, top] so that each range holds at most fill of the
// records' versions. Equal versions are never split.
func cutRanges(records []json.RawMessage, from, top int64, fill int) []versionRange {
	var versions []int64
	for _, r := range records {
		if v := readSyncKeys(r).rowVersion(); v > from && v <= top {
			versions = append(versions, v)
		}
	}
	slices.Sort(versions)
	var ranges []versionRange
	lo := from
	for i := fill - 1; i < len(versions); i += fill {
		hi := versions[i]
		if hi >= top {
			break
		}
		if hi > lo {
			ranges = append(ranges, versionRange{lo, hi})
			lo = hi
		}
	}
	return append(ranges, versionRange{lo, top})
}

// reconcile re-reads the ranges of work.ReconcileFrom..ReconcileTop (all
// of them when the reconcile starts), then follows through. Stopped
// early, it keeps the ranges answered without a gap from the bottom and
// the next pull goes on from there.
func (p *pull) reconcile(ctx context.Context, work EntityState, records []json.RawMessage, reason string) error {
	p.res.Mode = ModeReconcile
	if reason != "" {
		p.res.Fallback = reason
		p.s.logf("%s: reconcile: %s", p.e.Name, reason)
	}
	pageSize := p.pageSize(work)
	work.PageSize, work.FullPass, work.StartTotal = pageSize, true, 0
	if work.ReconcileTop == 0 {
		work.ReconcileFrom, work.ReconcileTop = -1, maxRowVersion(records)
	}
	ranges := cutRanges(records, work.ReconcileFrom, work.ReconcileTop, rangeFill(pageSize))

	// The ranges go in batches with a checkpoint after each, growing like
	// a full pull's (checkpointDue), so a kill -9 during the reconcile of a
	// big table loses at most a third of it.
	for start := 0; start < len(ranges); {
		end := len(ranges)
		if p.s.checkpoint > 0 {
			end = min(len(ranges), start+max(p.s.checkpoint, start/2))
		}
		batch := ranges[start:end]
		answers, done, err := p.readRanges(ctx, batch, pageSize)
		if done > 0 {
			records = replaceRange(records, answers[:done], batch[0].lo, batch[done-1].hi)
			work.ReconcileFrom = batch[done-1].hi
		}
		if err != nil {
			work.Next = StepReconcile
			work.Note = stopNote(err, fmt.Sprintf("after reconciling %d of %d version ranges", start+done, len(ranges)),
				fmt.Sprintf("reconciles the versions above %d", work.ReconcileFrom))
			return p.keep(records, work, err)
		}
		start = end
		if start < len(ranges) {
			work.Next = StepReconcile
			work.Note = stopNote(nil, fmt.Sprintf("after reconciling %d of %d version ranges", start, len(ranges)),
				fmt.Sprintf("reconciles the versions above %d", work.ReconcileFrom))
			checkpoint := work
			checkpoint.Complete = false
			if err := p.save(records, checkpoint); err != nil {
				return err
			}
		}
	}
	work.Note = ""
	work.FollowFrom = work.ReconcileTop
	work.ReconcileFrom, work.ReconcileTop = 0, 0
	return p.followThrough(ctx, work, records)
}

// replaceRange swaps the cached records whose row_version lies in
// (from, to] for the server's answers for that range.
func replaceRange(records []json.RawMessage, answers [][]json.RawMessage, from, to int64) []json.RawMessage {
	kept := make([]json.RawMessage, 0, len(records))
	for _, r := range records {
		if v := readSyncKeys(r).rowVersion(); v <= from || v > to {
			kept = append(kept, r)
		}
	}
	for _, a := range answers {
		kept = append(kept, a...)
	}
	return dedupe(kept, true)
}

// readRanges asks for each range, at most Config.Concurrency at once. It
// returns the answers, how many ranges from the first were answered
// without a gap, and the error that stopped it.
func (p *pull) readRanges(ctx context.Context, ranges []versionRange, pageSize int) ([][]json.RawMessage, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	answers := make([][]json.RawMessage, len(ranges))
	ok := make([]bool, len(ranges))
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, max(1, p.s.client.cfg.Concurrency))
	base := p.res.Pages // each range is expected to fit one page
	for i, r := range ranges {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			q := p.query(fmt.Sprintf("greater_than(row_version,%d)", r.lo), fmt.Sprintf("less_than_equals(row_version,%d)", r.hi))
			q.PageSize = pageSize
			got, st, err := p.s.client.ListAll(ctx, p.e.Path, q)
			mu.Lock()
			defer mu.Unlock()
			p.tally(st, len(got))
			p.report(base + len(ranges))
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				cancel()
				return
			}
			answers[i], ok[i] = got, true
		}()
	}
	wg.Wait()
	done := 0
	for done < len(ranges) && ok[done] {
		done++
	}
	if done < len(ranges) && firstErr == nil {
		firstErr = ctx.Err()
	}
	return answers, done, firstErr
}
