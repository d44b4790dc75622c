package sim

// Contacts name their customer by code only. ContactPost lists an id too;
// a new contact's id is the server's, so POST does not take one.
var contactProps = []wprop{{name: "name"}, {name: "surname"}, {name: "customer_code"}, {name: "title"},
	{name: "company"}, {name: "website"}, {name: "work_number"}, {name: "mobile_number"}, {name: "email"},
	{name: "job_title"}, {name: "notes"}, {name: "active", t: wBool}, {name: "address"}}

var (
	contactPost  = wdef{name: "ContactPost", props: contactProps, required: []string{"name", "customer_code"}}
	contactPut   = wdef{name: "ContactPut", props: append([]wprop{{name: "id", t: wInt}}, contactProps...), required: []string{"id", "name", "customer_code"}}
	contactPatch = wdef{name: "ContactPatch", props: append([]wprop{{name: "id", t: wInt}}, contactProps...), required: []string{"id"}}
)

func contactOps() map[string]*writeOp {
	return map[string]*writeOp{
		"POST": {def: &contactPost, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			set, errs := s.contactChanges(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				r := &record{props: blankContact()}
				r.id = s.newID(c.name)
				r.props.set("id", r.id)
				setAll(&r.props, set)
				s.place(c, r)
				return postResult(r)
			}, nil
		}},
		"PUT": {def: &contactPut, verb: "replaced", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "contact")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.contactChanges(it)
			if errs != nil {
				return nil, errs
			}
			return func() obj {
				props := blankContact()
				for _, k := range []string{"id", "row_version", "last_modified_time", "create_date"} {
					props.set(k, mustGet(r, k))
				}
				setAll(&props, set)
				r.props = props
				s.stampChange(c, r)
				return nil
			}, nil
		}},
		"PATCH": {def: &contactPatch, verb: "updated", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
			r, errs := keyed(c, it, "contact")
			if errs != nil {
				return nil, errs
			}
			set, errs := s.contactChanges(it)
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

func blankContact() obj {
	return obj{{"id", int64(0)}, {"name", ""}, {"surname", nil},
		{"customer_id", nil}, {"customer_code", nil}, {"customer_name", nil},
		{"title", nil}, {"company", nil}, {"website", nil}, {"work_number", nil}, {"mobile_number", nil},
		{"email", nil}, {"job_title", nil}, {"notes", nil},
		{"row_version", int64(0)}, {"last_modified_time", ""}, {"create_date", ""}, {"active", true}, {"address", nil}}
}

// contactChanges resolves the customer a contact names and returns the
// properties to set.
func (s *Server) contactChanges(it item) (obj, []string) {
	var set obj
	for _, p := range contactProps {
		if v, ok := it[p.name]; ok && v != nil && p.name != "customer_code" {
			set = append(set, kv{p.name, wireValue(p, v)})
		}
	}
	if present(it, "customer_code") {
		cu, err := s.findCustomer(it)
		if err != "" {
			return nil, []string{err}
		}
		set = append(set, kv{"customer_id", cu.id}, kv{"customer_code", mustGet(cu, "code")}, kv{"customer_name", mustGet(cu, "name")})
	}
	return set, nil
}
