package sim

import "time"

// insert makes one new record of collection name (with whatever it brings
// along: an order its interaction and completed forms) and returns the
// new ids in name; ok is false for collections that take no inserts.
func (s *Server) insert(name string) (ids []int64, ok bool) {
	sd := s.mut.sd
	sd.now = s.st.changeTime(s.clock(), s.opts.Now)
	if !s.mut.generate(name, s.newID) {
		return nil, false
	}
	for _, col := range s.mut.names { // a fixed order keeps row_versions deterministic
		for _, r := range sd.cols[col] {
			s.place(s.st.cols[col], r)
			if col == name {
				ids = append(ids, r.id)
			}
		}
	}
	sd.cols, sd.versioned = make(map[string][]*record), nil
	return ids, true
}

// newID hands out an id of col that it never had: after the highest, or
// below the lowest with NewNotAtEnd (while ids stay positive).
func (s *Server) newID(col string) int64 {
	c := s.st.cols[col]
	if s.behaviour().NewNotAtEnd && c.lo > 1 {
		c.lo--
		return c.lo
	}
	c.hi++
	return c.hi
}

// place stores a freshly made record as created now: the seeding helpers
// date records in the past, which a new record is not.
func (s *Server) place(c *collection, r *record) {
	t := s.st.changeTime(s.clock(), s.opts.Now)
	stamp := formatTime(t)
	if _, ok := r.props.get("row_version"); ok {
		r.props.set("row_version", s.st.nextRowVersion())
	}
	if _, ok := r.props.get("create_date"); ok {
		r.props.set("create_date", stamp)
	}
	if _, ok := r.hidden.get("create_date"); ok {
		r.hidden.set("create_date", stamp)
	}
	if _, ok := r.props.get("last_modified_time"); ok {
		r.props.set("last_modified_time", stamp)
		r.mod = t.UnixNano()
	}
	c.insert(r)
	if c.name == "invoices" {
		if v, ok := r.props.get("external_id"); ok && v != nil {
			s.st.invoicesByExternalID[v.(string)] = r
		}
	}
}

// generate makes one record of collection name with the seeding helpers,
// which leave it in sd.cols; it reports false for collections that take
// no inserts.
func (m *mutator) generate(name string, nextID func(col string) int64) bool {
	sd := m.sd
	active := sd.activeUsers()
	now := sd.now
	switch name {
	case "customers":
		sd.addCustomer(m.rng, nextID(name), len(sd.customers), active, sd.activeWarehouses(),
			func(float64) time.Time { return now })
	case "products":
		sd.addProduct(m.rng, len(sd.products), nextID(name))
	case "orders", "quotes", "creditrequests", "interactions", "completedforms":
		kind := map[string]eventKind{"orders": evOrder, "quotes": evQuote, "creditrequests": evCredit,
			"interactions": evVisit, "completedforms": evSurvey}[name]
		cust := m.customer()
		// Half an hour ago, so the transaction that follows the visit is
		// not in the future.
		at := now.Add(-30 * time.Minute)
		sd.addEvent(m.rng, event{at: at, kind: kind, cust: cust, user: sd.repFor(m.rng, cust, at, active)}, nextID)
	case "invoices":
		if len(sd.orders) == 0 {
			return false
		}
		o := &sd.orders[m.rng.IntN(len(sd.orders))]
		sd.addInvoice(m.rng, nextID(name), sd.invoiceCount, now, o)
		sd.invoiceCount++
	case "visitfrequencies":
		c := m.customer()
		u := pick(m.rng, active)
		if len(c.users) > 0 {
			u = sd.userByID(c.users[0])
		}
		sd.addVisitFrequency(m.rng, nextID(name), c, u)
	case "contacts":
		sd.addContact(m.rng, nextID(name), m.customer())
	case "tasks":
		sd.addTask(m.rng, nextID(name), active)
	case "scheduledvisits":
		sd.addScheduledVisit(m.rng, nextID(name), active)
	case "customercomments":
		sd.addComment(m.rng, nextID(name), now, m.customer())
	default:
		return false
	}
	return true
}

// customer draws any customer, seeded or inserted.
func (m *mutator) customer() *customerInfo {
	return &m.sd.customers[m.rng.IntN(len(m.sd.customers))]
}
