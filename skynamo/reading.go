package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reader hands out decoded records: it syncs an entity when its cache is
// stale, decodes it with the instance's custom field schema, and completes
// transactions with their rep and form values. It is what the Lua reader
// module calls, but it knows nothing of Lua, so Go programs and tests can
// read the same way.
type Reader struct {
	sync *Syncer
	logf func(string, ...any)

	mu     sync.Mutex
	schema *Schema

	refreshMu  sync.Mutex
	refreshAll bool            // the host's --refresh: pull each entity once this run
	refreshed  map[string]bool // entities already pulled under refreshAll
	offline    bool            // the host's --offline: the cache only, no request
	told       map[string]bool // entities whose age offline mode has reported

	countMu sync.Mutex
	pulled  map[string]int // records each entity's pulls received this run
	served  atomic.Int64   // records handed out that this run did not pull (Served)
}

// NewReader reads through s; logf (nil = silent) hears about incomplete
// transactions and values kept as text.
func NewReader(s *Syncer, logf func(string, ...any)) *Reader {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Reader{sync: s, logf: logf}
}

// RefreshAll makes the first read of every entity pull even when its cache
// is fresh; later reads in the same run use what that pull brought, so a
// script that reads orders and quotes pulls interactions once, not twice.
func (r *Reader) RefreshAll() {
	r.refreshMu.Lock()
	defer r.refreshMu.Unlock()
	r.refreshAll = true
	r.refreshed = map[string]bool{}
}

// Offline makes every read come from the cache alone, without a request;
// the first read of each entity says how old its records are, since a
// report built on a week-old cache should say so.
func (r *Reader) Offline() {
	r.refreshMu.Lock()
	defer r.refreshMu.Unlock()
	r.offline = true
	r.told = map[string]bool{}
}

// records syncs one entity as needed and returns its cached raw records.
func (r *Reader) records(ctx context.Context, entity string, refresh bool) ([]json.RawMessage, error) {
	r.refreshMu.Lock()
	if r.offline {
		first := !r.told[entity]
		r.told[entity] = true
		r.refreshMu.Unlock()
		recs, state, err := r.sync.Cached(entity)
		if err != nil {
			return nil, err
		}
		if first {
			note := ""
			if !state.Complete {
				note = " (an incomplete pull)"
			}
			r.logf("offline: %s from the cache, %s records pulled %s ago%s", entity, Thousands(int64(len(recs))), time.Since(state.PulledAt).Round(time.Second), note)
		}
		return recs, nil
	}
	if r.refreshAll && !r.refreshed[entity] {
		refresh = true
		r.refreshed[entity] = true
	}
	r.refreshMu.Unlock()
	recs, res, err := r.sync.recordsResult(ctx, entity, refresh)
	if res.Received > 0 {
		r.countMu.Lock()
		if r.pulled == nil {
			r.pulled = map[string]int{}
		}
		r.pulled[entity] += res.Received
		r.countMu.Unlock()
	}
	return recs, err
}

// handed counts n records of entity given to the caller (Read, ReadEach):
// those beyond what this run pulled of the entity came from the cache.
// The records an incremental pull received are among those handed out,
// so only the rest are counted; which ones exactly is not tracked, but
// the count is the same. Records read internally (the interactions and
// forms joined into orders, the schema, a writer's key lookups) are not
// handed to anyone and are not counted.
func (r *Reader) handed(entity string, n int) {
	r.countMu.Lock()
	defer r.countMu.Unlock()
	r.served.Add(int64(max(0, n-r.pulled[entity])))
}

// Served is how many records Read and ReadEach handed out that this run
// did not pull: from a fresh cache, the part of an incremental pull that
// did not change, or --offline. A record read twice counts twice, unless
// this run pulled it. With Syncer.Received, what a host's end-of-run
// summary reports as pulled versus served from the cache.
func (r *Reader) Served() int64 { return r.served.Load() }

// Syncer is the syncer the reader pulls through.
func (r *Reader) Syncer() *Syncer { return r.sync }

// ReadOptions tune one Read.
type ReadOptions struct {
	// Refresh pulls even when the cache is younger than the refresh interval.
	Refresh bool
	// Form keeps only completed forms of this form (name or id); only for
	// completed_forms.
	Form string
	// Project, with ReadEach, decodes only what it names (entities that
	// are neither transactions nor completed forms).
	Project *Projection
}

// Schema returns the instance's custom field schema, pulled once per Reader
// (and again when refresh is set).
func (r *Reader) Schema(ctx context.Context, refresh bool) (*Schema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.schema != nil && !refresh {
		return r.schema, nil
	}
	raw, err := r.records(ctx, "form_definitions", refresh)
	if err != nil {
		return nil, err
	}
	s, err := ParseSchema(raw)
	if err != nil {
		return nil, fmt.Errorf("form definitions: %w", err)
	}
	r.schema = s
	return s, nil
}

// Fields returns the custom fields records of entity carry (nil for
// entities without custom fields).
func (r *Reader) Fields(ctx context.Context, entity string) (*FieldSet, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return nil, err
	}
	if !hasCustomFields(e.Name) {
		return nil, nil
	}
	s, err := r.Schema(ctx, false)
	if err != nil {
		return nil, err
	}
	fs, _ := s.ForEntity(e.Name)
	return fs, nil
}

func hasCustomFields(entity string) bool {
	if _, ok := EntityFormType(entity); ok {
		return true
	}
	return entity == "customers" || entity == "products"
}

// Read returns every record of entity, decoded. A pull that stopped early
// (quota, network) returns its error and no records: the pages it did get
// stay in the cache and the next run resumes from them, but a script must
// not mistake a partial list for the whole.
func (r *Reader) Read(ctx context.Context, entity string, opt ReadOptions) ([]Record, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return nil, err
	}
	recs, err := r.read(ctx, e.Name, opt)
	if err == nil {
		r.handed(e.Name, len(recs))
	}
	return recs, err
}

// read is Read without counting what it hands out.

func (r *Reader) read(ctx context.Context, entity string, opt ReadOptions) ([]Record, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return nil, err
	}
	if opt.Form != "" && e.Name != "completed_forms" {
		return nil, fmt.Errorf("the form option is only for completed_forms, not %s", e.Name)
	}
	if formType, ok := EntityFormType(e.Name); ok {
		return r.readTransactions(ctx, e.Name, formType, opt.Refresh)
	}
	var form *Form
	if opt.Form != "" {
		// The name is checked against the form definitions before the
		// completed forms are pulled: a typo costs no pull.
		s, err := r.Schema(ctx, opt.Refresh)
		if err != nil {
			return nil, err
		}
		if form, err = findForm(s, opt.Form); err != nil {
			return nil, err
		}
	}
	raw, err := r.records(ctx, e.Name, opt.Refresh)
	if err != nil {
		return nil, err
	}
	switch e.Name {
	case "completed_forms":
		s, err := r.Schema(ctx, opt.Refresh)
		if err != nil {
			return nil, err
		}
		recs, err := DecodeCompletedForms(raw, s)
		if err != nil {
			return nil, err
		}
		if form != nil {
			return onlyForm(recs, form), nil
		}
		return recs, nil
	case "customers", "products":
		s, err := r.Schema(ctx, opt.Refresh)
		if err != nil {
			return nil, err
		}
		fs, _ := s.ForEntity(e.Name)
		return r.decode(e.Name, raw, fs)
	}
	if CustomFieldsArePlain(e.Name) {
		return DecodePlain(raw, nil)
	}
	return DecodeRecords(raw, nil)
}

// readChunk is how many records ReadEach decodes before handing them on:
// enough to keep every core busy, few enough that their Go maps are a small
// fraction of what the caller builds from them.
const readChunk = 4096

// ReadEach is Read for callers that convert records into something else
// (Lua tables): fn receives the records in order, a chunk at a time, and
// only one chunk's decoded Go maps are alive at once, so 100,000 customers
// never exist twice in memory. Transactions and completed forms, which are
// joined or filtered as a whole, arrive in one chunk.
func (r *Reader) ReadEach(ctx context.Context, entity string, opt ReadOptions, fn func([]Record)) error {
	e, err := LookupEntity(entity)
	if err != nil {
		return err
	}
	if _, tx := EntityFormType(e.Name); tx || e.Name == "completed_forms" || opt.Form != "" {
		recs, err := r.Read(ctx, e.Name, opt)
		if err != nil {
			return err
		}
		fn(recs)
		return nil
	}
	raw, err := r.records(ctx, e.Name, opt.Refresh)
	if err != nil {
		return err
	}
	var fs *FieldSet
	if hasCustomFields(e.Name) {
		s, err := r.Schema(ctx, opt.Refresh)
		if err != nil {
			return err
		}
		fs, _ = s.ForEntity(e.Name)
	}
	given := 0
	defer func() { r.handed(e.Name, given) }()
	warned, first := 0, ""
	for start := 0; start < len(raw); start += readChunk {
		end := min(start+readChunk, len(raw))
		var recs []Record
		if CustomFieldsArePlain(e.Name) {
			recs, err = DecodePlain(raw[start:end], opt.Project)
		} else {
			recs, err = DecodeProjected(raw[start:end], fs, opt.Project)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		for _, rec := range recs {
			if len(rec.Warnings) > 0 {
				if warned == 0 {
					first = rec.Warnings[0]
				}
				warned++
			}
		}
		fn(recs)
		given += len(recs)
	}
	if warned > 0 {
		r.logf("%s: %d record(s) have values kept as text, e.g. %s", e.Name, warned, first)
	}
	return nil
}

func (r *Reader) decode(entity string, raw []json.RawMessage, fs *FieldSet) ([]Record, error) {
	recs, err := DecodeRecords(raw, fs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", entity, err)
	}
	r.reportWarnings(entity, recs)
	return recs, nil
}

// reportWarnings says once per read how many records kept a value as text,
// with the first reason, instead of one line per record.
func (r *Reader) reportWarnings(entity string, recs []Record) {
	n, first := 0, ""
	for _, rec := range recs {
		if len(rec.Warnings) > 0 {
			if n == 0 {
				first = rec.Warnings[0]
			}
			n++
		}
	}
	if n > 0 {
		r.logf("%s: %d record(s) have values kept as text, e.g. %s", entity, n, first)
	}
}

// readTransactions reads orders, quotes or credit requests together with
// the interactions and completed forms that hold their rep and form values.
func (r *Reader) readTransactions(ctx context.Context, entity, formType string, refresh bool) ([]Record, error) {
	s, err := r.Schema(ctx, refresh)
	if err != nil {
		return nil, err
	}
	raw := map[string][]json.RawMessage{}
	for _, name := range []string{entity, "interactions", "completed_forms"} {
		recs, err := r.records(ctx, name, refresh)
		if err != nil {
			return nil, err
		}
		raw[name] = recs
	}
	fs := s.Transactions(formType)
	txs, err := DecodeRecords(raw[entity], fs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", entity, err)
	}
	interactions, err := DecodeRecords(raw["interactions"], nil)
	if err != nil {
		return nil, fmt.Errorf("interactions: %w", err)
	}
	forms, err := DecodeCompletedForms(raw["completed_forms"], s)
	if err != nil {
		return nil, fmt.Errorf("completed forms: %w", err)
	}
	if incomplete := JoinTransactions(entity, txs, interactions, forms, fs); incomplete > 0 {
		r.logf("%s: %d of %d are incomplete (their interaction or forms are not synced yet)", entity, incomplete, len(txs))
	}
	r.reportWarnings(entity, txs)
	return txs, nil
}

// findForm finds a form by id or name: the first by id with exactly this
// name, else the first whose name differs only in case.
func findForm(s *Schema, form string) (*Form, error) {
	if id, err := strconv.ParseInt(form, 10, 64); err == nil {
		if f := s.Form(id); f != nil {
			return f, nil
		}
	}
	var names []string
	var exact, folded *Form
	for _, f := range s.Forms {
		switch {
		case exact == nil && f.Name == form:
			exact = f
		case folded == nil && strings.EqualFold(f.Name, form):
			folded = f
		}
		names = append(names, f.Name)
	}
	if exact != nil {
		return exact, nil
	}
	if folded != nil {
		return folded, nil
	}
	return nil, fmt.Errorf("no form is named %q%s", form, didYouMean(SuggestNames(form, names, 3)))
}

// onlyForm keeps the completed forms of want.
func onlyForm(recs []Record, want *Form) []Record {
	out := make([]Record, 0, len(recs)/4)
	for _, rec := range recs {
		if id, ok := IntProp(rec.Props, "form_id"); ok && id == want.ID {
			out = append(out, rec)
		}
	}
	return out
}

// List pulls every page of any list endpoint (path like "/orderstatuses"),
// uncached, for the endpoints the reader has no function of its own for.
func (r *Reader) List(ctx context.Context, path string, q ListQuery) ([]Record, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	raw, _, err := r.sync.Client().ListAll(ctx, path, q)
	if err != nil {
		return nil, err
	}
	for _, e := range Entities() {
		if e.Path == strings.TrimRight(path, "/") && CustomFieldsArePlain(e.Name) {
			return DecodePlain(raw, nil)
		}
	}
	return DecodeRecords(raw, nil)
}

func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "; did you mean " + quotedList(names, "or") + "?"
}

// Raw returns an entity's records as cached, pulled first as Read would
// (or, offline, from the cache as it is): for callers that look up a few
// records among many without decoding them all.
func (r *Reader) Raw(ctx context.Context, entity string) ([]json.RawMessage, error) {
	if _, err := LookupEntity(entity); err != nil {
		return nil, err
	}
	return r.records(ctx, entity, false)
}
