package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ptype is a JSON type of a write definition's property.
type ptype uint8

const (
	wString ptype = iota
	wInt
	wNumber
	wBool
	wDate     // a string holding a date-time
	wObject   // an object of the wprop's sub properties
	wIntList  // an array of integers
	wStrList  // an array of strings
	wFields   // custom_fields: an array of {id, value}
	wNumOrNil // a number, or "" meaning none (a stock level's level)
	wObjList  // an array of objects of the wprop's sub properties
)

var ptypeNames = [...]string{"a string", "an integer", "a number", "true or false", "a date-time string",
	"an object", "an array of integers", "an array of strings", "an array of {\"id\", \"value\"} objects", "a number", "an array of objects"}

// wprop is one property of a write definition.
type wprop struct {
	name string
	t    ptype
	enum []string
	sub  []wprop // wObject's properties
}

// wdef is a write definition of the spec (TaxRatePost, TaskPatch, ...):
// its properties and required list. alts names properties that may stand
// in for a required one (assigned_user_name for assigned_user_id).
type wdef struct {
	name     string
	props    []wprop
	required []string
	alts     map[string]string
}

func (d *wdef) prop(k string) (wprop, bool) {
	for _, p := range d.props {
		if p.name == k {
			return p, true
		}
	}
	return wprop{}, false
}

// item is one decoded element of a write body.
type item map[string]any

// writeOp is one method of a collection path. prepare checks an item against
// the store (ids and codes it names exist) and returns what applying it
// does; apply returns the item's entry of a POST's data (nil otherwise).
// prepare runs under the store's write lock and must not change anything.
type writeOp struct {
	def  *wdef
	verb string // for messages: "created", "replaced", "updated", "deleted"
	// scalar, when set, says the body is an array of bare keys (the ids of
	// an invoice DELETE), each read as an item holding only this property.
	scalar  string
	prepare func(s *Server, c *collection, bt *batch, it item) (apply func() obj, errs []string)
}

// batch is what the items of one request share while they are prepared and
// applied: indexes built on first use (so a request of 10,000 stock levels
// does not scan the store per item) and the codes its items claim.
type batch struct {
	claimed map[string]bool     // customer codes taken by earlier items
	extIDs  map[string]bool     // invoice external ids claimed by earlier items
	codes   map[string]int64    // customer code -> id, as stored
	byCode  map[string]*record  // product code -> product
	keys    map[unitKey]*record // stock level or price key -> record
	taxOf   map[int64]any       // product id -> the tax_rate_id its prices carry
	// productCodes are product codes claimed by earlier items.
	productCodes map[string]bool
	unitID       int64 // the last order unit id handed out; 0 until first use
	// txPrices are prices by product/unit/price list, for transactions.
	txPrices map[string]*record
}

// unitKey is a stock level's or price's key: product id, order unit id and
// the warehouse or price list id (nil for the default warehouse). A struct,
// not a formatted string: a request rebuilds the index over every stock
// level, and formatting 10,000 keys per request would dominate the
// simulator's answer time in write benchmarks.
type unitKey struct{ product, unit, other any }

// readOnlyInPatch are the properties FACTS.md says a PATCH must not send.
var readOnlyInPatch = []string{"row_version", "version", "create_date", "last_modified_time", "tax"}

// writeOps is the table of served writes: collection path -> method -> op.
func writeOps() map[string]map[string]*writeOp {
	return map[string]map[string]*writeOp{
		"taxrates":         refOps(taxRateWrites()),
		"warehouses":       refOps(warehouseWrites()),
		"pricelists":       refOps(priceListWrites()),
		"tasks":            taskOps(),
		"customers":        customerOps(),
		"products":         productOps(),
		"stocklevels":      stockLevelOps(),
		"prices":           priceOps(),
		"visitfrequencies": visitFrequencyOps(),
		"scheduledvisits":  scheduledVisitOps(),
		"contacts":         contactOps(),
		"invoices":         invoiceOps(false),
		"orders":           transactionOrderOps(),
		"quotes":           quoteOps(),
		"creditrequests":   creditRequestOps(),
		"customercomments": customerCommentOps(),
		// Invoices again, keyed by external_id; the same collection.
		"invoicesbyexternalid": invoiceOps(true),
	}
}

// serveWrite answers a write to a collection path.
func (s *Server) serveWrite(w http.ResponseWriter, r *http.Request, ep *endpoint, op *writeOp) {
	var raw []json.RawMessage
	d := json.NewDecoder(r.Body)
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		writeMessage(w, http.StatusBadRequest, "The request body must be a JSON array of "+ep.singular+" items: "+err.Error())
		return
	}
	b := s.behaviour()
	if b.MaxWriteItems > 0 && len(raw) > b.MaxWriteItems {
		writeMessage(w, http.StatusBadRequest, fmt.Sprintf("Too many items: %d sent, at most %d are allowed per request", len(raw), b.MaxWriteItems))
		return
	}
	if len(raw) == 0 {
		writeMessage(w, http.StatusBadRequest, "The request body holds no items")
		return
	}
	type itemErr struct {
		Index  int      `json:"index"`
		Detail []string `json:"detail"`
	}
	var errs []itemErr
	applies := make([]func() obj, len(raw))
	bt := &batch{}

	// Items are decoded before the store is locked: decoding depends on
	// nothing stored, and parallel requests then share the lock only for
	// the work that needs it.
	items := make([]item, len(raw))
	details := make([][]string, len(raw))
	for i, m := range raw {
		if op.scalar != "" {
			items[i], details[i] = decodeScalar(m, op.scalar)
		} else {
			items[i], details[i] = decodeItem(m, op.def, r.Method)
		}
	}

	s.st.mu.Lock()
	c := s.st.cols[ep.name]
	for i, it := range items {
		detail := details[i]
		if len(detail) == 0 {
			applies[i], detail = op.prepare(s, c, bt, it)
		}
		if len(detail) > 0 {
			errs = append(errs, itemErr{Index: i, Detail: detail})
			applies[i] = nil
		}
	}
	var data []obj
	applied := 0
	if len(errs) == 0 || b.ApplyValidOnError {
		for _, apply := range applies {
			if apply == nil {
				continue
			}
			if o := apply(); o != nil {
				data = append(data, o)
			}
			applied++
		}
	}
	if bt.keys != nil && ep.name == "stocklevels" {
		// The apply closures kept bt.keys in step with their changes.
		c.stockKeys, c.stockKeysGen = bt.keys, c.gen
	}
	s.st.mu.Unlock()

	if len(errs) > 0 {
		msg := fmt.Sprintf("%d of %d %s items are invalid; none were saved", len(errs), len(raw), ep.singular)
		if b.ApplyValidOnError {
			msg = fmt.Sprintf("%d of %d %s items are invalid; the other %d were saved", len(errs), len(raw), ep.singular, applied)
		}
		writeBody(w, http.StatusBadRequest, mustJSON(map[string]any{"message": msg, "errors": errs}))
		return
	}
	if applied > 0 && s.commitThenFail(w) {
		return
	}
	msg := fmt.Sprintf("Successfully %s %d %s items", op.verb, applied, ep.singular)
	if r.Method != "POST" {
		writeMessage(w, http.StatusOK, msg)
		return
	}
	body := append([]byte(`{"message":`), mustJSON(msg)...)
	body = append(body, `,"data":`...)
	body = appendValue(body, data, encNulls)
	writeBody(w, http.StatusOK, append(body, '}'))
}

// commitThenFail decides, after a write was saved, whether the client hears
// of it: with Behaviour.CommitThenFail it answers 502 or drops the
// connection instead, so a client that resends duplicates the write.
func (s *Server) commitThenFail(w http.ResponseWriter) bool {
	rate := s.behaviour().CommitThenFail
	if rate <= 0 {
		return false
	}
	s.fs.mu.Lock()
	fail := s.fs.rng.Float64() < rate
	drop := s.fs.rng.IntN(2) == 0
	s.fs.mu.Unlock()
	if !fail {
		return false
	}
	s.fs.committedFailed.Add(1)
	if hj, ok := w.(http.Hijacker); ok && drop {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
	}
	writeMessage(w, http.StatusBadGateway, "Internal server error")
	return true
}

// CommittedThenFailed is the number of writes Behaviour.CommitThenFail saved
// and then answered with a 502 or a dropped connection.
func (s *Server) CommittedThenFailed() int64 { return s.fs.committedFailed.Load() }

// decodeItem checks one body element against def: an object, no unknown or
// read-only properties, the right JSON types and enum values, the required
// properties present.
func decodeItem(m json.RawMessage, def *wdef, method string) (item, []string) {
	var it item
	d := json.NewDecoder(bytes.NewReader(m))
	d.UseNumber()
	if err := d.Decode(&it); err != nil || it == nil {
		return nil, []string{"the item must be a JSON object"}
	}
	var detail []string
	keys := make([]string, 0, len(it))
	for k := range it {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := it[k]
		if method == "PATCH" && slices.Contains(readOnlyInPatch, k) {
			detail = append(detail, k+" is read-only and cannot be sent in a PATCH")
			continue
		}
		p, ok := def.prop(k)
		if !ok {
			detail = append(detail, "unknown property "+strconv.Quote(k)+" for "+def.name)
			continue
		}
		if v == nil {
			if method == "PATCH" {
				detail = append(detail, k+" must not be null (a PATCH cannot clear a value)")
			}
			continue
		}
		if msg := checkType(p, v); msg != "" {
			detail = append(detail, k+" "+msg)
		}
	}
	for _, k := range def.required {
		if present(it, k) || (def.alts[k] != "" && present(it, def.alts[k])) {
			continue
		}
		if alt := def.alts[k]; alt != "" {
			detail = append(detail, k+" or "+alt+" is required")
		} else {
			detail = append(detail, k+" is required")
		}
	}
	return it, detail
}

// decodeScalar reads one element of a body of bare keys: an integer id,
// or an external id (a string; the spec calls it an integer, so a number
// is taken as its text).
func decodeScalar(m json.RawMessage, key string) (item, []string) {
	var v any
	d := json.NewDecoder(bytes.NewReader(m))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, []string{"the item must be a JSON value"}
	}
	switch x := v.(type) {
	case json.Number:
		if _, err := x.Int64(); err != nil {
			return nil, []string{key + " must be an integer, not " + x.String()}
		}
		if key == "external_id" {
			return item{key: x.String()}, nil
		}
		return item{key: x}, nil
	case string:
		if key == "external_id" && x != "" {
			return item{key: x}, nil
		}
	}
	what := "an integer id"
	if key == "external_id" {
		what = "an external id (a string)"
	}
	return nil, []string{"the item must be " + what + ", not " + jsonKind(v)}
}

func present(it item, k string) bool {
	v, ok := it[k]
	return ok && v != nil
}

func checkType(p wprop, v any) string {
	bad := func() string { return fmt.Sprintf("must be %s, not %s", ptypeNames[p.t], jsonKind(v)) }
	switch p.t {
	case wString, wDate:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if p.t == wDate {
			if _, err := parseWriteTime(s); err != nil {
				return "must be a date-time such as 2026-03-02T09:30:00+02:00, not " + strconv.Quote(s)
			}
		}
		if p.enum != nil && !slices.Contains(p.enum, s) {
			return fmt.Sprintf("must be one of %s, not %q", strings.Join(p.enum, ", "), s)
		}
	case wInt:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		if _, err := n.Int64(); err != nil {
			return "must be an integer, not " + n.String()
		}
	case wNumber:
		if _, ok := v.(json.Number); !ok {
			return bad()
		}
	case wBool:
		if _, ok := v.(bool); !ok {
			return bad()
		}
	case wNumOrNil:
		if s, ok := v.(string); ok && s == "" {
			return ""
		}
		if _, ok := v.(json.Number); !ok {
			return "must be a number or \"\", not " + jsonKind(v)
		}
	case wObject:
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var msgs []string
		for _, k := range keys {
			i := slices.IndexFunc(p.sub, func(q wprop) bool { return q.name == k })
			if i < 0 {
				msgs = append(msgs, "has unknown property "+strconv.Quote(k))
			} else if m[k] != nil {
				if msg := checkType(p.sub[i], m[k]); msg != "" {
					msgs = append(msgs, k+" "+msg)
				}
			}
		}
		return strings.Join(msgs, "; ")
	case wObjList:
		a, ok := v.([]any)
		if !ok {
			return bad()
		}
		for i, e := range a {
			if msg := checkType(wprop{t: wObject, sub: p.sub}, e); msg != "" {
				return fmt.Sprintf("[%d] %s", i, msg)
			}
		}
	case wIntList, wStrList:
		a, ok := v.([]any)
		if !ok {
			return bad()
		}
		elem := wprop{t: wInt}
		if p.t == wStrList {
			elem.t = wString
		}
		for i, e := range a {
			if msg := checkType(elem, e); msg != "" {
				return fmt.Sprintf("[%d] %s", i, msg)
			}
		}
	case wFields:
		a, ok := v.([]any)
		if !ok {
			return bad()
		}
		for i, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				return fmt.Sprintf("[%d] must be an object, not %s", i, jsonKind(e))
			}
			for k, x := range m {
				switch k {
				case "id":
					if msg := checkType(wprop{t: wInt}, x); msg != "" {
						return fmt.Sprintf("[%d].id %s", i, msg)
					}
				case "name", "value":
					if msg := checkType(wprop{}, x); msg != "" {
						return fmt.Sprintf("[%d].%s %s (custom field values are strings on the wire)", i, k, msg)
					}
				default:
					return fmt.Sprintf("[%d] has unknown property %q (a custom field takes id and value)", i, k)
				}
			}
			if _, ok := m["id"]; !ok {
				return fmt.Sprintf("[%d] has no id", i)
			}
			if _, ok := m["value"]; !ok {
				return fmt.Sprintf("[%d] has no value", i)
			}
		}
	}
	return ""
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "the number " + v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// parseWriteTime reads a date-time as the API accepts it: RFC 3339, or
// without an offset (the instance's time zone).
func parseWriteTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(instanceZone), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, instanceZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time")
}

// Accessors for checked items: decodeItem has vetted the types.
func (it item) str(k string) (string, bool) {
	v, ok := it[k].(string)
	return v, ok
}

func (it item) int(k string) (int64, bool) {
	n, ok := it[k].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := n.Int64()
	return v, err == nil
}

func (it item) num(k string) (float64, bool) {
	n, ok := it[k].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := n.Float64()
	return v, err == nil
}

// wireValue converts a checked item value to what a record stores.
func wireValue(p wprop, v any) any {
	switch v := v.(type) {
	case json.Number:
		if p.t == wInt {
			n, _ := v.Int64()
			return n
		}
		f, _ := v.Float64()
		return f
	case string:
		if p.t == wDate {
			t, _ := parseWriteTime(v)
			return formatTime(t)
		}
	case map[string]any:
		o := make(obj, 0, len(p.sub))
		for _, q := range p.sub {
			x := v[q.name]
			if x != nil {
				x = wireValue(q, x)
			}
			o = append(o, kv{q.name, x})
		}
		return o
	case []any:
		if p.t == wObjList {
			out := make([]obj, len(v))
			for i, e := range v {
				out[i] = wireValue(wprop{t: wObject, sub: p.sub}, e).(obj)
			}
			return out
		}
		if p.t == wIntList {
			out := make([]int64, len(v))
			for i, e := range v {
				out[i], _ = e.(json.Number).Int64()
			}
			return out
		}
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = e.(string)
		}
		return out
	}
	return v
}

// stampChange gives r a fresh last_modified_time and, where it has one, a
// row_version from the instance-wide counter; callers hold the write lock.
func (s *Server) stampChange(c *collection, r *record) {
	t := s.st.changeTime(s.clock(), s.opts.Now)
	if _, ok := r.props.get("row_version"); ok {
		r.props.set("row_version", s.st.nextRowVersion())
	}
	c.setModified(r, t)
	c.changed(r)
}

// keyed finds the record an update names by id.
func keyed(c *collection, it item, singular string) (*record, []string) {
	id, ok := it.int("id")
	if !ok {
		return nil, []string{"id is required"}
	}
	r := c.byID[id]
	if r == nil {
		return nil, []string{fmt.Sprintf("no %s with id %d", singular, id)}
	}
	return r, nil
}

// postResult is a POST's data entry: the fields the entity has.
func postResult(r *record) obj {
	o := obj{{"id", r.id}}
	if v, ok := r.props.get("code"); ok {
		o = append(o, kv{"code", v})
	}
	if v, ok := r.props.get("row_version"); ok {
		o = append(o, kv{"row_version", v})
	}
	return o
}
