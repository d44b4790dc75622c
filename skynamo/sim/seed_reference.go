package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

type userInfo struct {
	id          int64
	userName    string
	displayName string
	active      bool
}

type warehouseInfo struct {
	id     int64
	name   string
	active bool
}

type taxInfo struct {
	id   int64
	rate float64
}

type priceListInfo struct {
	id          int64
	name        string
	currency    string
	rateToBase  float64 // multiply an amount in this currency by it to get ZAR
	includesVAT bool
	factor      float64 // price relative to the Standard list, in this currency
	active      bool
	share       float64 // fraction of customers on this list
}

// Reps of the demo company: names with accents and apostrophes, because
// reports and CSV files must survive them.
var repNames = []string{
	"Thabo Mokoena", "Anika van der Merwe", "Sipho Dlamini", "Chloé Naidoo",
	"Johan Botha", "Lerato Khumalo", "Pieter O'Brien", "Ayesha Patel",
	"Nomvula Zulu", "Ruan de Villiers", "Fatima Essop", "Kagiso Molefe",
}

func (sd *seeder) seedReference(rng *rand.Rand) {
	sd.seedUsers(rng)
	sd.seedWarehouses(rng)
	sd.seedTaxRates(rng)
	sd.seedPriceLists(rng)
}

func (sd *seeder) seedUsers(rng *rand.Rand) {
	for i := 0; i < sd.o.Users; i++ {
		display := fmt.Sprintf("Rep %d", i+1)
		if i < len(repNames) {
			display = repNames[i]
		}
		login := strings.ToLower(strings.NewReplacer(" ", ".", "'", "", "é", "e").Replace(display))
		u := userInfo{id: int64(101 + i), userName: login, displayName: display,
			// One rep has left; their history stays.
			active: i != 3 || sd.o.Users < 4}
		access := "Mobile"
		switch {
		case i == 0:
			access = "Web"
		case i%3 == 1:
			access = "Web and Mobile"
		}
		email := any(login + "@demo-company.example")
		if i == 5 {
			email = nil
		}
		sd.users = append(sd.users, u)
		sd.add("users", u.id, obj{
			{"id", u.id}, {"user_name", u.userName}, {"display_name", u.displayName},
			{"email", email}, {"active", u.active}, {"access", access},
		}, time.Time{})
	}
}

// activeUsers are the reps who still place orders.
func (sd *seeder) activeUsers() []userInfo {
	var out []userInfo
	for _, u := range sd.users {
		if u.active {
			out = append(out, u)
		}
	}
	return out
}

func (sd *seeder) userByID(id int64) userInfo {
	for _, u := range sd.users {
		if u.id == id {
			return u
		}
	}
	return sd.users[0]
}

func (sd *seeder) seedWarehouses(rng *rand.Rand) {
	type wh struct {
		name, email string
		active      bool
	}
	for i, w := range []wh{
		{"Johannesburg DC", "orders.jhb@demo-company.example", true},
		{"Cape Town DC", "orders.cpt@demo-company.example", true},
		{"Durban Depot", "orders.dbn@demo-company.example;dispatch.dbn@demo-company.example", true},
		{"Pretoria (closed)", "", false},
	} {
		id := int64(i + 1)
		sd.warehouses = append(sd.warehouses, warehouseInfo{id: id, name: w.name, active: w.active})
		email := nullable(w.email, w.email != "")
		sd.add("warehouses", id, obj{
			{"id", id}, {"name", w.name}, {"order_email", email},
			{"credit_request_email", nullable("credits@demo-company.example", i != 2 && w.active)},
			{"quote_email", email}, {"active", w.active},
			{"last_modified_time", stamp(rng, sd.now.AddDate(-1, -i, -3*i))},
		}, time.Time{})
	}
}

func (sd *seeder) activeWarehouses() []warehouseInfo {
	var out []warehouseInfo
	for _, w := range sd.warehouses {
		if w.active {
			out = append(out, w)
		}
	}
	return out
}

func (sd *seeder) seedTaxRates(rng *rand.Rand) {
	type tr struct {
		name   string
		rate   float64
		active bool
	}
	// Names end with the ERP's code in brackets, the convention the older
	// SDK's tax-rate sync matched on.
	for i, t := range []tr{
		{"VAT 15% (T01)", 15, true},
		{"Zero Rated (T00)", 0, true},
		{"Exempt (T02)", 0, true},
		{"VAT 14% (T99)", 14, false},
	} {
		id := int64(i + 1)
		sd.taxRates = append(sd.taxRates, taxInfo{id: id, rate: t.rate})
		sd.add("taxrates", id, obj{
			{"id", id}, {"name", t.name}, {"rate", t.rate}, {"active", t.active},
			{"last_modified_time", stamp(rng, sd.now.AddDate(-2, 0, -i))},
		}, time.Time{})
	}
}

func (sd *seeder) seedPriceLists(rng *rand.Rand) {
	sd.priceLists = []priceListInfo{
		{id: 1, name: "Standard", currency: "ZAR", rateToBase: 1, factor: 1, active: true, share: 0.45},
		{id: 2, name: "Wholesale", currency: "ZAR", rateToBase: 1, factor: 0.88, active: true, share: 0.25},
		{id: 3, name: "Retail (VAT incl.)", currency: "ZAR", rateToBase: 1, factor: 1.15, includesVAT: true, active: true, share: 0.15},
		{id: 4, name: "Export USD", currency: "USD", rateToBase: 18.25, factor: 1.05 / 18.25, active: true, share: 0.15},
		{id: 5, name: "Standard 2023", currency: "ZAR", rateToBase: 1, factor: 0.93, active: false},
	}
	for i, p := range sd.priceLists {
		sd.add("pricelists", p.id, obj{
			{"id", p.id}, {"name", p.name}, {"active", p.active}, {"prices_include_vat", p.includesVAT},
			{"last_modified_time", stamp(rng, sd.now.AddDate(0, -6+i, -i))},
			{"currency_code", p.currency}, {"currency_rate_to_base", p.rateToBase},
		}, time.Time{})
	}
}

// pickPriceList draws a list by its share of customers.
func (sd *seeder) pickPriceList(rng *rand.Rand) priceListInfo {
	u := rng.Float64()
	for _, p := range sd.priceLists {
		if u < p.share {
			return p
		}
		u -= p.share
	}
	return sd.priceLists[0]
}
