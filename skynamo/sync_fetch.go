package skynamo

import (
	"context"
	"encoding/json"
	"sync"
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

// fetchPages is fetchPageRun without held pages, returning only the pages
// received without a gap from first: what ListAll and ListFrom need.
func fetchPages(ctx context.Context, c *Client, path string, q ListQuery, first, every int, save func(prefix []json.RawMessage, lastPage int, head ListStats) error) (records []json.RawMessage, st ListStats, moved bool, err error) {
	f, err := fetchPageRun(ctx, c, path, q, pageRun{first: first, every: every, save: save})
	return f.records, f.st, f.moved, err
}

// pageRun says which pages fetchPageRun fetches and how it checkpoints.
type pageRun struct {
	first int
	every int // checkpointDue's interval; 0 = never save
	// held are pages after first that the caller already holds from an
	// earlier run stopped beyond a gap: they are not fetched again (their
	// requests were paid for), and the prefix runs through them.
	held []int
	save func(prefix []json.RawMessage, lastPage int, head ListStats) error
	// progress, if set, hears of every page received: pages and records
	// so far, the pages this run fetches and the server's record count
	// (when the run starts at page 1). It runs on fetchPageRun's goroutine.
	progress func(pages, total, records, totalRecords int)
}

// pageData is one page received beyond the first missing one.
type pageData struct {
	n       int
	records []json.RawMessage
}

// fetched is what fetchPageRun received.
type fetched struct {
	// records are the pages from first up to done, except held pages.
	records []json.RawMessage
	// done is the last page received or held without a gap from first
	// (first-1 when page first itself failed).
	done int
	// beyond are the pages received after the first missing one, in page
	// order: a stop keeps them too rather than paying for them again.
	beyond []pageData
	st     ListStats // st.Pages counts the pages in records
	moved  bool
}

// fetchPageRun pulls pages from r.first to the last: page first alone (it
// tells the count), then the others, except r.held, in parallel under the
// client's concurrency, and whenever checkpointDue (never when r.every is
// 0) the records of the pages received without a gap from first go to
// r.save, while the fetching goes on. Every request goes through
// fetchPage, so the throttle, the budget and the retries apply. On an
// error the pages received so far come back with the error: the prefix,
// and those beyond the first missing page.
//
// moved reports that a page answered with another total_item_count than
// the first: records were inserted or deleted between the answers, and
// offsets shifted (ListStats keeps only the first answer's count).
func fetchPageRun(ctx context.Context, c *Client, path string, q ListQuery, r pageRun) (f fetched, err error) {
	first := max(r.first, 1)
	pageSize := q.PageSize
	if pageSize < 1 || pageSize > MaxPageSize {
		pageSize = c.cfg.PageSize
	}
	var counter atomic.Int64
	f.st = ListStats{FirstPage: first, PageSize: pageSize}
	f.done = first - 1
	head, err := c.fetchPage(ctx, path, q, pageSize, first, &counter)
	if err != nil {
		f.st.Requests = counter.Load()
		return f, err
	}
	st := &f.st
	st.TotalItems = head.Page.TotalItemCount
	st.FilteredItems = head.Page.FilteredItemCount
	st.LastPage = (st.FilteredItems + pageSize - 1) / pageSize
	st.Pages = 1
	f.records = head.Data
	f.done = first
	n := st.LastPage - first
	totalRecords := 0
	if first == 1 {
		totalRecords = st.FilteredItems
	}
	// The pages this run fetches: first, and the others it does not hold.
	total := 1 + n
	for _, h := range r.held {
		if h > first && h <= st.LastPage {
			total--
		}
	}
	gotPages, gotRecords := 1, len(head.Data)
	report := func() {
		if r.progress != nil {
			r.progress(gotPages, max(total, gotPages), gotRecords, totalRecords)
		}
	}
	report()
	if st.LastPage <= first {
		st.Requests = counter.Load()
		return f, nil
	}

	// Page first+1+i is index i. A held page counts as arrived, with no
	// records: the caller has them.
	pages := make([][]json.RawMessage, n)
	got := make([]bool, n)
	received := make([]bool, n)
	for _, h := range r.held {
		if i := h - first - 1; i >= 0 && i < n {
			got[i] = true
		}
	}
	var todo []int
	for i := range n {
		if !got[i] {
			todo = append(todo, i)
		}
	}

	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	// halt stops sending requests. After a quota or budget stop it is all
	// that stops: the requests in flight were counted against the quota
	// as they reached the server, so their answers are worth waiting for
	// (cancelling them would throw paid pages away). Any other error
	// cancels them too, as they may be retrying against a failing server.
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func(err error) {
		stopOnce.Do(func() { close(stop) })
		if !IsPartialStop(err) {
			cancel()
		}
	}
	type page struct {
		i     int
		data  []json.RawMessage
		total int
		err   error
	}
	jobs := make(chan int)
	results := make(chan page, len(todo)) // workers never wait for a checkpoint save
	workers := min(c.cfg.Concurrency, len(todo))
	if len(todo) > 0 {
		workers = max(1, workers)
	}
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range jobs {
				select {
				case <-stop:
					continue // dispatched as the stop came: not sent
				default:
				}
				env, err := c.fetchPage(inner, path, q, pageSize, first+1+i, &counter)
				p := page{i: i, data: env.Data, err: err}
				if err == nil {
					p.total = env.Page.TotalItemCount
				} else {
					// Stop the other workers now, not when the collector
					// gets here (it may be writing a checkpoint): after a
					// quota stop every further request is wasted.
					halt(err)
				}
				results <- p
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range todo {
			select {
			case jobs <- i:
			case <-stop:
				return
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

	next, since, saved := 0, 0, 0
	advance := func() {
		for next < n && got[next] {
			if received[next] {
				f.records = append(f.records, pages[next]...)
				pages[next] = nil
				st.Pages++
			}
			next++
			since++
		}
	}
	advance() // held pages right after first
	var firstErr error
	for res := range results {
		if res.err != nil {
			if firstErr == nil {
				firstErr = res.err
			}
			halt(res.err)
			continue
		}
		pages[res.i], got[res.i], received[res.i] = res.data, true, true
		gotPages++
		gotRecords += len(res.data)
		report()
		f.moved = f.moved || res.total != st.TotalItems
		advance()
		if firstErr == nil && next < n && checkpointDue(since, saved, r.every) {
			if err := r.save(f.records, first+next, *st); err != nil {
				firstErr = err
				halt(err)
			}
			saved += since
			since = 0
		}
	}
	st.Requests = counter.Load()
	f.done = first + next
	if next == n {
		return f, nil
	}
	for i := next + 1; i < n; i++ {
		if received[i] {
			f.beyond = append(f.beyond, pageData{n: first + 1 + i, records: pages[i]})
		}
	}
	if err := ctx.Err(); err != nil {
		return f, err // Ctrl-C: the pages' own errors only echo it
	}
	return f, firstErr
}
