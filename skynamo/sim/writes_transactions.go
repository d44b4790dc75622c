package sim

import (
	"fmt"
	"strconv"
)

// Orders, quotes and credit requests are only created. Each POST makes the
// transaction, its interaction (which carries the user and links the
// transaction by order_id, quote_id or credit_request_id) and one completed
// form per entry of forms, as the seed links them (FACTS.md).
var txItemProps = []wprop{{name: "product_id", t: wInt}, {name: "product_code"}, {name: "unit_name"},
	{name: "comment"}, {name: "multiplier", t: wNumber}, {name: "quantity", t: wNumber}, {name: "price", t: wNumber},
	{name: "list_price", t: wNumber}, {name: "unit_price", t: wNumber}, {name: "tax_rate_id", t: wInt},
	{name: "tax_rate_value", t: wNumber}}

var txFormProps = []wprop{{name: "id", t: wInt}, {name: "custom_fields", t: wFields}}

func txProps(order bool) []wprop {
	ps := []wprop{{name: "date", t: wDate}, {name: "customer_id", t: wInt}, {name: "user_id", t: wInt},
		{name: "discount", t: wNumber}, {name: "prices_include_vat", t: wBool}, {name: "warehouse_id", t: wInt},
		{name: "transaction_id", t: wInt}, {name: "currency_code"}, {name: "currency_rate_to_base", t: wNumber},
		{name: "items", t: wObjList, sub: txItemProps}, {name: "forms", t: wObjList, sub: txFormProps}}
	if order {
		ps = append(ps, wprop{name: "quote_id", t: wInt})
	}
	return ps
}

var txRequired = []string{"customer_id", "date", "user_id", "items"}

var (
	orderPost  = wdef{name: "OrderPost", props: txProps(true), required: txRequired}
	quotePost  = wdef{name: "QuotePost", props: txProps(false), required: txRequired}
	creditPost = wdef{name: "CreditRequestPost", props: txProps(false), required: txRequired}
)

// txKind says how one transaction collection is written.
type txKind struct {
	col      string
	def      *wdef
	formType string // the type of the forms its values are filled in on
	link     string // the interaction's property naming it
	prefix   string // of its reference
}

func transactionOrderOps() map[string]*writeOp {
	return txOps(txKind{"orders", &orderPost, "Order", "order_id", "SO"})
}
func quoteOps() map[string]*writeOp {
	return txOps(txKind{"quotes", &quotePost, "Quote", "quote_id", "QU"})
}
func creditRequestOps() map[string]*writeOp {
	return txOps(txKind{"creditrequests", &creditPost, "CreditRequest", "credit_request_id", "CR"})
}

// txForm is one checked entry of a transaction's forms.
type txForm struct {
	def    *record
	fields []customField
}

func txOps(k txKind) map[string]*writeOp {
	return map[string]*writeOp{"POST": {def: k.def, verb: "created", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
		return s.prepareTx(k, c, bt, it)
	}}}
}

func (s *Server) prepareTx(k txKind, c *collection, bt *batch, it item) (func() obj, []string) {
	var errs []string
	cu, e := s.findCustomer(it)
	if e != "" {
		errs = append(errs, e)
	}
	user, e := s.findUser(it, "user_id", "")
	if e != "" {
		errs = append(errs, e)
	}
	var wh *record
	if present(it, "warehouse_id") {
		if wh, e = s.findWarehouse(it); e != "" {
			errs = append(errs, e)
		}
	}
	if id, ok := it.int("quote_id"); ok && s.st.cols["quotes"].byID[id] == nil {
		errs = append(errs, fmt.Sprintf("no quote with id %d", id))
	}
	var pl *record
	if cu != nil {
		pl = s.st.cols["pricelists"].byID[toInt64(mustGet(cu, "price_list_id"))]
	}
	items, subtotal, itemErrs := s.txItems(bt, pl, it)
	errs = append(errs, itemErrs...)
	forms, formErrs := s.txForms(k, it)
	errs = append(errs, formErrs...)
	if errs != nil {
		return nil, errs
	}
	date := wireValue(wprop{t: wDate}, it["date"])
	discount := 0.0
	if d, ok := mustGet(cu, "default_discount").(float64); ok {
		discount = d
	}
	if d, ok := it.num("discount"); ok {
		discount = d
	}
	var currency, rate, incl any = nil, 1.0, false
	if pl != nil {
		currency, rate, incl = mustGet(pl, "currency_code"), mustGet(pl, "currency_rate_to_base"), mustGet(pl, "prices_include_vat")
	}
	if v, ok := it.str("currency_code"); ok {
		currency = v
	}
	if v, ok := it.num("currency_rate_to_base"); ok {
		rate = v
	}
	if v, ok := it["prices_include_vat"].(bool); ok {
		incl = v
	}
	var whID, whName any
	if wh != nil {
		whID, whName = wh.id, mustGet(wh, "name")
	}
	return func() obj {
		intID := s.newID("interactions")
		txID := s.newID(k.col)
		cust := obj{{"customer_id", cu.id}, {"customer_code", mustGet(cu, "code")}, {"customer_name", mustGet(cu, "name")}}
		usr := obj{{"user_id", user.id}, {"user_name", mustGet(user, "user_name")}}
		var formIDs []int64
		var formRecs []*record
		for _, f := range forms {
			id := s.newID("completedforms")
			formIDs = append(formIDs, id)
			props := obj{{"id", id}, {"date", date}}
			props = append(props, cust...)
			props = append(props, usr...)
			props = append(props, obj{{"interaction_id", intID}, {"form_id", f.def.id}, {"form_name", mustGet(f.def, "name")},
				{"custom_fields", f.fields}, {"last_modified_time", ""}}...)
			formRecs = append(formRecs, &record{id: id, props: props})
		}
		links := obj{{"credit_request_id", nil}, {"order_id", nil}, {"email_id", nil}, {"quote_id", nil}}
		links.set(k.link, txID)
		in := obj{{"id", intID}}
		in = append(in, cust...)
		in = append(in, obj{{"comment", nil}, {"date", date}, {"end_time", date}, {"is_visit", true},
			{"location", mustGet(cu, "location")}, {"last_modified_time", ""}}...)
		in = append(in, usr...)
		in = append(in, links...)
		in = append(in, obj{{"product_numbers_survey_id", nil}, {"stocktake_id", nil}, {"completed_form_ids", formIDs}}...)

		props := obj{{"id", txID}, {"date", date}}
		props = append(props, cust...)
		props = append(props, kv{"reference", fmt.Sprintf("%s%06d", k.prefix, txID)})
		if k.col == "orders" {
			props = append(props, kv{"interaction_id", intID})
		}
		discountAmount := round2(subtotal * discount / 100)
		props = append(props, obj{{"discount", discount}, {"discount_amount", discountAmount},
			{"total_amount", round2(subtotal - discountAmount)}, {"prices_include_vat", incl},
			{"warehouse_id", whID}, {"warehouse_name", whName}, {"email_recipients", nil},
			{"last_modified_time", ""}, {"currency_code", currency}, {"currency_rate_to_base", rate},
			{"items", items}}...)
		tx := &record{id: txID, props: props}
		s.place(s.st.cols["interactions"], &record{id: intID, props: in})
		for _, r := range formRecs {
			s.place(s.st.cols["completedforms"], r)
		}
		s.place(c, tx)
		return postResult(tx)
	}, nil
}

// txItems checks a transaction's items and returns them as stored, with
// their subtotal. A unit_price (or price) not sent is the customer's price
// list's price of the product's order unit.
func (s *Server) txItems(bt *batch, pl *record, it item) ([]obj, float64, []string) {
	list, _ := it["items"].([]any)
	if len(list) == 0 {
		return nil, 0, []string{"items must hold at least one item"}
	}
	var errs []string
	var items []obj
	subtotal := 0.0
	for i, e := range list {
		m := item(e.(map[string]any))
		at := fmt.Sprintf("items[%d]: ", i)
		var p *record
		switch {
		case present(m, "product_id"):
			id, _ := m.int("product_id")
			if p = s.st.cols["products"].byID[id]; p == nil {
				errs = append(errs, fmt.Sprintf("%sno product with id %d", at, id))
				continue
			}
		case present(m, "product_code"):
			code, _ := m.str("product_code")
			if p = s.productByCode(bt, code); p == nil {
				errs = append(errs, at+"no product with code "+strconv.Quote(code))
				continue
			}
		default:
			errs = append(errs, at+"product_id or product_code is required")
			continue
		}
		units, _ := mustGet(p, "order_units").([]obj)
		var u obj
		if name, ok := m.str("unit_name"); ok {
			for _, x := range units {
				if x.must("name") == name {
					u = x
				}
			}
			if u == nil {
				errs = append(errs, fmt.Sprintf("%sproduct %v has no order unit named %q", at, mustGet(p, "code"), name))
				continue
			}
		} else if len(units) > 0 {
			u = units[0]
		} else {
			errs = append(errs, fmt.Sprintf("%sproduct %v has no order units", at, mustGet(p, "code")))
			continue
		}
		qty, ok := m.num("quantity")
		if !ok {
			errs = append(errs, at+"quantity is required")
			continue
		}
		priceRec := s.txPrice(bt, p, u, pl)
		listPrice, hasList := m.num("list_price")
		if !hasList && priceRec != nil {
			listPrice, hasList = mustGet(priceRec, "price").(float64)
		}
		unit, hasUnit := m.num("unit_price")
		if !hasUnit {
			unit, hasUnit = m.num("price")
		}
		if !hasUnit {
			unit, hasUnit = listPrice, hasList
		}
		if !hasUnit {
			errs = append(errs, fmt.Sprintf("%sproduct %v unit %v has no price on the customer's price list; send unit_price", at, mustGet(p, "code"), u.must("name")))
			continue
		}
		if !hasList {
			listPrice = unit
		}
		var taxID any
		taxRate := 0.0
		if priceRec != nil {
			taxID = mustGet(priceRec, "tax_rate_id")
		}
		if id, ok := m.int("tax_rate_id"); ok {
			if s.st.cols["taxrates"].byID[id] == nil {
				errs = append(errs, fmt.Sprintf("%sno tax rate with id %d", at, id))
				continue
			}
			taxID = id
		}
		if tr := s.st.cols["taxrates"].byID[toInt64(taxID)]; tr != nil {
			taxRate, _ = mustGet(tr, "rate").(float64)
		}
		if v, ok := m.num("tax_rate_value"); ok {
			taxRate = v
		}
		var comment any
		if v, ok := m.str("comment"); ok {
			comment = v
		}
		cost := round2(qty * unit)
		subtotal += cost
		items = append(items, obj{{"quantity", qty}, {"unit_price", unit}, {"list_price", listPrice},
			{"order_unit_name", u.must("name")}, {"product_code", mustGet(p, "code")}, {"product_name", mustGet(p, "name")},
			{"comment", comment}, {"cost", cost}, {"tax_rate_value", taxRate}, {"tax_rate_id", taxID}})
	}
	return items, subtotal, errs
}

// txPrice is the price of product p's unit u on list pl, or nil.
func (s *Server) txPrice(bt *batch, p *record, u obj, pl *record) *record {
	if pl == nil {
		return nil
	}
	if bt.txPrices == nil {
		c := s.st.cols["prices"]
		bt.txPrices = make(map[string]*record, len(c.records))
		for _, r := range c.records {
			bt.txPrices[fmt.Sprint(mustGet(r, "product_id"), "/", mustGet(r, "order_unit_id"), "/", mustGet(r, "price_list_id"))] = r
		}
	}
	return bt.txPrices[fmt.Sprint(p.id, "/", u.must("id"), "/", pl.id)]
}

// txForms checks a transaction's form values against their form
// definitions, which must be active forms of the transaction's type.
func (s *Server) txForms(k txKind, it item) ([]txForm, []string) {
	list, _ := it["forms"].([]any)
	var errs []string
	var out []txForm
	seen := map[int64]bool{}
	for i, e := range list {
		m := item(e.(map[string]any))
		at := fmt.Sprintf("forms[%d]: ", i)
		id, ok := m.int("id")
		if !ok {
			errs = append(errs, at+"id is required")
			continue
		}
		fd := s.st.cols["formdefinitions"].byID[id]
		if fd == nil {
			errs = append(errs, fmt.Sprintf("%sno form with id %d", at, id))
			continue
		}
		if typ := mustGet(fd, "type"); typ != k.formType {
			errs = append(errs, fmt.Sprintf("%sform %d (%v) is a %v form, not a %s form", at, id, mustGet(fd, "name"), typ, k.formType))
			continue
		}
		if mustGet(fd, "active") == false {
			errs = append(errs, fmt.Sprintf("%sform %d (%v) is not active", at, id, mustGet(fd, "name")))
			continue
		}
		if seen[id] {
			errs = append(errs, fmt.Sprintf("%sform %d is given twice", at, id))
			continue
		}
		seen[id] = true
		fields, _ := m["custom_fields"].([]any)
		bad := false
		for j, f := range fields {
			if _, ok := f.(map[string]any)["value"]; !ok {
				errs = append(errs, fmt.Sprintf("%scustom_fields[%d]: value is required", at, j))
				bad = true
			}
		}
		if bad {
			continue
		}
		vals, fe := s.checkCustomFields(id, item{"custom_fields": fields}, true)
		if fe != nil {
			for _, x := range fe {
				errs = append(errs, at+x)
			}
			continue
		}
		var cf []customField
		for _, f := range s.formFields(id) {
			cf = append(cf, customField{id: f.id, name: f.name, value: vals[f.id]})
		}
		out = append(out, txForm{def: fd, fields: cf})
	}
	return out, errs
}

// Customer comments are only created; the rep is the customer's first
// assigned user, else the first active user.
var customerCommentPost = wdef{name: "CustomerCommentPost", props: []wprop{{name: "comment"},
	{name: "customer_id", t: wInt}, {name: "customer_code"}, {name: "date", t: wDate}},
	required: []string{"comment", "customer_id"}, alts: customerAlt}

func customerCommentOps() map[string]*writeOp {
	return map[string]*writeOp{"POST": {def: &customerCommentPost, verb: "created", prepare: func(s *Server, c *collection, _ *batch, it item) (func() obj, []string) {
		var errs []string
		cu, e := s.findCustomer(it)
		if e != "" {
			errs = append(errs, e)
		} else if code, ok := it.str("customer_code"); ok && present(it, "customer_id") && mustGet(cu, "code") != code {
			errs = append(errs, fmt.Sprintf("customer %d has code %v, not %q", cu.id, mustGet(cu, "code"), code))
		}
		text, _ := it.str("comment")
		if text == "" {
			errs = append(errs, "comment must not be empty")
		}
		user := s.defaultRep(cu)
		if user == nil {
			errs = append(errs, "the instance has no active user to write the comment as")
		}
		if errs != nil {
			return nil, errs
		}
		var date any
		if present(it, "date") {
			date = wireValue(wprop{t: wDate}, it["date"])
		}
		return func() obj {
			r := &record{props: obj{{"id", int64(0)}, {"comment", text},
				{"customer_id", cu.id}, {"customer_code", mustGet(cu, "code")}, {"date", date},
				{"row_version", int64(0)}, {"last_modified_time", ""},
				{"user_id", user.id}, {"user_name", mustGet(user, "user_name")}}}
			r.id = s.newID(c.name)
			r.props.set("id", r.id)
			s.place(c, r)
			if date == nil {
				r.props.set("date", mustGet(r, "last_modified_time"))
			}
			return postResult(r)
		}, nil
	}}}
}

// defaultRep is the user a write that names none is made by.
func (s *Server) defaultRep(cu *record) *record {
	users := s.st.cols["users"]
	if cu != nil {
		switch a := mustGet(cu, "assigned_users").(type) {
		case []int64:
			for _, id := range a {
				if u := users.byID[id]; u != nil && mustGet(u, "active") == true {
					return u
				}
			}
		case []obj:
			for _, x := range a {
				if u := users.byID[toInt64(x.must("id"))]; u != nil && mustGet(u, "active") == true {
					return u
				}
			}
		}
	}
	for _, u := range users.records {
		if mustGet(u, "active") == true {
			return u
		}
	}
	return nil
}
