package sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

var customerProps = []wprop{{name: "code"}, {name: "name"}, {name: "active", t: wBool},
	{name: "location", t: wObject, sub: []wprop{{name: "latitude", t: wNumber}, {name: "longitude", t: wNumber},
		{name: "accuracy", t: wNumber}, {name: "is_approximate", t: wBool}}},
	{name: "default_discount", t: wNumber}, {name: "price_list_id", t: wInt}, {name: "price_list_name"},
	{name: "assigned_users", t: wIntList}, {name: "default_warehouse_id", t: wInt},
	{name: "custom_fields", t: wFields}}

// PUT and PATCH also take transaction_id, which the spec leaves unexplained
// and no record carries: it is checked for type and otherwise ignored.
var customerUpdateProps = append(append([]wprop{{name: "id", t: wInt}}, customerProps...),
	wprop{name: "transaction_id", t: wInt}, wprop{name: "files", t: wStrList})

var (
	customerPost = wdef{name: "CustomerPost", props: customerProps, required: []string{"name"}}
	// The spec requires only id; a PUT replaces the whole customer, and one
	// without a name cannot be shown, so the simulator requires it too.
	customerPut   = wdef{name: "CustomerPut", props: customerUpdateProps, required: []string{"id", "name"}}
	customerPatch = wdef{name: "CustomerPatch", props: customerUpdateProps, required: []string{"id"}}
)

func customerOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &customerPost, verb: "created", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			set, fields, errs := s.customerChanges(c, bt, nil, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: s.blankCustomer()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				s.applyCustomer(r, set, fields)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &customerPut, verb: "replaced", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "customer")
			if errs != nil {
				return nil, errs
			}
			set, fields, errs := s.customerChanges(c, bt, r, it, true)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := s.blankCustomer()
				for _, k := range []string{"id", "row_version", "last_modified_time", "create_date"} {
					props.set(k, mustGet(r, k))
				}
				r.props = props
				s.applyCustomer(r, set, fields)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &customerPatch, verb: "updated", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "customer")
			if errs != nil {
				return nil, errs
			}
			set, fields, errs := s.customerChanges(c, bt, r, it, false)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				s.applyCustomer(r, set, fields)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
	}
}

// blankCustomer is a new customer before an item's properties are set: the
// first active price list, every custom field of the customer form unset.
func (s *Server) blankCustomer() obj {
	var plID, plName any
	for _, r := range s.st.cols["pricelists"].records {
		if mustGet(r, "active") == true {
			plID, plName = r.id, mustGet(r, "name")
			break
		}
	}
	form := s.formFields(formCustomer)
	fields := make([]customField, len(form))
	for i, f := range form {
		fields[i] = customField{id: f.id, name: f.name}
	}
	return obj{{"id", int64(0)}, {"code", nil}, {"name", ""}, {"active", true}, {"location", nil},
		{"price_list_id", plID}, {"price_list_name", plName}, {"assigned_users", []int64{}},
		{"default_discount", nil}, {"default_warehouse_id", nil}, {"default_warehouse_name", nil},
		{"row_version", int64(0)}, {"last_modified_time", ""}, {"create_date", ""},
		{"custom_fields", fields}, {"files", []string{}}}
}

// customerChanges checks an item against the store and returns the
// properties to set and the custom field values to write. r is the
// customer being replaced or updated (nil for a POST); whole says every
// required custom field must be given (POST and PUT).
func (s *Server) customerChanges(c *collection, bt *batch, r *record, it item, whole bool) (obj, map[int64]string, []string) {
	var set obj
	var errs []string
	def := &customerPatch
	for _, p := range def.props {
		v, ok := it[p.name]
		if !ok || v == nil {
			continue
		}
		switch p.name {
		case "id", "transaction_id", "custom_fields", "price_list_id", "price_list_name", "default_warehouse_id":
			continue
		}
		set = append(set, kv{p.name, wireValue(p, v)})
	}
	if code, ok := it.str("code"); ok && code != "" {
		if bt.codes == nil {
			bt.codes = make(map[string]int64, len(c.records))
			bt.claimed = make(map[string]bool)
			for _, x := range c.records {
				if v, ok := mustGet(x, "code").(string); ok && v != "" {
					bt.codes[v] = x.id
				}
			}
		}
		if id, taken := bt.codes[code]; taken && (r == nil || id != r.id) {
			errs = append(errs, fmt.Sprintf("code %q is already used by customer %d", code, id))
		} else if bt.claimed[code] {
			errs = append(errs, fmt.Sprintf("code %q is given to another customer in this request", code))
		}
	}
	if present(it, "price_list_id") || present(it, "price_list_name") {
		if pl, err := s.findPriceList(it); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"price_list_id", pl.id}, kv{"price_list_name", mustGet(pl, "name")})
		}
	}
	if id, ok := it.int("default_warehouse_id"); ok {
		if w := s.st.cols["warehouses"].byID[id]; w == nil {
			errs = append(errs, fmt.Sprintf("no warehouse with id %d", id))
		} else {
			set = append(set, kv{"default_warehouse_id", id}, kv{"default_warehouse_name", mustGet(w, "name")})
		}
	}
	if v, ok := it["assigned_users"].([]any); ok {
		users := s.st.cols["users"]
		for _, e := range v {
			if id, _ := e.(json.Number).Int64(); users.byID[id] == nil {
				errs = append(errs, fmt.Sprintf("assigned_users: no user with id %d", id))
			}
		}
	}
	fields, ferrs := s.checkCustomFields(formCustomer, it, whole)
	errs = append(errs, ferrs...)
	if errs != nil {
		return nil, nil, errs
	}
	if code, ok := it.str("code"); ok && code != "" {
		bt.claimed[code] = true
	}
	return set, fields, nil
}

func (s *Server) applyCustomer(r *record, set obj, fields map[int64]string) {
	for _, p := range set {
		r.props.set(p.k, p.v)
	}
	setCustomFields(r, fields, s.formFields(formCustomer))
}

// findPriceList resolves price_list_id or price_list_name; given both, they
// must name the same list.
func (s *Server) findPriceList(it item) (*record, string) {
	c := s.st.cols["pricelists"]
	name, hasName := it.str("price_list_name")
	if id, ok := it.int("price_list_id"); ok {
		r := c.byID[id]
		if r == nil {
			return nil, fmt.Sprintf("no price list with id %d", id)
		}
		if hasName && mustGet(r, "name") != name {
			return nil, fmt.Sprintf("price list %d is named %q, not %q", id, mustGet(r, "name"), name)
		}
		return r, ""
	}
	for _, r := range c.records {
		if mustGet(r, "name") == name {
			return r, ""
		}
	}
	return nil, "no price list named " + strconv.Quote(name)
}

// formField is a custom field as the store's form definition holds it.
type formField struct {
	id       int64
	name     string
	typ      string
	required bool
	labels   []string // the values an enumeration takes, longest first
}

// formFields reads a form's fields from the formdefinitions collection, so
// that writes follow the definitions as they are now (AddCustomFields and
// AutoGrowEnums change them). Callers hold the lock.
func (s *Server) formFields(formID int64) []formField {
	r := s.st.cols["formdefinitions"].byID[formID]
	if r == nil {
		return nil
	}
	defs, _ := mustGet(r, "custom_fields").([]obj)
	out := make([]formField, 0, len(defs))
	for _, d := range defs {
		fd := fieldDef{id: d.must("id").(int64), name: d.must("name").(string), typ: d.must("type").(string)}
		fd.required, _ = d.must("required").(bool)
		vals, _ := d.must("enumeration_values").([]obj)
		for _, e := range vals {
			ev := enumValue{id: e.must("id").(int64), label: e.must("label").(string)}
			ev.parent, _ = e.must("parent_id").(int64)
			fd.enums = append(fd.enums, ev)
		}
		labels := fd.choices()
		slices.SortStableFunc(labels, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
		out = append(out, formField{id: fd.id, name: fd.name, typ: fd.typ, required: fd.required, labels: labels})
	}
	return out
}

func (o obj) must(k string) any {
	v, _ := o.get(k)
	return v
}

// checkCustomFields checks an item's custom_fields against form formID and
// returns the values to write, by field id. An empty value clears a field;
// a field not sent is left alone (PATCH) or unset (POST, PUT), and whole
// requires every required field to be sent with a value.
func (s *Server) checkCustomFields(formID int64, it item, whole bool) (map[int64]string, []string) {
	form := s.formFields(formID)
	var errs []string
	vals := map[int64]string{}
	reported := map[int64]bool{}
	list, _ := it["custom_fields"].([]any)
	for i, e := range list {
		m := e.(map[string]any)
		id, _ := m["id"].(json.Number).Int64()
		v := m["value"].(string)
		at := fmt.Sprintf("custom_fields[%d]: ", i)
		j := slices.IndexFunc(form, func(f formField) bool { return f.id == id })
		if j < 0 {
			errs = append(errs, fmt.Sprintf("%sno custom field with id %d on this form", at, id))
			continue
		}
		f := form[j]
		reported[id] = true
		if name, ok := m["name"].(string); ok && name != f.name {
			errs = append(errs, fmt.Sprintf("%sfield %d is named %q, not %q", at, id, f.name, name))
			continue
		}
		if _, dup := vals[id]; dup {
			errs = append(errs, fmt.Sprintf("%sfield %d (%s) is given twice", at, id, f.name))
			continue
		}
		if v == "" && f.required {
			errs = append(errs, fmt.Sprintf("%sfield %d (%s) is required and cannot be cleared", at, id, f.name))
			continue
		}
		if msg := s.checkFieldValue(f, v); msg != "" {
			errs = append(errs, fmt.Sprintf("%sfield %d (%s): %s", at, id, f.name, msg))
			continue
		}
		vals[id] = v
	}
	if whole {
		for _, f := range form {
			if _, ok := vals[f.id]; f.required && !ok && !reported[f.id] {
				errs = append(errs, fmt.Sprintf("custom field %d (%s) is required", f.id, f.name))
			}
		}
		// A whole item unsets what it does not send.
		for _, f := range form {
			if _, ok := vals[f.id]; !ok {
				vals[f.id] = ""
			}
		}
	}
	return vals, errs
}

// checkFieldValue checks a non-empty value against its field's type, in
// the wire encodings of FACTS.md.
func (s *Server) checkFieldValue(f formField, v string) string {
	if v == "" {
		return ""
	}
	switch f.typ {
	case tNumber:
		if x, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.Quote(v) + " is not a number"
		}
	case tDateTime:
		if _, err := parseWriteTime(v); err != nil {
			return strconv.Quote(v) + " is not a date-time"
		}
	case tSingleEnum, tSingleHier:
		if !slices.Contains(f.labels, v) {
			return fmt.Sprintf("%q is not one of its values (%s)", v, strings.Join(f.labels, "; "))
		}
	case tMultiEnum, tMultiHier:
		if _, bad := splitLabels(v, f.labels); bad != "" {
			return fmt.Sprintf("%q is not one of its values (%s)", bad, strings.Join(f.labels, "; "))
		}
	case tSingleLookup, tMultiLookup:
		parts := []string{v}
		if f.typ == tMultiLookup {
			parts = strings.Split(v, ",")
		}
		for _, p := range parts {
			id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil {
				return strconv.Quote(p) + " is not a user id"
			}
			if s.st.cols["users"].byID[id] == nil {
				return fmt.Sprintf("no user with id %d", id)
			}
		}
	case tAddress:
		if strings.Count(v, "\n") > 3 {
			return "an address has at most four lines (street, city, state, zip)"
		}
	case tDivider, tLabel:
		return "a " + strings.ToLower(f.typ) + " holds no value"
	}
	return ""
}

// splitLabels splits a multi-value into the field's labels (longest
// first, since labels may hold commas); bad is the first text that matches
// no label.
func splitLabels(v string, labels []string) (picked []string, bad string) {
	if strings.HasPrefix(v, ",") || strings.HasSuffix(v, ",") || strings.Contains(v, ",,") {
		return nil, v // an empty choice is no label
	}
	rest := v
	for rest != "" {
		matched := false
		for _, l := range labels {
			if after, ok := strings.CutPrefix(rest, l); ok && (after == "" || after[0] == ',') {
				if after != "" {
					after = after[1:]
				}
				picked = append(picked, l)
				rest, matched = after, true
				break
			}
		}
		if !matched {
			bad, _, _ = strings.Cut(rest, ",")
			return nil, bad
		}
	}
	return picked, ""
}
