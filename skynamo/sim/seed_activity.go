package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	firstNames = []string{"Zanele", "Johan", "Priya", "Mandla", "Elsabé", "Tshepo", "Grace", "Yusuf", "Marié", "Sibusiso", "Liesl", "Themba"}
	surnames   = []string{"Nkosi", "van Rensburg", "Reddy", "D'Souza", "Mahlangu", "Smit", "Petersen", "Moosa", "du Plessis", "Mthembu"}
	jobTitles  = []string{"Owner", "Store Manager", "Buyer", "Accounts", "Receiving, Back Door", ""}
	// emailSafe turns a person's name into the local part of an address.
	emailSafe = strings.NewReplacer(" ", "", "'", "", "é", "e", "É", "E")
	taskTexts = []string{"Follow up on overdue invoice", "Deliver POS material", "Check expiry dates on shelf", "Quote for \"winter range\"", "Collect signed credit application,\nthen scan it"}
)

// seedActivity adds the versioned side of the instance: invoices for most
// orders, and the reps' planning records around the customers.
func (sd *seeder) seedActivity(rng *rand.Rand) {
	sd.seedInvoices(rng)
	sd.seedVisitFrequencies(rng)
	sd.seedContacts(rng)
	sd.seedTasks(rng)
	sd.seedScheduledVisits(rng)
	sd.seedCustomerComments(rng)
}

// invoiceStatus follows the read vocabulary, older invoices being settled.
func invoiceStatus(rng *rand.Rand, age time.Duration) string {
	days := age.Hours() / 24
	r := rng.IntN(100)
	switch {
	case r < 3:
		return "Deleted"
	case days > 60:
		if r < 85 {
			return "Paid"
		}
		return "Outstanding"
	case days > 14:
		if r < 50 {
			return "Paid"
		}
		return "Outstanding"
	}
	return pick(rng, []string{"Draft", "Authorized", "Delivered", "Outstanding"})
}

func (sd *seeder) seedInvoices(rng *rand.Rand) {
	type inv struct {
		at time.Time
		o  *orderInfo
	}
	var invs []inv
	for i := range sd.orders {
		o := &sd.orders[i]
		at := o.at.Add(time.Duration(1+rng.IntN(3)) * 24 * time.Hour)
		if at.After(sd.now) || !chance(rng, 0.7) {
			continue
		}
		invs = append(invs, inv{at: at, o: o})
	}
	sort.SliceStable(invs, func(i, j int) bool { return invs[i].at.Before(invs[j].at) })
	id := int64(600000)
	for n, iv := range invs {
		id++
		sd.addInvoice(rng, id, n, iv.at, iv.o)
	}
}

// addInvoice adds invoice number n+1 (its reference and external id) for
// order o, issued at.
func (sd *seeder) addInvoice(rng *rand.Rand, id int64, n int, at time.Time, o *orderInfo) {
	c := o.cust
	var total, tax float64
	items := make([]obj, len(o.lines))
	for i, l := range o.lines {
		total += l.value
		tax += l.tax
		items[i] = obj{{"product_id", l.product.id}, {"product_code", l.product.code},
			{"quantity", l.qty}, {"tax_amount", l.tax}, {"value", l.value}}
	}
	inclusion := "Excluded"
	if c.priceList.includesVAT {
		inclusion = "Included"
	} else {
		total += tax
	}
	total, tax = round2(total), round2(tax)
	status := invoiceStatus(rng, sd.now.Sub(at))
	outstanding := total
	modified := sd.later(rng, at, 7200)
	switch status {
	case "Paid", "Deleted":
		outstanding = 0
		modified = between(rng, at, sd.now)
	case "Outstanding":
		if chance(rng, 0.3) {
			outstanding = round2(total * 0.5)
			modified = between(rng, at, sd.now)
		}
	}
	sd.add("invoices", id, obj{
		{"id", id}, {"date", stamp(rng, at)},
		{"customer_id", c.id}, {"customer_code", c.code},
		{"reference", fmt.Sprintf("INV%06d", n+1)},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, modified)},
		{"status", status}, {"due_date", stamp(rng, at.AddDate(0, 0, 30))},
		{"external_id", fmt.Sprintf("ERP-INV-%06d", 4100+n*3)},
		{"tax_inclusion", inclusion}, {"tax", tax}, {"total", total}, {"outstanding_balance", outstanding},
		{"currency_code", c.priceList.currency}, {"currency_rate_to_base", c.priceList.rateToBase},
		{"items", items},
	}, modified)
}

func (sd *seeder) seedVisitFrequencies(rng *rand.Rand) {
	id := int64(40000)
	for i := range sd.customers {
		c := &sd.customers[i]
		if !c.active || len(c.users) == 0 || !chance(rng, 0.5) {
			continue
		}
		id++
		sd.addVisitFrequency(rng, id, c, sd.userByID(c.users[0]))
	}
}

// addVisitFrequency adds how often user u means to visit customer c.
func (sd *seeder) addVisitFrequency(rng *rand.Rand, id int64, c *customerInfo, u userInfo) {
	created := between(rng, c.created, sd.now)
	modified := between(rng, created, sd.now)
	r := sd.add("visitfrequencies", id, obj{
		{"id", id}, {"customer_id", c.id}, {"customer_code", c.code}, {"customer_name", c.name},
		{"user_id", u.id}, {"user_name", u.userName},
		{"cycle", int64(1 + rng.IntN(4))}, {"frequency", int64(1 + rng.IntN(2))},
		{"period", pick(rng, []string{"week", "week", "month", "year"})},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, modified)},
	}, modified)
	r.hidden = obj{{"create_date", stamp(rng, created)}}
}

func (sd *seeder) seedContacts(rng *rand.Rand) {
	id := int64(50000)
	for i := range sd.customers {
		c := &sd.customers[i]
		for n := rng.IntN(3); n > 0; n-- {
			id++
			sd.addContact(rng, id, c)
		}
	}
}

// addContact adds a person working at customer c.
func (sd *seeder) addContact(rng *rand.Rand, id int64, c *customerInfo) {
	first, last := pick(rng, firstNames), pick(rng, surnames)
	email := strings.ToLower(emailSafe.Replace(first + "." + last))
	created := between(rng, c.created, sd.now)
	modified := between(rng, created, sd.now)
	var address, notes, website any
	if chance(rng, 0.4) {
		address = fmt.Sprintf("%d %s\n%s\n%s\n%s", 1+rng.IntN(200), pick(rng, streetNames), c.place.city, c.place.province, c.place.zip)
	}
	if chance(rng, 0.3) {
		notes = pick(rng, awkwardTexts)
	}
	if chance(rng, 0.2) {
		website = "https://www." + strings.ToLower(strings.ReplaceAll(last, " ", "")) + ".example"
	}
	sd.add("contacts", id, obj{
		{"id", id}, {"name", first}, {"surname", last},
		{"customer_id", c.id}, {"customer_code", c.code}, {"customer_name", c.name},
		{"title", pick(rng, []any{"Mr", "Mrs", "Ms", "Dr", "Prof", nil})},
		{"company", c.name}, {"website", website},
		{"work_number", phone(rng, "+27 "+strconv.Itoa(10+rng.IntN(50)))},
		{"mobile_number", nullable(phone(rng, "+27 8"+strconv.Itoa(rng.IntN(5))), chance(rng, 0.8))},
		{"email", email + "@mail.example"}, {"job_title", pick(rng, jobTitles)}, {"notes", notes},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, modified)},
		{"create_date", stamp(rng, created)}, {"active", chance(rng, 0.9)}, {"address", address},
	}, modified)
}

// phone appends a local number to a prefix.
func phone(rng *rand.Rand, prefix string) string {
	n := strconv.Itoa(1_000_000 + rng.IntN(9_000_000))
	return prefix + " " + n[:3] + " " + n[3:]
}

// reminderOffset is a .NET TimeSpan, the format the API sends.
func reminderOffset(rng *rand.Rand) any {
	return pick(rng, []any{nil, "00:15:00", "01:00:00", "1.00:00:00", "00:30:00"})
}

func (sd *seeder) seedTasks(rng *rand.Rand) {
	id := int64(60000)
	active := sd.activeUsers()
	for i := 0; i < max(20, sd.o.Customers/4); i++ {
		id++
		sd.addTask(rng, id, active)
	}
}

// addTask adds a task created some time in the last six months.
func (sd *seeder) addTask(rng *rand.Rand, id int64, active []userInfo) {
	created := between(rng, sd.now.AddDate(0, 0, -transactionHistory), sd.now)
	due := workTime(rng, created.AddDate(0, 0, rng.IntN(30)))
	modified := sd.later(rng, created, 60)
	var completed any
	if due.Before(sd.now) && chance(rng, 0.6) {
		done := between(rng, created, sd.now)
		completed, modified = stamp(rng, done), sd.later(rng, done, 60)
	}
	var custID, custCode, custName any
	if chance(rng, 0.8) {
		c := &sd.customers[rng.IntN(len(sd.customers))]
		custID, custCode, custName = c.id, c.code, c.name
	}
	assignee, creator := pick(rng, active), pick(rng, sd.users)
	sd.add("tasks", id, obj{
		{"id", id}, {"description", pick(rng, taskTexts)}, {"create_date", stamp(rng, created)},
		{"due_date", stamp(rng, due)},
		{"customer_id", custID}, {"customer_code", custCode}, {"customer_name", custName},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, modified)},
		{"reminder_offset", reminderOffset(rng)}, {"completed_date", completed},
		{"assigned_user_id", assignee.id}, {"assigned_user_name", assignee.userName},
		{"creator_user_id", creator.id}, {"creator_user_name", creator.userName},
		{"anytime", chance(rng, 0.5)},
	}, modified)
}

func (sd *seeder) seedScheduledVisits(rng *rand.Rand) {
	id := int64(70000)
	active := sd.activeUsers()
	for i := 0; i < max(30, sd.o.Customers/2); i++ {
		id++
		sd.addScheduledVisit(rng, id, active)
	}
}

// addScheduledVisit adds a visit planned within two months either side of
// now, completed by a real visit where one happened around its due date.
func (sd *seeder) addScheduledVisit(rng *rand.Rand, id int64, active []userInfo) {
	c := &sd.customers[rng.IntN(len(sd.customers))]
	due := workTime(rng, sd.now.AddDate(0, 0, rng.IntN(90)-60))
	created := between(rng, due.AddDate(0, 0, -30), due)
	if created.After(sd.now) {
		created = sd.now.Add(-time.Hour)
	}
	modified := sd.later(rng, created, 60)
	var completer, completed any
	if due.Before(sd.now) {
		for _, v := range sd.visitsByCustomer[c.id] {
			if !v.at.Before(due.Truncate(24*time.Hour)) && v.at.Before(due.AddDate(0, 0, 2)) {
				completer, completed, modified = v.id, stamp(rng, v.at), sd.later(rng, v.at, 600)
				break
			}
		}
	}
	allDay := chance(rng, 0.4)
	var end any
	if !allDay {
		end = stamp(rng, due.Add(time.Duration(30+rng.IntN(90))*time.Minute))
	}
	assignee, creator := pick(rng, active), pick(rng, sd.users)
	sd.add("scheduledvisits", id, obj{
		{"id", id}, {"comment", nullable(pick(rng, awkwardTexts), chance(rng, 0.5))},
		{"create_date", stamp(rng, created)}, {"due_date", stamp(rng, due)},
		{"customer_id", c.id}, {"customer_code", c.code}, {"customer_name", c.name},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, modified)},
		{"reminder_offset", reminderOffset(rng)}, {"completer_visit_id", completer}, {"completed_date", completed},
		{"assigned_user_id", assignee.id}, {"assigned_user_name", assignee.userName},
		{"creator_user_id", creator.id}, {"creator_user_name", creator.userName},
		{"all_day", allDay}, {"end_time", end},
	}, modified)
}

func (sd *seeder) seedCustomerComments(rng *rand.Rand) {
	id := int64(80000)
	type comment struct {
		at time.Time
		c  *customerInfo
	}
	var cs []comment
	for i := 0; i < max(20, sd.o.Customers/4); i++ {
		cs = append(cs, comment{
			at: workTime(rng, sd.now.AddDate(0, 0, -rng.IntN(transactionHistory))),
			c:  &sd.customers[rng.IntN(len(sd.customers))],
		})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].at.Before(cs[j].at) })
	for _, cm := range cs {
		id++
		sd.addComment(rng, id, cm.at, cm.c)
	}
}

// addComment adds a rep's note on customer c made at.
func (sd *seeder) addComment(rng *rand.Rand, id int64, at time.Time, c *customerInfo) {
	if at.After(sd.now) {
		at = sd.now.Add(-time.Minute)
	}
	u := pick(rng, sd.users)
	sd.add("customercomments", id, obj{
		{"id", id}, {"comment", pick(rng, awkwardTexts[:len(awkwardTexts)-1])},
		{"customer_id", c.id}, {"customer_code", c.code}, {"date", stamp(rng, at)},
		{"row_version", int64(0)}, {"last_modified_time", stamp(rng, sd.later(rng, at, 10))},
		{"user_id", u.id}, {"user_name", u.userName},
	}, at)
}
