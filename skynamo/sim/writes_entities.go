package sim

import (
	"fmt"
	"strconv"
)

// refWrites describes a reference entity (tax rates, warehouses, price
// lists) whose writes set plain properties.
type refWrites struct {
	singular         string
	post, put, patch *wdef
	// blank is a new record's properties before the item's are set; PUT
	// also starts from it, keeping only the id.
	blank func(id int64) obj
}

// The spec lists no required properties for these; a record without a
// name cannot be shown in the app, so the simulator requires one on POST.
func refDefs(base string, props []wprop) (post, put, patch *wdef) {
	withID := append([]wprop{{name: "id", t: wInt}}, props...)
	return &wdef{name: base + "Post", props: props, required: []string{"name"}},
		&wdef{name: base + "Put", props: withID, required: []string{"id", "name"}},
		&wdef{name: base + "Patch", props: withID, required: []string{"id"}}
}

func taxRateWrites() refWrites {
	post, put, patch := refDefs("TaxRate", []wprop{{name: "name"}, {name: "rate", t: wNumber}, {name: "active", t: wBool}})
	return refWrites{singular: "tax rate", post: post, put: put, patch: patch, blank: func(id int64) obj {
		return obj{{"id", id}, {"name", ""}, {"rate", 0.0}, {"active", true}, {"last_modified_time", ""}}
	}}
}

func warehouseWrites() refWrites {
	post, put, patch := refDefs("Warehouse", []wprop{{name: "name"}, {name: "order_email"},
		{name: "credit_request_email"}, {name: "quote_email"}, {name: "active", t: wBool}})
	return refWrites{singular: "warehouse", post: post, put: put, patch: patch, blank: func(id int64) obj {
		return obj{{"id", id}, {"name", ""}, {"order_email", nil}, {"credit_request_email", nil},
			{"quote_email", nil}, {"active", true}, {"last_modified_time", ""}}
	}}
}

func priceListWrites() refWrites {
	post, put, patch := refDefs("PriceList", []wprop{{name: "name"}, {name: "active", t: wBool},
		{name: "prices_include_vat", t: wBool}, {name: "currency_code"}})
	return refWrites{singular: "price list", post: post, put: put, patch: patch, blank: func(id int64) obj {
		return obj{{"id", id}, {"name", ""}, {"active", true}, {"prices_include_vat", false},
			{"last_modified_time", ""}, {"currency_code", "ZAR"}, {"currency_rate_to_base", 1.0}}
	}}
}

// setProps copies an item's properties (all but id) onto o.
func setProps(o *obj, def *wdef, it item) {
	for _, p := range def.props {
		if v, ok := it[p.name]; ok && p.name != "id" {
			o.set(p.name, wireValue(p, v))
		}
	}
}

func refOps(rw refWrites) map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: rw.post, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			return func() obj {
				r := &record{props: rw.blank(0)}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				setProps(&r.props, rw.post, it)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: rw.put, verb: "replaced", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, rw.singular)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := rw.blank(r.id)
				setProps(&props, rw.put, it)
				r.props = props
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: rw.patch, verb: "updated", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, rw.singular)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				setProps(&r.props, rw.patch, it)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
	}
}

// Tasks.

var taskProps = []wprop{{name: "description"}, {name: "due_date", t: wDate}, {name: "customer_id", t: wInt},
	{name: "customer_code"}, {name: "reminder_offset"}, {name: "completed_date", t: wDate},
	{name: "assigned_user_id", t: wInt}, {name: "assigned_user_name"}, {name: "anytime", t: wBool}}

// The spec requires both assigned_user_id and assigned_user_name; either
// names the user (FACTS.md: codes and names stand in for ids).
var taskAlts = map[string]string{"assigned_user_id": "assigned_user_name", "assigned_user_name": "assigned_user_id"}

var (
	taskPost = wdef{name: "TaskPost", props: taskProps, alts: taskAlts,
		required: []string{"description", "due_date", "assigned_user_id", "assigned_user_name", "anytime"}}
	taskPut = wdef{name: "TaskPut", props: append([]wprop{{name: "id", t: wInt}}, taskProps...), alts: taskAlts,
		required: []string{"id", "description", "due_date", "assigned_user_id", "assigned_user_name", "anytime"}}
	taskPatch = wdef{name: "TaskPatch", props: append([]wprop{{name: "id", t: wInt}}, taskProps...),
		required: []string{"id"}}
	// TaskDelete is, like the invoice and scheduled visit deletes, an array
	// of bare task ids; each is read as an item holding only its id.
	taskDelete = wdef{name: "TaskDelete", props: []wprop{{name: "id", t: wInt}}, required: []string{"id"}}
)

func taskOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &taskPost, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			set, errs := s.taskRefs(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: blankTask()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				r.props.set("create_date", "")
				applyTask(&r.props, it, set)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &taskPut, verb: "replaced", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "task")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.taskRefs(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := blankTask()
				for _, k := range []string{"id", "create_date", "row_version", "last_modified_time", "creator_user_id", "creator_user_name"} {
					v, _ := r.props.get(k)
					props.set(k, v)
				}
				applyTask(&props, it, set)
				r.props = props
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &taskPatch, verb: "updated", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "task")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.taskRefs(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				applyTask(&r.props, it, set)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"DELETE": {def: &taskDelete, verb: "deleted", scalar: "id", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "task")
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				if c.byID[r.id] == r { // the same id twice in one request
					s.deleteRecord(c, r)
				}
				return nil
			}, nil
		}},
	}
}

func blankTask() obj {
	return obj{{"id", int64(0)}, {"description", ""}, {"create_date", ""}, {"due_date", nil},
		{"customer_id", nil}, {"customer_code", nil}, {"customer_name", nil},
		{"row_version", int64(0)}, {"last_modified_time", ""},
		{"reminder_offset", nil}, {"completed_date", nil},
		{"assigned_user_id", nil}, {"assigned_user_name", nil},
		{"creator_user_id", nil}, {"creator_user_name", nil}, {"anytime", false}}
}

// taskRefs resolves the customer and user an item names (by id or by
// code/name) into the properties a task stores for them.
func (s *Server) taskRefs(it item) (obj, []string) {
	var set obj
	var errs []string
	if present(it, "customer_id") || present(it, "customer_code") {
		if cu, err := s.findCustomer(it); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"customer_id", cu.id}, kv{"customer_code", mustGet(cu, "code")}, kv{"customer_name", mustGet(cu, "name")})
		}
	}
	if present(it, "assigned_user_id") || present(it, "assigned_user_name") {
		if u, err := s.findUser(it, "assigned_user_id", "assigned_user_name"); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"assigned_user_id", u.id}, kv{"assigned_user_name", mustGet(u, "user_name")})
			if _, ok := it["id"]; !ok { // a new task: its creator is the integration's user
				set = append(set, kv{"creator_user_id", u.id}, kv{"creator_user_name", mustGet(u, "user_name")})
			}
		}
	}
	return set, errs
}

func applyTask(o *obj, it item, refs obj) {
	for _, p := range taskProps {
		switch p.name {
		case "customer_id", "customer_code", "assigned_user_id", "assigned_user_name":
			continue
		}
		if v, ok := it[p.name]; ok {
			o.set(p.name, wireValue(p, v))
		}
	}
	for _, p := range refs {
		o.set(p.k, p.v)
	}
}

func mustGet(r *record, k string) any {
	v, _ := r.props.get(k)
	return v
}

// findCustomer resolves customer_id or, failing that, customer_code.
func (s *Server) findCustomer(it item) (*record, string) {
	c := s.st.cols["customers"]
	if id, ok := it.int("customer_id"); ok {
		if r := c.byID[id]; r != nil {
			return r, ""
		}
		return nil, fmt.Sprintf("no customer with id %d", id)
	}
	code, _ := it.str("customer_code")
	for _, r := range c.records {
		if v, _ := r.props.get("code"); v == code {
			return r, ""
		}
	}
	return nil, "no customer with code " + strconv.Quote(code)
}

// findUser resolves a user by id or by user name.
func (s *Server) findUser(it item, idKey, nameKey string) (*record, string) {
	c := s.st.cols["users"]
	if id, ok := it.int(idKey); ok {
		if r := c.byID[id]; r != nil {
			return r, ""
		}
		return nil, fmt.Sprintf("no user with id %d", id)
	}
	name, _ := it.str(nameKey)
	for _, r := range c.records {
		if v, _ := r.props.get("user_name"); v == name {
			return r, ""
		}
	}
	return nil, "no user with user name " + strconv.Quote(name)
}
