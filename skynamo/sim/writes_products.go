package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

var orderUnitProps = []wprop{{name: "id", t: wInt}, {name: "name"}, {name: "multiplier", t: wNumber},
	{name: "active", t: wBool}, {name: "minimum_order_quantity", t: wInt},
	{name: "packaging_option", t: wObject, sub: []wprop{{name: "inner", t: wInt}, {name: "outer", t: wInt}, {name: "pallet", t: wInt}}}}

var productProps = []wprop{{name: "code"}, {name: "name"}, {name: "active", t: wBool},
	{name: "order_units", t: wObjList, sub: orderUnitProps}, {name: "custom_fields", t: wFields}}

// PUT and PATCH also take transaction_id, which no record carries: it is
// checked for type and otherwise ignored, as for customers.
var productUpdateProps = append(append([]wprop{{name: "id", t: wInt}}, productProps...),
	wprop{name: "transaction_id", t: wInt}, wprop{name: "files", t: wStrList})

var (
	productPost = wdef{name: "ProductPost", props: productProps, required: []string{"name"}}
	// As for customers, a PUT without a name would leave a product that
	// cannot be shown, so the simulator requires one.
	productPut = wdef{name: "ProductPut", props: productUpdateProps, required: []string{"id", "name"}}
	// The spec: code is "required if you do not specify id".
	productPatch = wdef{name: "ProductPatch", props: productUpdateProps, required: []string{"id"},
		alts: map[string]string{"id": "code"}}
)

func productOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &productPost, verb: "created", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			ch, errs := s.productChanges(bt, nil, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: s.blankProduct()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				r.props.set("code", "P"+strconv.FormatInt(r.id, 10)) // generated when none is given
				s.applyProduct(bt, r, ch)
				s.place(c, r)
				s.indexProduct(bt, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &productPut, verb: "replaced", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "product")
			if errs != nil {
				return nil, errs
			}
			ch, errs := s.productChanges(bt, r, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := s.blankProduct()
				for _, k := range []string{"id", "code", "row_version", "last_modified_time"} {
					props.set(k, mustGet(r, k))
				}
				if !present(it, "order_units") { // a product always has a unit
					props.set("order_units", mustGet(r, "order_units"))
				}
				r.props = props
				s.applyProduct(bt, r, ch)
				s.stampChange(c, r)
				s.indexProduct(bt, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &productPatch, verb: "updated", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			var r *record
			if present(it, "id") {
				var errs []string
				if r, errs = keyed(c, it, "product"); errs != nil {
					return nil, errs
				}
			} else {
				code, _ := it.str("code")
				if r = s.productByCode(bt, code); r == nil {
					return nil, []string{"no product with code " + strconv.Quote(code)}
				}
				// Keyed by code: the code names the product, it is not changed.
				it = maps(it, "code")
			}
			ch, errs := s.productChanges(bt, r, it, false)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				s.applyProduct(bt, r, ch)
				s.stampChange(c, r)
				s.indexProduct(bt, r)
				return nil
			}, nil
		}},
	}
}

// maps is a copy of it without the keys named.
func maps(it item, drop ...string) item {
	out := make(item, len(it))
	for k, v := range it {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

// blankProduct is a new product before an item's properties are set: one
// "Each" unit (given its id when applied), every product field unset.
func (s *Server) blankProduct() obj {
	form := s.formFields(formProduct)
	fields := make([]customField, len(form))
	for i, f := range form {
		fields[i] = customField{id: f.id, name: f.name}
	}
	return obj{{"id", int64(0)}, {"row_version", int64(0)}, {"code", nil}, {"name", ""}, {"active", true},
		{"order_units", []obj(nil)}, {"last_modified_time", ""}, {"custom_fields", fields}, {"files", []string{}}}
}

// productChange is what a checked product item does.
type productChange struct {
	set    obj
	units  []obj // the new order_units; a unit with id 0 gets a fresh one
	hasU   bool
	fields map[int64]string
}

// productChanges checks an item against the store. r is the product being
// replaced or updated (nil for a POST); whole says the item replaces all of
// it. Order units: a unit with an id must be one of the product's; a unit
// without one whose name the product already has is that unit; any other is
// new. PUT and POST give the whole list; a PATCH's units change or add to
// the product's, leaving the others.
func (s *Server) productChanges(bt *batch, r *record, it item, whole bool) (productChange, []string) {
	var ch productChange
	var errs []string
	for _, p := range productProps {
		if v, ok := it[p.name]; ok && v != nil && (p.name == "name" || p.name == "active" || p.name == "code") {
			ch.set = append(ch.set, kv{p.name, wireValue(p, v)})
		}
	}
	if code, ok := it.str("code"); ok {
		if code == "" {
			errs = append(errs, "code must not be empty")
		} else if other := s.productByCode(bt, code); other != nil && other != r {
			errs = append(errs, fmt.Sprintf("code %q is already used by product %d", code, other.id))
		} else if bt.productCodes[code] && (r == nil || mustGet(r, "code") != code) {
			errs = append(errs, fmt.Sprintf("code %q is given to another product in this request", code))
		}
	}
	if list, ok := it["order_units"].([]any); ok {
		ch.hasU = true
		var cur []obj
		if r != nil {
			cur, _ = mustGet(r, "order_units").([]obj)
		}
		if !whole {
			for _, u := range cur {
				ch.units = append(ch.units, slices.Clone(u))
			}
		}
		seen := map[string]bool{}
		for i, e := range list {
			m := e.(map[string]any)
			at := fmt.Sprintf("order_units[%d]: ", i)
			var base obj
			name, hasName := m["name"].(string)
			if m["id"] != nil {
				id, _ := m["id"].(json.Number).Int64()
				j := slices.IndexFunc(cur, func(u obj) bool { return u.must("id") == id })
				if j < 0 {
					errs = append(errs, fmt.Sprintf("%sthe product has no order unit with id %d", at, id))
					continue
				}
				base = cur[j]
			} else if hasName {
				if j := slices.IndexFunc(cur, func(u obj) bool { return u.must("name") == name }); j >= 0 {
					base = cur[j]
				}
			}
			if base == nil && (!hasName || name == "") {
				errs = append(errs, at+"a new order unit needs a name")
				continue
			}
			u := obj{{"id", int64(0)}, {"name", ""}, {"multiplier", 1.0}, {"active", true},
				{"minimum_order_quantity", int64(1)}, {"packaging_option", nil}}
			if base != nil {
				u = slices.Clone(base)
			}
			for _, p := range orderUnitProps {
				if v := m[p.name]; v != nil && p.name != "id" {
					u.set(p.name, wireValue(p, v))
				}
			}
			if f, _ := u.must("multiplier").(float64); f <= 0 {
				errs = append(errs, fmt.Sprintf("%smultiplier must be more than 0, not %g", at, f))
			}
			n := u.must("name").(string)
			if seen[n] {
				errs = append(errs, fmt.Sprintf("%sorder unit %q is given twice", at, n))
			}
			seen[n] = true
			if k := slices.IndexFunc(ch.units, func(x obj) bool { return x.must("id") == u.must("id") && u.must("id") != int64(0) }); k >= 0 {
				ch.units[k] = u
			} else if k := slices.IndexFunc(ch.units, func(x obj) bool { return x.must("name") == n }); k >= 0 && !whole {
				ch.units[k] = u
			} else {
				ch.units = append(ch.units, u)
			}
		}
		if len(list) == 0 && whole {
			errs = append(errs, "order_units must hold at least one unit")
		}
		names := map[string]bool{}
		for _, u := range ch.units {
			n := u.must("name").(string)
			if names[n] {
				errs = append(errs, fmt.Sprintf("order unit %q would appear twice on the product", n))
			}
			names[n] = true
		}
	}
	fields, ferrs := s.checkCustomFields(formProduct, it, whole)
	errs = append(errs, ferrs...)
	if errs != nil {
		return productChange{}, errs
	}
	ch.fields = fields
	if code, ok := it.str("code"); ok {
		if bt.productCodes == nil {
			bt.productCodes = map[string]bool{}
		}
		bt.productCodes[code] = true
	}
	return ch, nil
}

func (s *Server) applyProduct(bt *batch, r *record, ch productChange) {
	for _, p := range ch.set {
		r.props.set(p.k, p.v)
	}
	units := ch.units
	if cur, _ := mustGet(r, "order_units").([]obj); !ch.hasU && len(cur) == 0 {
		units = []obj{{{"id", int64(0)}, {"name", "Each"}, {"multiplier", 1.0}, {"active", true},
			{"minimum_order_quantity", int64(1)}, {"packaging_option", nil}}}
	}
	if units != nil {
		for _, u := range units {
			if u.must("id") == int64(0) {
				u.set("id", s.nextUnitID(bt))
			}
		}
		r.props.set("order_units", units)
	}
	setCustomFields(r, ch.fields, s.formFields(formProduct))
}

// nextUnitID is a fresh order unit id: above every unit of every product.
func (s *Server) nextUnitID(bt *batch) int64 {
	if bt.unitID == 0 {
		for _, p := range s.st.cols["products"].records {
			units, _ := mustGet(p, "order_units").([]obj)
			for _, u := range units {
				bt.unitID = max(bt.unitID, toInt64(u.must("id")))
			}
		}
	}
	bt.unitID++
	return bt.unitID
}

// indexProduct keeps the batch's code index right after r was written.
func (s *Server) indexProduct(bt *batch, r *record) {
	if bt.byCode == nil {
		return // built from the store on first use
	}
	for k, v := range bt.byCode {
		if v == r {
			delete(bt.byCode, k)
		}
	}
	if code, ok := mustGet(r, "code").(string); ok {
		bt.byCode[code] = r
	}
}

// setCustomFields writes values by field id onto r's custom_fields; a field
// the record lacks (one AddCustomFields added since) is added under its
// form's name, in the form's order.
func setCustomFields(r *record, vals map[int64]string, form []formField) {
	if len(vals) == 0 {
		return
	}
	cur, _ := mustGet(r, "custom_fields").([]customField)
	out := slices.Clone(cur)
	for _, f := range form {
		v, ok := vals[f.id]
		if !ok {
			continue
		}
		if i := slices.IndexFunc(out, func(x customField) bool { return x.id == f.id }); i >= 0 {
			out[i].value = v
		} else {
			out = append(out, customField{id: f.id, name: f.name, value: v})
		}
	}
	r.props.set("custom_fields", out)
}
