package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

type productInfo struct {
	id        int64
	code      string
	name      string
	units     []unitInfo
	tax       taxInfo
	basePrice float64 // Standard list price of one base unit, ZAR excl. VAT
	active    bool
}

type unitInfo struct {
	id         int64
	name       string
	multiplier float64
	active     bool
}

type category struct {
	prefix string
	names  []string
	sizes  []string
	price  float64 // typical base-unit price
}

// Codes carry a category prefix (HB_ for household, as in the spec's own
// starts_with example) so prefix filters have something to find.
var categories = []category{
	{"BEV_", []string{"Rooibos Iced Tea", "Crème Soda", "Ginger Beer", "Mango Nectar", "Still Water", "Granadilla Twist"}, []string{"330ml", "500ml", "1L", "2L"}, 14},
	{"SNK_", []string{"Beef Biltong", "Chakalaka Chips", "Salted Peanuts", "Rusks \"Buttermilk\"", "Droëwors"}, []string{"50g", "125g", "250g", "1kg"}, 32},
	{"HB_", []string{"Dishwashing Liquid", "Bleach, Lemon", "Washing Powder", "Hand Soap", "Floor Polish"}, []string{"500ml", "750ml", "2kg", "5L"}, 45},
	{"PC_", []string{"Aqueous Cream", "Roll-on (Unscented)", "Toothpaste", "Shampoo"}, []string{"50ml", "100ml", "400ml"}, 38},
}

func (sd *seeder) seedCatalog(rng *rand.Rand) {
	sd.seedProducts(rng)
	sd.seedPrices(rng)
	sd.seedStockLevels(rng)
}

func (sd *seeder) seedProducts(rng *rand.Rand) {
	id := int64(5000)
	sd.unitID = 9000
	sd.perCategory = make([]int, len(categories))
	for i := 0; i < sd.o.Products; i++ {
		id += 1 + int64(rng.IntN(10)/9) // the odd deleted product leaves a gap
		sd.addProduct(rng, i, id)
	}
}

// addProduct adds product number i, named and coded after its place in
// its category.
func (sd *seeder) addProduct(rng *rand.Rand, i int, id int64) {
	ci := i % len(categories)
	c := categories[ci]
	n := sd.perCategory[ci]
	sd.perCategory[ci]++
	name := c.names[n%len(c.names)] + " " + c.sizes[(n/len(c.names))%len(c.sizes)]
	if round := n / (len(c.names) * len(c.sizes)); round > 0 {
		name = fmt.Sprintf("%s (%d)", name, round+1)
	}
	p := productInfo{
		id: id, code: fmt.Sprintf("%s%03d", c.prefix, n+1), name: name,
		tax:       sd.taxRates[0],
		basePrice: round2(c.price * (0.6 + rng.Float64())),
		active:    chance(rng, 0.9),
	}
	if c.prefix == "SNK_" && chance(rng, 0.3) {
		p.tax = sd.taxRates[1] // basic foodstuffs are zero-rated
	}
	sd.unitID++
	p.units = append(p.units, unitInfo{id: sd.unitID, name: "Each", multiplier: 1, active: true})
	sd.unitID++
	caseSize := pick(rng, []float64{6, 12, 24})
	p.units = append(p.units, unitInfo{id: sd.unitID, name: fmt.Sprintf("Case (%g)", caseSize), multiplier: caseSize, active: true})
	if chance(rng, 0.3) {
		sd.unitID++
		p.units = append(p.units, unitInfo{id: sd.unitID, name: "Pallet", multiplier: caseSize * 40, active: true})
	}
	if chance(rng, 0.15) {
		sd.unitID++
		p.units = append(p.units, unitInfo{id: sd.unitID, name: "Display Box", multiplier: 3, active: false})
	}
	sd.products = append(sd.products, p)

	created := between(rng, sd.now.AddDate(-3, 0, 0), sd.now.AddDate(0, -7, 0))
	modified := between(rng, created, sd.now)
	units := make([]obj, len(p.units))
	for j, u := range p.units {
		var packaging any
		if u.multiplier > 1 {
			packaging = obj{{"inner", int64(u.multiplier / 2)}, {"outer", int64(u.multiplier)}, {"pallet", int64(caseSize * 40)}}
		}
		units[j] = obj{{"id", u.id}, {"name", u.name}, {"multiplier", u.multiplier}, {"active", u.active},
			{"minimum_order_quantity", int64(1)}, {"packaging_option", packaging}}
	}
	files := []string{}
	if chance(rng, 0.4) {
		files = append(files, guid(rng))
	}
	sd.add("products", p.id, obj{
		{"id", p.id}, {"row_version", int64(0)}, {"code", p.code}, {"name", p.name}, {"active", p.active},
		{"order_units", units}, {"last_modified_time", stamp(rng, modified)},
		{"custom_fields", sd.forms.product.values(rng, valueCtx{at: created, users: sd.users, id: p.id})},
		{"files", files},
	}, modified)
}

// priceOf is a product unit's price on a list, in the list's currency.
func priceOf(p productInfo, u unitInfo, pl priceListInfo) float64 {
	price := p.basePrice * u.multiplier * pl.factor
	if pl.includesVAT {
		price *= 1 + p.tax.rate/100
	}
	return round2(price)
}

func (sd *seeder) seedPrices(rng *rand.Rand) {
	var seq int64
	for _, p := range sd.products {
		for _, u := range p.units {
			if !u.active {
				continue
			}
			for _, pl := range sd.priceLists {
				// Not every product is on every list: a client must cope with gaps.
				if pl.id != 1 && chance(rng, 0.1) {
					continue
				}
				seq++
				sd.add("prices", seq, obj{
					{"price", priceOf(p, u, pl)}, {"price_list_id", pl.id}, {"price_list_name", pl.name},
					{"product_id", p.id}, {"product_code", p.code}, {"product_name", p.name},
					{"order_unit_id", u.id}, {"order_unit_name", u.name},
					{"last_modified_time", stamp(rng, between(rng, sd.now.AddDate(0, -8, 0), sd.now))},
					{"tax_rate_id", p.tax.id},
				}, time.Time{})
			}
		}
	}
}

func (sd *seeder) seedStockLevels(rng *rand.Rand) {
	var seq int64
	warehouses := sd.activeWarehouses()
	for _, p := range sd.products {
		for ui, u := range p.units {
			if !u.active || ui > 1 {
				continue
			}
			// The default warehouse (no warehouse_id) first, then real ones.
			targets := []*warehouseInfo{nil}
			for i := range warehouses {
				if chance(rng, 0.6) {
					targets = append(targets, &warehouses[i])
				}
			}
			for _, w := range targets {
				if w == nil && ui > 0 {
					continue
				}
				seq++
				level := float64(rng.IntN(400))
				if chance(rng, 0.1) {
					level = 0
				}
				var whID, whName any
				if w != nil {
					whID, whName = w.id, w.name
				}
				sd.add("stocklevels", seq, obj{
					{"product_id", p.id}, {"product_code", p.code}, {"product_name", p.name},
					{"order_unit_id", u.id}, {"order_unit_name", u.name},
					{"warehouse_id", whID}, {"warehouse_name", whName},
					{"level", level}, {"label", stockLabel(level)},
					{"last_modified_time", stamp(rng, between(rng, sd.now.AddDate(0, 0, -14), sd.now))},
				}, time.Time{})
			}
		}
	}
}

// stockLabel is the label a level shows in the app.
func stockLabel(level float64) string {
	switch {
	case level == 0:
		return "Out of Stock"
	case level < 20:
		return "Low"
	}
	return "In Stock"
}
