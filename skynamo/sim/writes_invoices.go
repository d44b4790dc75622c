package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
)

var invoiceItemProps = []wprop{{name: "product_id", t: wInt}, {name: "product_code"},
	{name: "quantity", t: wNumber}, {name: "tax_amount", t: wNumber}, {name: "value", t: wNumber}}

// status is checked by invoiceChanges rather than by an enum: it is written
// in another vocabulary than it reads (FACTS.md errata).
var invoiceProps = []wprop{{name: "date", t: wDate}, {name: "customer_id", t: wInt}, {name: "customer_code"},
	{name: "reference"}, {name: "status"}, {name: "due_date", t: wDate}, {name: "external_id"},
	{name: "tax_inclusion", enum: []string{"Included", "Excluded"}}, {name: "tax", t: wNumber},
	{name: "total", t: wNumber}, {name: "outstanding_balance", t: wNumber}, {name: "currency_code"},
	{name: "currency_rate_to_base", t: wNumber}, {name: "items", t: wObjList, sub: invoiceItemProps}}

var invoiceUpdateProps = append([]wprop{{name: "id", t: wInt}}, invoiceProps...)

var customerAlt = map[string]string{"customer_id": "customer_code"}

var (
	invoicePost   = wdef{name: "InvoicePost", props: invoiceProps, required: []string{"date", "customer_id"}, alts: customerAlt}
	invoicePut    = wdef{name: "InvoicePut", props: invoiceUpdateProps, required: []string{"id", "date", "customer_id"}, alts: customerAlt}
	invoicePatch  = wdef{name: "InvoicePatch", props: invoiceUpdateProps, required: []string{"id"}}
	invoiceDelete = wdef{name: "InvoiceDelete", props: []wprop{{name: "id", t: wInt}}, required: []string{"id"}}
	// By external id: the same definitions, external_id being the key.
	invoiceExtPost   = wdef{name: "InvoicePost", props: invoiceProps, required: []string{"external_id", "date", "customer_id"}, alts: customerAlt}
	invoiceExtPut    = wdef{name: "InvoicePut", props: invoiceUpdateProps, required: []string{"external_id", "date", "customer_id"}, alts: customerAlt}
	invoiceExtPatch  = wdef{name: "InvoicePatch", props: invoiceUpdateProps, required: []string{"external_id"}}
	invoiceExtDelete = wdef{name: "InvoiceExternalDelete", props: []wprop{{name: "external_id"}}, required: []string{"external_id"}}
)

// invoiceWriteStatus maps the write vocabulary of status to the read one.
// NotSpecified and Void have no read counterpart and are refused.
var invoiceWriteStatus = map[string]string{"Paid": "Paid", "OutStanding": "Outstanding", "Deleted": "Deleted"}

const invoiceStatusAllowed = "Paid, OutStanding, Deleted"

// invoiceOps serves /invoices (byExt false: keyed by id) or
// /invoicesbyexternalid (keyed by external_id).
func invoiceOps(byExt bool) map[string]*writeOp {
	post, put, patch, del, scalar := &invoicePost, &invoicePut, &invoicePatch, &invoiceDelete, "id"
	if byExt {
		post, put, patch, del, scalar = &invoiceExtPost, &invoiceExtPut, &invoiceExtPatch, &invoiceExtDelete, "external_id"
	}
	find := func(s *Server, c *collection, it item) (*record, []string) {
		if !byExt {
			return keyed(c, it, "invoice")
		}
		ext, _ := it.str("external_id")
		r := s.st.invoicesByExternalID[ext]
		if r == nil {
			return nil, []string{"no invoice with external id " + strconv.Quote(ext)}
		}
		if id, ok := it.int("id"); ok && id != r.id {
			return nil, []string{fmt.Sprintf("external id %q is invoice %d, not %d", ext, r.id, id)}
		}
		return r, nil
	}
	return map[string]*writeOp{
		"POST": {def: post, verb: "created", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			set, errs := s.invoiceChanges(bt, nil, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: blankInvoice()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				s.applyInvoice(r, set)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: put, verb: "replaced", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			r, errs := find(s, c, it)
			if errs != nil {
				return nil, errs
			}
			set, errs := s.invoiceChanges(bt, r, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				// A replaced invoice keeps its external id unless the
				// item gives another: it is the invoice's natural key.
				old := mustGet(r, "external_id")
				props := blankInvoice()
				for _, k := range []string{"id", "row_version", "last_modified_time", "external_id"} {
					props.set(k, mustGet(r, k))
				}
				r.props = props
				s.applyInvoice(r, set)
				s.reindexInvoice(r, old)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: patch, verb: "updated", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			r, errs := find(s, c, it)
			if errs != nil {
				return nil, errs
			}
			set, errs := s.invoiceChanges(bt, r, it, false)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				old := mustGet(r, "external_id")
				s.applyInvoice(r, set)
				s.reindexInvoice(r, old)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"DELETE": {def: del, verb: "deleted", scalar: scalar, prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := find(s, c, it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				if c.byID[r.id] == r { // the same invoice twice in one request
					s.deleteRecord(c, r)
				}
				return nil
			}, nil
		}},
	}
}

// blankInvoice is an invoice before an item's properties are set. An
// unsent status is the write default NotSpecified, which reads as nothing
// better than Outstanding.
func blankInvoice() obj {
	return obj{{"id", int64(0)}, {"date", nil}, {"customer_id", nil}, {"customer_code", nil},
		{"reference", nil}, {"row_version", int64(0)}, {"last_modified_time", ""},
		{"status", "Outstanding"}, {"due_date", nil}, {"external_id", nil},
		{"tax_inclusion", "Excluded"}, {"tax", 0.0}, {"total", 0.0}, {"outstanding_balance", 0.0},
		{"currency_code", nil}, {"currency_rate_to_base", 1.0}, {"items", []obj{}}}
}

// invoiceChanges checks an item against the store and returns the
// properties to set. r is the invoice replaced or updated (nil for a POST);
// whole says the item replaces all of it (POST and PUT).
func (s *Server) invoiceChanges(bt *batch, r *record, it item, whole bool) (obj, []string) {
	var set obj
	var errs []string
	for _, p := range invoiceProps {
		v, ok := it[p.name]
		if !ok || v == nil {
			continue
		}
		switch p.name {
		case "customer_id", "customer_code", "status", "items":
			continue
		case "external_id":
			if r != nil && mustGet(r, "external_id") == v {
				continue
			}
		}
		set = append(set, kv{p.name, wireValue(p, v)})
	}
	if present(it, "customer_id") || present(it, "customer_code") {
		if cu, err := s.findCustomer(it); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"customer_id", cu.id}, kv{"customer_code", mustGet(cu, "code")})
			if !present(it, "currency_code") && (whole || mustGet(r, "currency_code") == nil) {
				if pl := s.st.cols["pricelists"].byID[toInt64(mustGet(cu, "price_list_id"))]; pl != nil {
					set = append(set, kv{"currency_code", mustGet(pl, "currency_code")})
				}
			}
		}
	}
	if st, ok := it.str("status"); ok {
		if read, ok := invoiceWriteStatus[st]; ok {
			set = append(set, kv{"status", read})
		} else {
			hint := ""
			if st == "Outstanding" {
				hint = " (Outstanding is how it reads; write OutStanding)"
			}
			errs = append(errs, fmt.Sprintf("status %q cannot be written%s; the allowed values are %s", st, hint, invoiceStatusAllowed))
		}
	}
	ext, hasExt := it.str("external_id")
	if hasExt && ext != "" {
		if bt.extIDs == nil {
			bt.extIDs = map[string]bool{}
		}
		if other := s.st.invoicesByExternalID[ext]; other != nil && other != r {
			errs = append(errs, fmt.Sprintf("external_id %q is already used by invoice %d", ext, other.id))
		} else if bt.extIDs[ext] && (r == nil || mustGet(r, "external_id") != ext) {
			errs = append(errs, fmt.Sprintf("external_id %q is given to another invoice in this request", ext))
		}
	}
	if list, ok := it["items"].([]any); ok {
		items := make([]obj, 0, len(list))
		for i, e := range list {
			m := e.(map[string]any)
			at := fmt.Sprintf("items[%d]: ", i)
			var p *record
			switch {
			case m["product_id"] != nil:
				id, _ := m["product_id"].(json.Number).Int64()
				if p = s.st.cols["products"].byID[id]; p == nil {
					errs = append(errs, fmt.Sprintf("%sno product with id %d", at, id))
				}
			case m["product_code"] != nil:
				code := m["product_code"].(string)
				if p = s.productByCode(bt, code); p == nil {
					errs = append(errs, at+"no product with code "+strconv.Quote(code))
				}
			default:
				errs = append(errs, at+"product_id or product_code is required")
			}
			if m["quantity"] == nil {
				errs = append(errs, at+"quantity is required")
			}
			if p == nil || m["quantity"] == nil {
				continue
			}
			num := func(k string) float64 {
				f, _ := m[k].(json.Number).Float64()
				return f
			}
			var tax, value float64
			if m["tax_amount"] != nil {
				tax = num("tax_amount")
			}
			if m["value"] != nil {
				value = num("value")
			}
			items = append(items, obj{{"product_id", p.id}, {"product_code", mustGet(p, "code")},
				{"quantity", num("quantity")}, {"tax_amount", tax}, {"value", value}})
		}
		set = append(set, kv{"items", items})
	}
	if errs != nil {
		return nil, errs
	}
	if hasExt && ext != "" {
		bt.extIDs[ext] = true
	}
	return set, nil
}

func (s *Server) applyInvoice(r *record, set obj) {
	for _, p := range set {
		r.props.set(p.k, p.v)
	}
}

// reindexInvoice keeps /invoicesbyexternalid pointing at r after its
// external_id changed from old.
func (s *Server) reindexInvoice(r *record, old any) {
	if o, ok := old.(string); ok && s.st.invoicesByExternalID[o] == r {
		delete(s.st.invoicesByExternalID, o)
	}
	if v, ok := mustGet(r, "external_id").(string); ok && v != "" {
		s.st.invoicesByExternalID[v] = r
	}
}

func toInt64(v any) int64 {
	n, _ := v.(int64)
	return n
}
