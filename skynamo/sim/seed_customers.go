package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

type place struct {
	city, province, zip string
	lat, lng            float64
}

var places = []place{
	{"Johannesburg", "Gauteng", "2001", -26.2041, 28.0473},
	{"Sandton", "Gauteng", "2196", -26.1076, 28.0567},
	{"Soweto", "Gauteng", "1804", -26.2485, 27.8540},
	{"Pretoria", "Gauteng", "0002", -25.7479, 28.2293},
	{"Cape Town", "Western Cape", "8001", -33.9249, 18.4241},
	{"Stellenbosch", "Western Cape", "7600", -33.9321, 18.8602},
	{"Paarl", "Western Cape", "7646", -33.7342, 18.9621},
	{"Durban", "KwaZulu-Natal", "4001", -29.8587, 31.0218},
	{"Umhlanga", "KwaZulu-Natal", "4319", -29.7264, 31.0849},
	{"Gqeberha", "Eastern Cape", "6001", -33.9608, 25.6022},
	{"Polokwane", "Limpopo", "0699", -23.9045, 29.4689},
	{"Mbombela", "Mpumalanga", "1200", -25.4658, 30.9853},
}

var (
	streetNames = []string{"Main Rd", "Church St", "Voortrekker Rd", "Jan Smuts Ave", "Long St", "Vilakazi St", "Florida Rd", "Oxford Rd"}
	ownerNames  = []string{"Naidoo", "Mokoena", "Van Wyk", "Botha", "Dlamini", "O'Reilly", "Müller", "Pillay", "Khumalo", "Nel", "Govender", "Ndlovu"}
	shopKinds   = []string{"Superette", "Pharmacy", "Liquor Store", "Butchery", "Spaza", "Cash & Carry", "Tuck Shop", "Hardware", "Deli", "Bottle Store"}
)

type customerInfo struct {
	id        int64
	code      string
	name      string
	active    bool
	priceList priceListInfo
	users     []int64
	place     place
	discount  float64
	warehouse *warehouseInfo
	location  any // obj or nil
	created   time.Time
	weight    float64 // how busy the customer is; drives the share of orders
}

// customerName mixes shapes that trip up naive CSV and report code:
// apostrophes, commas, double quotes, ampersands and accents.
func customerName(rng *rand.Rand, p place) string {
	owner, kind := pick(rng, ownerNames), pick(rng, shopKinds)
	switch rng.IntN(10) {
	case 0:
		return fmt.Sprintf("%s, %s & Sons", owner, pick(rng, ownerNames))
	case 1:
		return fmt.Sprintf("\"Big %s\" %s", strings.Split(owner, " ")[0], kind)
	case 2:
		return "Café " + p.city
	case 3, 4, 5:
		return fmt.Sprintf("%s's %s", owner, kind)
	default:
		return fmt.Sprintf("%s %s", p.city, kind)
	}
}

func (sd *seeder) seedCustomers(rng *rand.Rand) {
	active := sd.activeUsers()
	warehouses := sd.activeWarehouses()
	id := int64(20000)
	// Customers were created over three years, in id order.
	span := sd.now.AddDate(0, 0, -200).Sub(sd.now.AddDate(-3, 0, 0))
	start := sd.now.AddDate(-3, 0, 0)
	for i := 0; i < sd.o.Customers; i++ {
		id += 1 + int64(rng.IntN(20)/19)
		sd.addCustomer(rng, id, i, active, warehouses, func(f float64) time.Time {
			return start.Add(time.Duration(float64(span) * (float64(i) + f) / float64(sd.o.Customers)))
		})
	}
}

// addCustomer adds the customer with code number i+1. created turns a
// random fraction into its creation time: a slot of the three years when
// seeding, the moment of the change for Mutate's inserts.
func (sd *seeder) addCustomer(rng *rand.Rand, id int64, i int, active []userInfo, warehouses []warehouseInfo, created func(float64) time.Time) {
	p := pick(rng, places)
	prefix := "CUS"
	switch rng.IntN(10) {
	case 0, 1, 2:
		prefix = "HB_"
	case 3:
		prefix = "ZA-"
	}
	c := customerInfo{
		id:        id,
		code:      fmt.Sprintf("%s%05d", prefix, i+1),
		name:      customerName(rng, p),
		active:    chance(rng, 0.92),
		priceList: sd.pickPriceList(rng),
		place:     p,
		created:   created(rng.Float64()),
		weight:    rng.ExpFloat64(),
	}
	for n := rng.IntN(3); n > 0 && len(active) > 0; n-- {
		u := pick(rng, active).id
		if len(c.users) == 0 || c.users[0] != u {
			c.users = append(c.users, u)
		}
	}
	if c.users == nil {
		c.users = []int64{}
	}
	if chance(rng, 0.3) {
		c.discount = pick(rng, []float64{2.5, 5, 7.5, 10})
	}
	if chance(rng, 0.7) && len(warehouses) > 0 {
		w := pick(rng, warehouses)
		c.warehouse = &w
	}
	if chance(rng, 0.85) {
		c.location = obj{
			{"latitude", round6(p.lat + (rng.Float64()-0.5)*0.1)},
			{"longitude", round6(p.lng + (rng.Float64()-0.5)*0.1)},
			{"accuracy", round2(5 + rng.Float64()*60)},
			{"is_approximate", chance(rng, 0.2)},
		}
	}
	sd.customers = append(sd.customers, c)

	modified := between(rng, c.created, sd.now)
	if chance(rng, 0.5) {
		modified = between(rng, sd.now.AddDate(0, 0, -30), sd.now)
	}
	var whID, whName any
	if c.warehouse != nil {
		whID, whName = c.warehouse.id, c.warehouse.name
	}
	files := []string{}
	if chance(rng, 0.1) {
		files = append(files, guid(rng))
	}
	sd.add("customers", c.id, obj{
		{"id", c.id}, {"code", c.code}, {"name", c.name}, {"active", c.active},
		{"location", c.location},
		{"price_list_id", c.priceList.id}, {"price_list_name", c.priceList.name},
		{"assigned_users", c.users},
		{"default_discount", nullable(c.discount, c.discount != 0 || chance(rng, 0.5))},
		{"default_warehouse_id", whID}, {"default_warehouse_name", whName},
		{"row_version", int64(0)},
		{"last_modified_time", stamp(rng, modified)},
		{"create_date", stamp(rng, c.created)},
		{"custom_fields", sd.forms.customer.values(rng, valueCtx{at: c.created, place: p, users: sd.users})},
		{"files", files},
	}, modified)
}

func round6(v float64) float64 { return float64(int64(v*1e6)) / 1e6 }

// customerPicker draws customers in proportion to their weight, so a few
// busy customers place many orders and some place none, as in real data.
type customerPicker struct {
	cum []float64
	cs  []customerInfo
}

func newCustomerPicker(cs []customerInfo) *customerPicker {
	p := &customerPicker{cum: make([]float64, len(cs)), cs: cs}
	total := 0.0
	for i, c := range cs {
		total += c.weight
		p.cum[i] = total
	}
	return p
}

func (p *customerPicker) pick(rng *rand.Rand) *customerInfo {
	x := rng.Float64() * p.cum[len(p.cum)-1]
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if p.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return &p.cs[lo]
}
