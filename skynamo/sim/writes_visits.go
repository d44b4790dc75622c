package sim

import "fmt"

// Visit frequencies.

var visitFrequencyProps = []wprop{{name: "customer_id", t: wInt}, {name: "customer_code"},
	{name: "user_id", t: wInt}, {name: "user_name"}, {name: "cycle", t: wInt}, {name: "frequency", t: wInt},
	// The spec gives period no enum; FACTS.md names its values.
	{name: "period", enum: []string{"week", "month", "year"}}}

// The spec requires both the id and the code (or name) of the customer
// and user; either names them (FACTS.md: codes and names stand in for ids).
var visitFrequencyAlts = map[string]string{"customer_id": "customer_code", "customer_code": "customer_id",
	"user_id": "user_name", "user_name": "user_id"}

var (
	visitFrequencyPost = wdef{name: "VisitFrequencyPost", props: visitFrequencyProps, alts: visitFrequencyAlts,
		required: []string{"customer_id", "customer_code", "user_id", "user_name", "cycle", "frequency", "period"}}
	visitFrequencyPut = wdef{name: "VisitFrequencyPut", props: append([]wprop{{name: "id", t: wInt}}, visitFrequencyProps...),
		alts: visitFrequencyAlts, required: []string{"id", "customer_id", "customer_code", "user_id", "user_name", "cycle", "frequency", "period"}}
	visitFrequencyPatch = wdef{name: "VisitFrequencyPatch", props: append([]wprop{{name: "id", t: wInt}}, visitFrequencyProps...),
		required: []string{"id"}}
)

func visitFrequencyOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &visitFrequencyPost, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			set, errs := s.visitFrequencyChanges(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: blankVisitFrequency(), hidden: obj{{"create_date", ""}}}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				setAll(&r.props, set)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &visitFrequencyPut, verb: "replaced", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "visit frequency")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.visitFrequencyChanges(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := blankVisitFrequency()
				for _, k := range []string{"id", "row_version", "last_modified_time"} {
					props.set(k, mustGet(r, k))
				}
				setAll(&props, set)
				r.props = props
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &visitFrequencyPatch, verb: "updated", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "visit frequency")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.visitFrequencyChanges(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				setAll(&r.props, set)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
	}
}

func blankVisitFrequency() obj {
	return obj{{"id", int64(0)}, {"customer_id", nil}, {"customer_code", nil}, {"customer_name", nil},
		{"user_id", nil}, {"user_name", nil}, {"cycle", int64(1)}, {"frequency", int64(1)}, {"period", "week"},
		{"row_version", int64(0)}, {"last_modified_time", ""}}
}

// visitFrequencyChanges resolves the customer and user an item names and
// checks cycle and frequency, returning the properties to set.
func (s *Server) visitFrequencyChanges(it item) (obj, []string) {
	var set obj
	var errs []string
	if present(it, "customer_id") || present(it, "customer_code") {
		if cu, err := s.findCustomer(it); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"customer_id", cu.id}, kv{"customer_code", mustGet(cu, "code")}, kv{"customer_name", mustGet(cu, "name")})
		}
	}
	if present(it, "user_id") || present(it, "user_name") {
		if u, err := s.findUser(it, "user_id", "user_name"); err != "" {
			errs = append(errs, err)
		} else {
			set = append(set, kv{"user_id", u.id}, kv{"user_name", mustGet(u, "user_name")})
		}
	}
	for _, k := range []string{"cycle", "frequency"} {
		if n, ok := it.int(k); ok {
			if n < 1 {
				errs = append(errs, fmt.Sprintf("%s must be at least 1, not %d", k, n))
			}
			set = append(set, kv{k, n})
		}
	}
	if p, ok := it.str("period"); ok {
		set = append(set, kv{"period", p})
	}
	return set, errs
}

func setAll(o *obj, set obj) {
	for _, p := range set {
		o.set(p.k, p.v)
	}
}

// Scheduled visits.

var scheduledVisitProps = []wprop{{name: "comment"}, {name: "due_date", t: wDate}, {name: "customer_id", t: wInt},
	{name: "customer_code"}, {name: "reminder_offset"}, {name: "assigned_user_id", t: wInt},
	{name: "assigned_user_name"}, {name: "all_day", t: wBool}, {name: "end_time", t: wDate}}

var scheduledVisitAlts = map[string]string{"customer_id": "customer_code", "customer_code": "customer_id",
	"assigned_user_id": "assigned_user_name", "assigned_user_name": "assigned_user_id"}

var (
	scheduledVisitPost = wdef{name: "ScheduledVisitPost", props: scheduledVisitProps, alts: scheduledVisitAlts,
		required: []string{"due_date", "assigned_user_id", "assigned_user_name", "customer_id", "customer_code"}}
	scheduledVisitPut = wdef{name: "ScheduledVisitPut", props: append([]wprop{{name: "id", t: wInt}}, scheduledVisitProps...),
		alts: scheduledVisitAlts, required: []string{"id", "due_date", "assigned_user_id", "assigned_user_name", "customer_id", "customer_code"}}
	scheduledVisitPatch = wdef{name: "ScheduledVisitPatch", props: append([]wprop{{name: "id", t: wInt}}, scheduledVisitProps...),
		required: []string{"id"}}
	scheduledVisitDelete = wdef{name: "ScheduledVisitDelete", props: []wprop{{name: "id", t: wInt}}, required: []string{"id"}}
)

func scheduledVisitOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &scheduledVisitPost, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			set, errs := s.scheduledVisitChanges(nil, it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: blankScheduledVisit()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				setAll(&r.props, set)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &scheduledVisitPut, verb: "replaced", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "scheduled visit")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.scheduledVisitChanges(nil, it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := blankScheduledVisit()
				for _, k := range []string{"id", "create_date", "row_version", "last_modified_time", "creator_user_id",
					"creator_user_name", "completer_visit_id", "completed_date"} {
					props.set(k, mustGet(r, k))
				}
				setAll(&props, set)
				r.props = props
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &scheduledVisitPatch, verb: "updated", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "scheduled visit")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.scheduledVisitChanges(r, it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				setAll(&r.props, set)
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"DELETE": {def: &scheduledVisitDelete, verb: "deleted", scalar: "id", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "scheduled visit")
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

func blankScheduledVisit() obj {
	return obj{{"id", int64(0)}, {"comment", nil}, {"create_date", ""}, {"due_date", nil},
		{"customer_id", nil}, {"customer_code", nil}, {"customer_name", nil},
		{"row_version", int64(0)}, {"last_modified_time", ""}, {"reminder_offset", nil},
		{"completer_visit_id", nil}, {"completed_date", nil},
		{"assigned_user_id", nil}, {"assigned_user_name", nil},
		{"creator_user_id", nil}, {"creator_user_name", nil}, {"all_day", true}, {"end_time", nil}}
}

// scheduledVisitChanges resolves the customer and user an item names and
// settles all_day against end_time: a visit without an end time lasts all
// day, one with an end time does not. r is the visit a PATCH changes (nil
// for a whole item, which starts without an end time).
func (s *Server) scheduledVisitChanges(r *record, it item) (obj, []string) {
	refs, errs := s.taskRefs(it) // customer and assigned user, as for tasks
	var set obj
	for _, p := range scheduledVisitProps {
		switch p.name {
		case "customer_id", "customer_code", "assigned_user_id", "assigned_user_name", "all_day", "end_time":
			continue
		}
		if v, ok := it[p.name]; ok && v != nil {
			set = append(set, kv{p.name, wireValue(p, v)})
		}
	}
	set = append(set, refs...) // a new visit's creator is its assigned user
	var due, end any
	if r != nil {
		due, end = mustGet(r, "due_date"), mustGet(r, "end_time")
	}
	if v, ok := it.str("due_date"); ok {
		due = wireValue(wprop{t: wDate}, v)
	}
	if v, ok := it.str("end_time"); ok {
		end = wireValue(wprop{t: wDate}, v)
	}
	allDay, hasAllDay := it["all_day"].(bool)
	switch {
	case hasAllDay && allDay && present(it, "end_time"):
		errs = append(errs, "all_day is true but an end_time is given; a visit with an end time is not all day")
	case hasAllDay && allDay:
		end = nil // an all-day visit drops the end time it had
	case hasAllDay && end == nil:
		errs = append(errs, "all_day is false but the visit has no end_time")
	}
	if end != nil && due != nil {
		d, _ := parseWriteTime(due.(string))
		e, _ := parseWriteTime(end.(string))
		if !e.After(d) {
			errs = append(errs, fmt.Sprintf("end_time %s is not after due_date %s", end, due))
		}
	}
	if errs != nil {
		return nil, errs
	}
	return append(set, kv{"end_time", end}, kv{"all_day", end == nil}), nil
}
