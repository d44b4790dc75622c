package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
// On an error ListAll returns the records of the pages it got without a
// gap from the start, the stats, and the error. After a quota or budget
// stop no new page is asked for, but pages already in flight (and paid
// for) are let finish; any other error cancels them.
func (c *Client) ListAll(ctx context.Context, path string, q ListQuery) ([]json.RawMessage, ListStats, error) {
	return c.ListFrom(ctx, path, q, 1)
}

// ListFrom is ListAll starting at page first: a pull that already holds the
// earlier pages resumes there. It is fetchPages (sync_fetch.go) without
// checkpoints, so a list and a sync page the same way.
func (c *Client) ListFrom(ctx context.Context, path string, q ListQuery, first int) ([]json.RawMessage, ListStats, error) {
	records, stats, _, err := fetchPages(ctx, c, path, q, first, 0, nil)
	return records, stats, err
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
