package skynamo

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// DefaultWriteBatch is how many items one write request carries unless the
// caller says otherwise: big enough that 10,000 stock levels take 100
// requests, small enough that one refused request names few items and
// stays well under any limit the API might have (FACTS.md, Unknowns).
const DefaultWriteBatch = 100

// maxSends bounds how often one item is sent within one apply or resume
// when its answers keep getting lost; after that it ends unknown and a
// resume tries again.
const maxSends = 4

// Writer sends validated writes (WriteOps) to the API: grouped, ordered,
// batched and in parallel under the client's limits, with a journal that
// lets a killed run be resumed without sending anything twice.
type Writer struct {
	reader *Reader
	client *Client
	dir    string // <DataDir>/journal
	logf   func(string, ...any)

	mu sync.Mutex
	// batchCap is the request size the API accepted after refusing a bigger
	// one as a whole (a 400 naming no item); 0 = none learned. It lasts as
	// long as the Writer: the limit belongs to the server, not to one apply.
	batchCap int
	// validOnError records, per path, what a 400 with item errors did to
	// the request's valid items, once a lookup showed it: true = saved,
	// false = rejected with the rest. Knowing "rejected" spares the lookup.
	validOnError map[string]bool
}

// NewWriter writes through the reader's client, refreshes the reader's
// cache after each apply, and keeps journals under <Config.DataDir>/journal.
// logf (nil = silent) hears about learned limits and cache refreshes.
func NewWriter(r *Reader, logf func(string, ...any)) *Writer {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	client := r.Syncer().Client()
	return &Writer{reader: r, client: client, dir: JournalDir(client.Config().DataDir), logf: logf,
		validOnError: map[string]bool{}}
}

// ApplyOptions tune one Apply or Resume.
type ApplyOptions struct {
	// BatchSize is the most items per request; 0 = DefaultWriteBatch (for a
	// resume: the size the journal's apply used). A 400 that names no item
	// (e.g. "too many items") splits the request in halves and tries again.
	BatchSize int
	// DryRun sends nothing and writes no journal; every item ends
	// StatusPlanned.
	DryRun bool
	// ResendUnknown resends creates whose outcome is unknown and that have
	// no natural key to look them up by. Only when the user confirms: if
	// the lost request was saved, the resend duplicates it.
	ResendUnknown bool
	// Progress, if set, is called with the number of items that have their
	// outcome, from the goroutine that called Apply (so a Lua host may call
	// into its state from it).
	Progress func(done, total int)
	// Invalid holds, by op Index, the problems of ops that failed
	// validation. They are journalled as failed and never sent, so
	// `skynamo writes failed` lists them with the API's refusals.
	Invalid map[int][]string
}

// ApplyResult is what an Apply or Resume did.
type ApplyResult struct {
	Items    []ItemResult // one per op, in the order given
	Requests int64        // HTTP requests sent: writes, retries, lookups, cache refresh
	Journal  string       // the journal file ("" for a dry run)
}

// Count is how many items ended with status s.
func (r ApplyResult) Count(s ItemStatus) int {
	n := 0
	for _, it := range r.Items {
		if it.Status == s {
			n++
		}
	}
	return n
}

// Apply sends ops. The error is only a stop: the context ended, the quota
// or the request budget ran out, the API refused the key or could not be
// reached, or the journal could not be written. The result holds every
// item's outcome either way (StatusPending for those not sent); failed
// items are not an error.
//
// Ops should carry distinct Index values (1-based queue positions); if
// they do not, each gets its position instead.
func (w *Writer) Apply(ctx context.Context, ops []WriteOp, opt ApplyOptions) (ApplyResult, error) {
	ops = numbered(ops)
	r := w.newRun(ops, opt)
	if opt.DryRun {
		for i := range r.res {
			if r.state[i] != stDone {
				r.res[i].Status = StatusPlanned
			}
		}
		return ApplyResult{Items: r.res}, nil
	}
	j, err := createJournal(w.dir, w.client.Config(), ops, r.batch)
	if err != nil {
		return r.result(StatusPending), err
	}
	r.j = j
	defer j.close()
	if done := r.doneResults(); len(done) > 0 {
		if err := r.j.write(journalEvent{Ev: evResult, Results: done}); err != nil {
			return r.result(StatusPending), err
		}
	}
	err = r.execute(ctx, nil)
	return r.finish(ctx, err)
}

// numbered gives every op a distinct positive Index, keeping the caller's
// when they already are.
func numbered(ops []WriteOp) []WriteOp {
	seen := make(map[int]bool, len(ops))
	ok := true
	for _, op := range ops {
		if op.Index <= 0 || seen[op.Index] {
			ok = false
			break
		}
		seen[op.Index] = true
	}
	if ok {
		return ops
	}
	out := make([]WriteOp, len(ops))
	for i, op := range ops {
		op.Index = i + 1
		out[i] = op
	}
	return out
}

// batchSize is the request size to use now.
func (w *Writer) batchSize(asked int) int {
	if asked <= 0 {
		asked = DefaultWriteBatch
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.batchCap > 0 && w.batchCap < asked {
		return w.batchCap
	}
	return asked
}

// learnBatchCap lowers the request size after a smaller request went
// through where a bigger one was refused whole; it says so once.
func (w *Writer) learnBatchCap(n int, refused int, why string) {
	w.mu.Lock()
	first := w.batchCap == 0
	if w.batchCap == 0 || n < w.batchCap {
		w.batchCap = n
	}
	w.mu.Unlock()
	if first {
		w.logf("the API refused a request of %d items (%s); sending at most %d items per request from now on", refused, why, n)
	}
}

// idempotent says whether sending op again is harmless: PUT, PATCH and
// DELETE set a state, the upsert POSTs of stock levels and prices set a
// value at a key, and growing an enum keeps labels it already has.
func idempotent(op WriteOp, t WriteTarget) bool {
	return op.Method != http.MethodPost || t.Upsert || op.Kind == KindGrowEnum
}

// lookupable says whether a create with an unknown outcome can be found on
// the server again by its natural key.
func lookupable(op WriteOp, t WriteTarget) bool {
	return op.NaturalKey != "" && t.NaturalKey != "" && readEntity(op.Entity) != ""
}

// describeOp names an item in log lines.
func describeOp(op WriteOp) string {
	if op.Label != "" {
		return fmt.Sprintf("item %d (%s)", op.Index, op.Label)
	}
	return fmt.Sprintf("item %d", op.Index)
}
