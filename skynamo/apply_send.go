package skynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// answer is what one request's answer means for its items.
type answer struct {
	done       map[int]ItemResult // position -> outcome
	unresolved map[int]string     // position -> why its outcome is unknown
	after400   bool               // the unresolved were valid items of a refused request
	pending    []int              // not applied for sure: to send again (or left pending by a stop)
	halves     [][]int            // the API refused the request for its size: send these instead
	stop       error              // the run must stop
	note       string             // the answer in words, for the journal
}

// sendChunk sends one request and records what became of its items. It
// returns halves to send when the API refused the request as a whole, and
// an error when the run must stop.
func (r *applyRun) sendChunk(ctx context.Context, g *group, items []int, splitFrom int) ([][]int, error) {
	body := r.body(g, items)
	id := r.reqID.Add(1)
	// The journal learns of the request before the API does: if the
	// process dies in between, a resume looks the items up instead of
	// assuming they were never sent.
	if err := r.j.write(journalEvent{Ev: evSend, Req: id, Method: g.method, Path: g.path, Items: r.indexes(items), Body: body}); err != nil {
		return nil, err
	}
	r.mu.Lock()
	for _, i := range items {
		r.state[i] = stInFlight
		r.sends[i]++
		r.req[i] = id
		if e := readEntity(r.ops[i].Entity); e != "" {
			r.sent[e] = true
		}
	}
	r.mu.Unlock()

	data, err := r.w.client.Send(ctx, g.method, g.path, nil, body)
	a := r.classify(ctx, g, items, data, err)
	if splitFrom > 0 && a.halves == nil && a.stop == nil {
		r.w.learnBatchCap(len(items), splitFrom, a.note)
	}
	if jerr := r.record(id, a); jerr != nil && a.stop == nil {
		a.stop = jerr
	}
	return a.halves, a.stop
}

// body is the request body: a JSON array of the items, or for
// /integrations one IntegrationRequest holding them.
func (r *applyRun) body(g *group, items []int) []byte {
	var b bytes.Buffer
	if g.action != "" {
		fmt.Fprintf(&b, `{"action":%q,%q:`, g.action, g.listKey)
	}
	b.WriteByte('[')
	for k, i := range items {
		if k > 0 {
			b.WriteByte(',')
		}
		b.Write(r.ops[i].Item)
	}
	b.WriteByte(']')
	if g.action != "" {
		b.WriteByte('}')
	}
	return b.Bytes()
}

// indexes are the ops' Index values of positions.
func (r *applyRun) indexes(items []int) []int {
	out := make([]int, len(items))
	for k, i := range items {
		out[k] = r.ops[i].Index
	}
	return out
}

// classify reads the answer (or the failure) of one request.
func (r *applyRun) classify(ctx context.Context, g *group, items []int, data []byte, err error) answer {
	a := answer{done: map[int]ItemResult{}, unresolved: map[int]string{}}
	if err == nil {
		a.note = "saved"
		entries := postEntries(data)
		for k, i := range items {
			res := ItemResult{Status: StatusApplied}
			if len(entries) == len(items) {
				res.ID, res.Code, res.RowVersion = entries[k].ID, entries[k].Code, entries[k].RowVersion
			}
			a.done[i] = res
		}
		return a
	}
	a.note = err.Error()
	var retryAfter *RetryAfterError
	var apiErr *APIError
	switch {
	case errors.As(err, &retryAfter), errors.Is(err, ErrBudgetExceeded):
		// Refused before it reached the API: nothing was saved.
		a.pending, a.stop = items, err
	case ctx.Err() != nil:
		a.stop = ctx.Err()
		for _, i := range items {
			a.unresolved[i] = "the apply stopped while its request was out"
		}
	case errors.As(err, &apiErr):
		r.classifyAPI(g, items, apiErr, &a)
	case unreachable(err):
		a.pending, a.stop = items, err
	default:
		// The request went out and its answer was lost (a dropped
		// connection, a timeout): it may have been saved.
		for _, i := range items {
			a.unresolved[i] = "its request got no answer (" + shortError(err) + ")"
		}
		if g.method != http.MethodPost {
			// The client already retried it DefaultMaxAttempts times.
			a.stop = err
		}
	}
	return a
}

// classifyAPI reads an API error answer.
func (r *applyRun) classifyAPI(g *group, items []int, e *APIError, a *answer) {
	switch {
	case e.Status == http.StatusTooManyRequests, e.Status == http.StatusUnauthorized,
		e.Status == http.StatusForbidden && e.Message != msgMissingToken:
		// The quota, throttling the client gave up on, or a refused key:
		// the gateway answered, the API saved nothing, and the next
		// request would fare the same.
		a.pending, a.stop = items, e
	case e.Status == http.StatusBadRequest || e.Status == http.StatusRequestEntityTooLarge:
		errs := itemErrors(e.Body)
		if e.Status == http.StatusBadRequest && len(errs) > 0 {
			r.mapItemErrors(items, errs, e, a)
			return
		}
		if len(items) > 1 {
			// Refused as a whole without naming an item ("too many items"):
			// nothing was saved; try each half.
			half := (len(items) + 1) / 2
			a.halves = [][]int{items[:half:half], items[half:]}
			a.pending = items
			a.note = fmt.Sprintf("%d %s: split in halves", e.Status, e.Message)
			return
		}
		a.done[items[0]] = ItemResult{Status: StatusFailed, Detail: []string{e.Message}}
	case e.Status >= 500:
		for _, i := range items {
			a.unresolved[i] = fmt.Sprintf("the API answered %d %s, which may come after it saved the request", e.Status, e.Message)
		}
		if g.method != http.MethodPost {
			a.stop = e // the client already retried it
		}
	default:
		// 404, 403 Missing Authentication Token (a wrong path or method),
		// 409, 422 ...: the API refused these items.
		msg := fmt.Sprintf("the API answered %d %s", e.Status, e.Message)
		if h := e.hint(); h != "" {
			msg += ": " + h
		}
		for _, i := range items {
			a.done[i] = ItemResult{Status: StatusFailed, Detail: []string{msg}}
		}
	}
}

// mapItemErrors gives each item the API named its detail; the others were
// valid, and whether the API saved them is unknown.
func (r *applyRun) mapItemErrors(items []int, errs []itemError, e *APIError, a *answer) {
	named := map[int]bool{}
	for _, ie := range errs {
		if ie.Index < 0 || ie.Index >= len(items) {
			continue
		}
		i := items[ie.Index]
		named[i] = true
		res := ItemResult{Status: StatusFailed, Detail: ie.Detail}
		// The client resends a DELETE itself after a 5xx or a lost
		// connection: the first send may have deleted it. A throttled
		// attempt (429) never reached the API and does not count.
		r.mu.Lock()
		gone := (r.lost[i] || e.EarlierMayHaveApplied) && r.ops[i].Kind == KindDelete
		r.mu.Unlock()
		if gone {
			// An earlier request whose answer was lost deleted it.
			res = ItemResult{Status: StatusApplied, Detail: append([]string{"already deleted when sent again (an earlier request whose answer was lost deleted it); the API said:"}, ie.Detail...)}
		}
		a.done[i] = res
	}
	if len(named) == len(items) {
		return
	}
	a.after400 = true
	why := fmt.Sprintf("the API refused %s of its request (%s)", itemWord(len(named)), e.Message)
	for _, i := range items {
		if !named[i] {
			a.unresolved[i] = why
		}
	}
}

// record applies an answer to the items' state and journals it.
func (r *applyRun) record(req int64, a answer) error {
	ev := journalEvent{Ev: evResult, Req: req, Answer: a.note}
	r.mu.Lock()
	for i, res := range a.done {
		r.settle(i, res)
		ev.Results = append(ev.Results, r.res[i])
	}
	for i, why := range a.unresolved {
		r.state[i], r.why[i], r.after400[i], r.lost[i] = stUnresolved, why, a.after400, true
		if keyless(r.ops[i], r.targets[i]) {
			r.unsure[r.ops[i].Path] = true
		}
		ev.Unresolved = append(ev.Unresolved, r.ops[i].Index)
	}
	for _, i := range a.pending {
		r.state[i] = stPending
		r.sends[i]-- // refused unsent or for its size: not a lost answer
		if a.halves == nil {
			ev.Pending = append(ev.Pending, r.ops[i].Index)
		}
	}
	r.mu.Unlock()
	if a.halves != nil {
		for _, h := range a.halves {
			ev.Pending = append(ev.Pending, r.indexes(h)...)
		}
	}
	sort.Slice(ev.Results, func(x, y int) bool { return ev.Results[x].Index < ev.Results[y].Index })
	sort.Ints(ev.Unresolved)
	sort.Ints(ev.Pending)
	return r.j.write(ev)
}

// itemError is one entry of a 400's "errors".
type itemError struct {
	Index  int
	Detail []string
}

// itemErrors reads {"errors":[{"index":i,"detail":[...]}]}; detail may be
// one string or a list.
func itemErrors(body []byte) []itemError {
	var parsed struct {
		Errors []struct {
			Index  *int            `json:"index"`
			Detail json.RawMessage `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) != nil {
		return nil
	}
	out := make([]itemError, 0, len(parsed.Errors))
	for _, e := range parsed.Errors {
		if e.Index == nil {
			continue
		}
		var list []string
		if json.Unmarshal(e.Detail, &list) != nil {
			list = []string{compactDetail(e.Detail)}
		}
		out = append(out, itemError{Index: *e.Index, Detail: list})
	}
	return out
}

// postEntry is what a POST's answer says of one created item.
type postEntry struct {
	ID         int64
	Code       string
	RowVersion int64
}

// postEntries reads the per-item entries of a 200 answer: "data" of a
// collection POST, "fields_added" of AddCustomFields; nil if none.
func postEntries(body []byte) []postEntry {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var parsed struct {
		Data        []map[string]any `json:"data"`
		FieldsAdded []map[string]any `json:"fields_added"`
	}
	if dec.Decode(&parsed) != nil {
		return nil
	}
	list := parsed.Data
	if list == nil {
		list = parsed.FieldsAdded
	}
	out := make([]postEntry, len(list))
	for k, m := range list {
		out[k] = entryOf(m)
	}
	return out
}

// entryOf reads id, code and row_version (or the 2023 API's version) from
// a decoded record or answer entry.
func entryOf(m map[string]any) postEntry {
	var e postEntry
	e.ID, _ = IntProp(m, "id")
	if v, ok := IntProp(m, "row_version"); ok {
		e.RowVersion = v
	} else {
		e.RowVersion, _ = IntProp(m, "version")
	}
	switch c := m["code"].(type) {
	case string:
		e.Code = c
	case json.Number:
		e.Code = c.String()
	}
	return e
}
