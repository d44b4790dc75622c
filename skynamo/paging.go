package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ListQuery narrows a list request.
type ListQuery struct {
	// Filters like "greater_than(row_version,1234)", sent as the JSON array
	// the API expects in the filters parameter.
	Filters []string
	// Flags like "show_nulls", sent comma-joined.
	Flags []string
	// PageSize overrides the client's page size (0 = Config.PageSize).
	PageSize int
}

// ListStats says what a list call cost and what the server reported.
type ListStats struct {
	Requests      int64 // HTTP requests sent, retries included
	Pages         int   // pages whose records were returned
	FirstPage     int   // page the call started from
	LastPage      int   // last page by the server's count (0: no items)
	PageSize      int
	TotalItems    int // page.total_item_count: all items, filters ignored
	FilteredItems int // page.filtered_item_count: items the filters match
}

// pageEnvelope is a list answer with its records left undecoded: decoding
// thousands of records into maps is the costly part, and most pulls only
// store them.
type pageEnvelope struct {
	Data []json.RawMessage
	Page *pageInfo
}

type pageInfo struct {
	PageNumber        int `json:"page_number"`
	PageSize          int `json:"page_size"`
	TotalItemCount    int `json:"total_item_count"`
	FilteredItemCount int `json:"filtered_item_count"`
}

// parseEnvelope cuts the records out of a list answer (see rawjson.go) and
// decodes only the small "page" object.
func parseEnvelope(body []byte) (pageEnvelope, error) {
	var env pageEnvelope
	var fieldErr error
	err := objectFields(body, func(key, value []byte) bool {
		switch string(key) {
		case "data":
			if string(value) != "null" {
				env.Data, fieldErr = splitArray(value)
			}
		case "page":
			env.Page = &pageInfo{}
			fieldErr = json.Unmarshal(value, env.Page)
		}
		return fieldErr == nil
	})
	if err == nil {
		err = fieldErr
	}
	return env, err
}

// ListAll fetches every page of a list endpoint: page 1 first, to learn the
// item count, then the other pages in parallel: up to Config.Concurrency
// workers, each request gated by the client's throttle, which allows fewer
// at once (and paces them) while the API answers 429. Records come back in
// page order, undecoded.
//
// On an error (quota, cancellation, retries used up) the pages still in
// flight are cancelled and ListAll returns the records of the pages it got
// without a gap from the start, the stats, and the error.
func (c *Client) ListAll(ctx context.Context, path string, q ListQuery) ([]json.RawMessage, ListStats, error) {
	return c.ListFrom(ctx, path, q, 1)
}

// ListFrom is ListAll starting at page first: a pull that already holds the
// earlier pages resumes there.
func (c *Client) ListFrom(ctx context.Context, path string, q ListQuery, first int) ([]json.RawMessage, ListStats, error) {
	if first < 1 {
		first = 1
	}
	pageSize := q.PageSize
	if pageSize < 1 || pageSize > MaxPageSize {
		pageSize = c.cfg.PageSize
	}
	var counter atomic.Int64
	stats := ListStats{FirstPage: first, PageSize: pageSize}

	head, err := c.fetchPage(ctx, path, q, pageSize, first, &counter)
	if err != nil {
		stats.Requests = counter.Load()
		return nil, stats, err
	}
	stats.TotalItems = head.Page.TotalItemCount
	stats.FilteredItems = head.Page.FilteredItemCount
	stats.LastPage = (stats.FilteredItems + pageSize - 1) / pageSize
	stats.Pages = 1
	if stats.LastPage <= first {
		stats.Requests = counter.Load()
		return head.Data, stats, nil
	}

	rest, got, err := c.fetchPagesParallel(ctx, path, q, pageSize, first+1, stats.LastPage, &counter)
	stats.Pages += got
	records := make([]json.RawMessage, 0, len(head.Data)+len(rest))
	records = append(records, head.Data...)
	records = append(records, rest...)
	stats.Requests = counter.Load()
	return records, stats, err
}

// fetchPagesParallel fetches pages from..to with bounded concurrency and
// returns the records of the pages received without a gap from `from`, how
// many pages that is, and the error that stopped it, if any.
func (c *Client) fetchPagesParallel(ctx context.Context, path string, q ListQuery, pageSize, from, to int, counter *atomic.Int64) ([]json.RawMessage, int, error) {
	n := to - from + 1
	pages := make([][]json.RawMessage, n)
	done := make([]bool, n)

	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err })
		cancel()
	}

	jobs := make(chan int)
	for range min(c.cfg.Concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				env, err := c.fetchPage(ctx, path, q, pageSize, from+i, counter)
				if err != nil {
					fail(err)
					continue
				}
				pages[i], done[i] = env.Data, true
			}
		}()
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	var records []json.RawMessage
	got := 0
	for i := range n {
		if !done[i] {
			break
		}
		records = append(records, pages[i]...)
		got++
	}
	if got == n {
		return records, got, nil
	}
	if err := parent.Err(); err != nil {
		// Ctrl-C: the pages' own errors only echo it.
		return records, got, err
	}
	return records, got, firstErr
}

// fetchPage gets one page and decodes its envelope only.
func (c *Client) fetchPage(ctx context.Context, path string, q ListQuery, pageSize, page int, counter *atomic.Int64) (pageEnvelope, error) {
	query := url.Values{}
	query.Set("page_number", strconv.Itoa(page))
	query.Set("page_size", strconv.Itoa(pageSize))
	if len(q.Filters) > 0 {
		filters, err := json.Marshal(q.Filters)
		if err != nil {
			return pageEnvelope{}, err
		}
		query.Set("filters", string(filters))
	}
	if len(q.Flags) > 0 {
		query.Set("flags", strings.Join(q.Flags, ","))
	}
	body, err := c.do(ctx, "GET", path, query, nil, counter)
	if err != nil {
		return pageEnvelope{}, err
	}
	env, err := parseEnvelope(body)
	if err != nil {
		return pageEnvelope{}, fmt.Errorf("GET %s page %d: the answer is not a list page: %w", path, page, err)
	}
	if env.Page == nil {
		return pageEnvelope{}, fmt.Errorf("GET %s page %d: the answer has no \"page\" object; is this a list endpoint?", path, page)
	}
	return env, nil
}
