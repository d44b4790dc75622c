package skynamo

import (
	"context"
	"encoding/json"
	"sync/atomic"
)

// DefaultCheckpointPages is how many pages a long pull receives before it
// first saves what it has (see SyncOptions.CheckpointPages).
const DefaultCheckpointPages = 50

// checkpointDue says whether a pull that has received `since` pages since
// its last save, which held `saved` pages, saves again. The interval grows
// with the pull (at least every pages, and every half of what was saved):
// rewriting the whole prefix every 50 pages would write a 500-page pull
// about five times over; growing by half writes it under twice, while a
// kill still loses at most a third of the pages received.
func checkpointDue(since, saved, every int) bool {
	return every > 0 && since >= max(every, saved/2)
}

// fetchPages pulls pages from first to the last: page first alone (it
// tells the count), then the others in parallel under the client's
// concurrency, and whenever checkpointDue (never when every is 0) the
// records of the pages received without a gap from first go to save, while
// the fetching goes on. Every request goes through fetchPage, so the
// throttle, the budget and the retries apply. On an error the contiguous
// prefix comes back with the error.
//
// moved reports that a page answered with another total_item_count than
// the first: records were inserted or deleted between the answers, and
// offsets shifted (ListStats keeps only the first answer's count).
func fetchPages(ctx context.Context, c *Client, path string, q ListQuery, first, every int, save func(prefix []json.RawMessage, lastPage int, head ListStats) error) (records []json.RawMessage, st ListStats, moved bool, err error) {
	if first < 1 {
		first = 1
	}
	pageSize := q.PageSize
	if pageSize < 1 || pageSize > MaxPageSize {
		pageSize = c.cfg.PageSize
	}
	var counter atomic.Int64
	st = ListStats{FirstPage: first, PageSize: pageSize}
	head, err := c.fetchPage(ctx, path, q, pageSize, first, &counter)
	if err != nil {
		st.Requests = counter.Load()
		return nil, st, false, err
	}
	st.TotalItems = head.Page.TotalItemCount
	st.FilteredItems = head.Page.FilteredItemCount
	st.LastPage = (st.FilteredItems + pageSize - 1) / pageSize
	st.Pages = 1
	records = head.Data
	if st.LastPage <= first {
		st.Requests = counter.Load()
		return records, st, false, nil
	}

	n := st.LastPage - first
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		i     int
		data  []json.RawMessage
		total int
		err   error
	}
	jobs := make(chan int)
	results := make(chan page, n) // workers never wait for a checkpoint save
	workers := max(1, min(c.cfg.Concurrency, n))
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range jobs {
				env, err := c.fetchPage(inner, path, q, pageSize, first+1+i, &counter)
				p := page{i: i, data: env.Data, err: err}
				if err == nil {
					p.total = env.Page.TotalItemCount
				} else {
					// Stop the other workers now, not when the collector
					// gets here (it may be writing a checkpoint): after a
					// quota stop every further request is wasted.
					cancel()
				}
				results <- p
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range n {
			select {
			case jobs <- i:
			case <-inner.Done():
				return
			}
		}
	}()
	go func() {
		for range workers {
			<-done
		}
		close(results)
	}()

	pages := make([][]json.RawMessage, n)
	got := make([]bool, n)
	next, since, saved := 0, 0, 0
	var firstErr error
	for r := range results {
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			cancel()
			continue
		}
		pages[r.i], got[r.i] = r.data, true
		moved = moved || r.total != st.TotalItems
		for next < n && got[next] {
			records = append(records, pages[next]...)
			pages[next] = nil
			next++
			since++
		}
		if firstErr == nil && next < n && checkpointDue(since, saved, every) {
			if err := save(records, first+next, st); err != nil {
				firstErr = err
				cancel()
			}
			saved += since
			since = 0
		}
	}
	st.Pages += next
	st.Requests = counter.Load()
	if next == n {
		return records, st, moved, nil
	}
	if err := ctx.Err(); err != nil {
		return records, st, moved, err // Ctrl-C: the pages' own errors only echo it
	}
	return records, st, moved, firstErr
}
