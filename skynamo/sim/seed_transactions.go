package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

type eventKind uint8

const (
	evOrder eventKind = iota
	evQuote
	evCredit
	evVisit  // a visit with only a Store Visit form
	evSurvey // a standalone form filled in away from any visit
)

// event is one interaction of a rep with a customer.
type event struct {
	at   time.Time
	kind eventKind
	cust *customerInfo
	user userInfo
}

type visitRef struct {
	id int64
	at time.Time
}

// orderInfo is what invoices need to know about an order.
type orderInfo struct {
	id    int64
	at    time.Time
	cust  *customerInfo
	lines []lineInfo
}

type lineInfo struct {
	product *productInfo
	qty     float64 // in base units
	value   float64 // excl. VAT, in the order's currency
	tax     float64
}

// transactionHistory is the window transactions are spread over: wide
// enough that "the last 90 days" always holds data and comparisons with the
// previous 90 days work.
const transactionHistory = 180

func (sd *seeder) seedTransactions(rng *rand.Rand) {
	if len(sd.customers) == 0 || len(sd.products) == 0 {
		return
	}
	n := sd.o.Orders
	counts := []struct {
		kind eventKind
		n    int
	}{{evOrder, n}, {evQuote, max(1, n/4)}, {evCredit, max(1, n/10)}, {evVisit, n / 2}, {evSurvey, n / 10}}
	picker := newCustomerPicker(sd.customers)
	active := sd.activeUsers()
	var events []event
	for _, c := range counts {
		for i := 0; i < c.n; i++ {
			day := sd.now.AddDate(0, 0, -rng.IntN(transactionHistory))
			at := workTime(rng, day)
			// Leave room for the order, forms and edits that follow a visit.
			if at.After(sd.now.Add(-2 * time.Hour)) {
				at = at.AddDate(0, 0, -1)
			}
			cust := picker.pick(rng)
			events = append(events, event{at: at, kind: c.kind, cust: cust, user: sd.repFor(rng, cust, at, active)})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })

	ids := struct{ interaction, form, order, quote, credit int64 }{700000, 800000, 100000, 200000, 300000}
	next := func(col string) int64 {
		switch col {
		case "interactions":
			// Emails, comments and stocktakes are interactions too, so the
			// ids the API shows have gaps.
			ids.interaction += 1 + int64(rng.IntN(3))
			return ids.interaction
		case "completedforms":
			ids.form++
			return ids.form
		case "orders":
			ids.order++
			return ids.order
		case "quotes":
			ids.quote++
			return ids.quote
		default:
			ids.credit++
			return ids.credit
		}
	}
	for _, ev := range events {
		sd.addEvent(rng, ev, next)
	}
}

// repFor picks who served a customer at a moment: mostly one of its
// assigned reps, unless that rep had already left.
func (sd *seeder) repFor(rng *rand.Rand, cust *customerInfo, at time.Time, active []userInfo) userInfo {
	user := pick(rng, active)
	if len(cust.users) > 0 && chance(rng, 0.85) {
		if u := sd.userByID(pick(rng, cust.users)); u.active || at.Before(sd.now.AddDate(0, 0, -120)) {
			user = u
		}
	}
	return user
}

// addEvent adds an interaction with what came of it: a transaction, its
// completed forms. nextID hands out ids by collection name, so that seeding
// and Mutate (which may place new ids below the old ones) share this.
func (sd *seeder) addEvent(rng *rand.Rand, ev event, nextID func(col string) int64) {
	intID := nextID("interactions")
	var formIDs []int64
	var orderID, quoteID, creditID any
	addForm := func(f *formDef, at time.Time) {
		id := nextID("completedforms")
		formIDs = append(formIDs, id)
		sd.addCompletedForm(rng, id, intID, f, ev, at)
	}
	txAt := ev.at.Add(time.Duration(2+rng.IntN(25)) * time.Minute)
	switch ev.kind {
	case evOrder:
		id := nextID("orders")
		orderID = id
		lines := sd.addTransaction(rng, "orders", id, intID, ev, txAt)
		sd.orders = append(sd.orders, orderInfo{id: id, at: txAt, cust: ev.cust, lines: lines})
		addForm(sd.forms.order, txAt)
	case evQuote:
		id := nextID("quotes")
		quoteID = id
		sd.addTransaction(rng, "quotes", id, intID, ev, txAt)
		addForm(sd.forms.quote, txAt)
	case evCredit:
		id := nextID("creditrequests")
		creditID = id
		sd.addTransaction(rng, "creditrequests", id, intID, ev, txAt)
		addForm(sd.forms.credit, txAt)
	case evVisit:
		addForm(sd.forms.visit, ev.at.Add(5*time.Minute))
	case evSurvey:
		addForm(sd.forms.poll, ev.at)
	}
	// A rep often fills in the visit form on the same call as the order.
	if ev.kind <= evCredit && chance(rng, 0.3) {
		addForm(sd.forms.visit, ev.at.Add(time.Minute))
	}
	isVisit := ev.kind != evSurvey
	if isVisit {
		sd.visitsByCustomer[ev.cust.id] = append(sd.visitsByCustomer[ev.cust.id], visitRef{id: intID, at: ev.at})
	}
	var endTime, location, comment any
	if isVisit {
		endTime = stamp(rng, ev.at.Add(time.Duration(10+rng.IntN(50))*time.Minute))
		location = ev.cust.location
	}
	if chance(rng, 0.4) {
		comment = pick(rng, awkwardTexts)
	}
	sd.add("interactions", intID, obj{
		{"id", intID}, {"customer_id", ev.cust.id}, {"customer_code", ev.cust.code}, {"customer_name", ev.cust.name},
		{"comment", comment}, {"date", stamp(rng, ev.at)}, {"end_time", endTime}, {"is_visit", isVisit},
		{"location", location}, {"last_modified_time", stamp(rng, ev.at.Add(time.Hour))},
		{"user_id", ev.user.id}, {"user_name", ev.user.userName},
		{"credit_request_id", creditID}, {"order_id", orderID}, {"email_id", nil}, {"quote_id", quoteID},
		{"product_numbers_survey_id", nil}, {"stocktake_id", nil},
		{"completed_form_ids", formIDs},
	}, time.Time{})
}

func (sd *seeder) addCompletedForm(rng *rand.Rand, id, interactionID int64, f *formDef, ev event, at time.Time) {
	sd.add("completedforms", id, obj{
		{"id", id}, {"date", stamp(rng, at)},
		{"customer_id", ev.cust.id}, {"customer_code", ev.cust.code}, {"customer_name", ev.cust.name},
		{"user_id", ev.user.id}, {"user_name", ev.user.userName},
		{"interaction_id", interactionID}, {"form_id", f.id}, {"form_name", f.name},
		{"custom_fields", f.values(rng, valueCtx{at: at, place: ev.cust.place, users: sd.users})},
		{"last_modified_time", stamp(rng, sd.later(rng, at, 600))},
	}, time.Time{})
}

var itemComments = []string{"Deliver with next load", `Customer asked for the "new" packaging`, "Split, 2 drops"}

// addTransaction adds an order, quote or credit request priced from the
// customer's price list (so export customers trade in USD) and returns its
// lines for invoicing.
func (sd *seeder) addTransaction(rng *rand.Rand, col string, id, interactionID int64, ev event, at time.Time) []lineInfo {
	c := ev.cust
	pl := c.priceList
	nItems := 1 + rng.IntN(8)
	if col == "creditrequests" {
		nItems = 1 + rng.IntN(2)
	}
	items := make([]obj, 0, nItems)
	lines := make([]lineInfo, 0, nItems)
	subtotal := 0.0
	for _, pi := range rng.Perm(len(sd.products))[:min(nItems, len(sd.products))] {
		p := &sd.products[pi]
		u := p.units[0]
		if r := rng.IntN(20); r >= 12 && len(p.units) > 1 {
			u = p.units[1]
		}
		qty := float64(1 + rng.IntN(12))
		if u.multiplier == 1 {
			qty = float64(1 + rng.IntN(48))
		}
		if col == "creditrequests" {
			qty = float64(1 + rng.IntN(3))
		}
		list := priceOf(*p, u, pl)
		unit := list
		if chance(rng, 0.2) {
			unit = round2(list * (1 - float64(rng.IntN(11))/100))
		}
		cost := round2(qty * unit)
		subtotal += cost
		var comment any
		if chance(rng, 0.05) {
			comment = pick(rng, itemComments)
		}
		tax := round2(cost * p.tax.rate / 100)
		if pl.includesVAT {
			tax = round2(cost - cost/(1+p.tax.rate/100))
		}
		lines = append(lines, lineInfo{product: p, qty: qty * u.multiplier, value: cost, tax: tax})
		items = append(items, obj{
			{"quantity", qty}, {"unit_price", unit}, {"list_price", list},
			{"order_unit_name", u.name}, {"product_code", p.code}, {"product_name", p.name},
			{"comment", comment}, {"cost", cost}, {"tax_rate_value", p.tax.rate}, {"tax_rate_id", p.tax.id},
		})
	}
	discountAmount := round2(subtotal * c.discount / 100)
	var whID, whName any
	if w := c.warehouse; w != nil && chance(rng, 0.8) {
		whID, whName = w.id, w.name
	} else if ws := sd.activeWarehouses(); len(ws) > 0 && chance(rng, 0.5) {
		w := pick(rng, ws)
		whID, whName = w.id, w.name
	}
	var reference, email any
	if chance(rng, 0.75) {
		reference = fmt.Sprintf("%s%06d", map[string]string{"orders": "SO", "quotes": "QU", "creditrequests": "CR"}[col], id)
	}
	if chance(rng, 0.5) {
		email = "buyer@" + fmt.Sprint(c.id) + ".shop.example"
	}
	props := obj{
		{"id", id}, {"date", stamp(rng, at)},
		{"customer_id", c.id}, {"customer_code", c.code}, {"customer_name", c.name},
		{"reference", reference},
	}
	// Only orders carry interaction_id in the spec; quotes and credit
	// requests are found from their interaction's quote_id/credit_request_id.
	if col == "orders" {
		props = append(props, kv{"interaction_id", interactionID})
	}
	props = append(props, obj{
		{"discount", c.discount}, {"discount_amount", discountAmount},
		{"total_amount", round2(subtotal - discountAmount)}, {"prices_include_vat", pl.includesVAT},
		{"warehouse_id", whID}, {"warehouse_name", whName}, {"email_recipients", email},
		{"last_modified_time", stamp(rng, sd.later(rng, at, 3600))},
		{"currency_code", pl.currency}, {"currency_rate_to_base", pl.rateToBase},
		{"items", items},
	}...)
	sd.add(col, id, props, time.Time{})
	return lines
}
