package sim

import "fmt"

// The spec lists no required properties; a price names its product, unit
// and price list, by id or by code and name, and the price itself.
// last_modified_time, although in OrderUnitPricePost, is the server's.
var pricePost = wdef{name: "OrderUnitPricePost", props: []wprop{{name: "price", t: wNumber},
	{name: "price_list_id", t: wInt}, {name: "price_list_name"}, {name: "product_id", t: wInt}, {name: "product_code"},
	{name: "order_unit_id", t: wInt}, {name: "order_unit_name"}, {name: "tax_rate_id", t: wInt}},
	required: []string{"product_id", "order_unit_id", "price_list_id", "price"},
	alts:     map[string]string{"product_id": "product_code", "order_unit_id": "order_unit_name", "price_list_id": "price_list_name"}}

// priceOps serves POST /prices, which upserts: a price is keyed by its
// product, order unit and price list.
func priceOps() map[string]*writeOp {
	return map[string]*writeOp{"POST": {def: &pricePost, verb: "saved", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
		p, u, errs := s.findUnit(bt, it)
		pl, err := s.findPriceList(it)
		if err != "" {
			errs = append(errs, err)
		}
		taxID, hasTax := it.int("tax_rate_id")
		if hasTax && s.st.cols["taxrates"].byID[taxID] == nil {
			errs = append(errs, fmt.Sprintf("no tax rate with id %d", taxID))
		}
		if errs != nil {
			return nil, errs
		}
		if bt.keys == nil {
			bt.keys = make(map[unitKey]*record, len(c.records))
			bt.taxOf = make(map[int64]any)
			for _, r := range c.records {
				bt.keys[unitKey{mustGet(r, "product_id"), mustGet(r, "order_unit_id"), mustGet(r, "price_list_id")}] = r
				if id, ok := mustGet(r, "product_id").(int64); ok {
					bt.taxOf[id] = mustGet(r, "tax_rate_id")
				}
			}
		}
		key := unitKey{p.id, u.must("id"), any(pl.id)}
		price, _ := it.num("price")
		return func() obj {
			r := bt.keys[key]
			if r == nil {
				var tax any = bt.taxOf[p.id] // the product's other prices' tax rate
				if hasTax {
					tax = taxID
				}
				r = &record{props: obj{{"price", price}, {"price_list_id", pl.id}, {"price_list_name", mustGet(pl, "name")},
					{"product_id", p.id}, {"product_code", mustGet(p, "code")}, {"product_name", mustGet(p, "name")},
					{"order_unit_id", u.must("id")}, {"order_unit_name", u.must("name")},
					{"last_modified_time", ""}, {"tax_rate_id", tax}}}
				r.id = s.newID(c.name)
				s.place(c, r)
				bt.keys[key] = r
				bt.taxOf[p.id] = tax
				return nil
			}
			r.props.set("price", price)
			if hasTax {
				r.props.set("tax_rate_id", taxID)
			}
			s.stampChange(c, r)
			return nil
		}, nil
	}}}
}
