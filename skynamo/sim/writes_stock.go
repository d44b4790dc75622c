package sim

import (
	"fmt"
	"strconv"
)

// The spec lists no required properties; an item must name its product
// and unit, by id or by code and name.
var stockLevelPost = wdef{name: "StockLevelPost", props: []wprop{{name: "product_id", t: wInt}, {name: "product_code"},
	{name: "order_unit_id", t: wInt}, {name: "order_unit_name"}, {name: "warehouse_id", t: wInt}, {name: "warehouse_name"},
	{name: "level", t: wNumOrNil}, {name: "label"}},
	required: []string{"product_id", "order_unit_id"},
	alts:     map[string]string{"product_id": "product_code", "order_unit_id": "order_unit_name"}}

func stockLevelOps() map[string]*writeOp {
	return map[string]*writeOp{"POST": {def: &stockLevelPost, verb: "saved", prepare: func(s *Server, c *collection, bt *batch, it item) (func() obj, []string) {
		p, u, errs := s.findUnit(bt, it)
		var whID, whName any
		if present(it, "warehouse_id") || present(it, "warehouse_name") {
			w, err := s.findWarehouse(it)
			if err != "" {
				errs = append(errs, err)
			} else {
				whID, whName = w.id, mustGet(w, "name")
			}
		}
		_, hasLevel := it["level"]
		_, hasLabel := it["label"]
		if !hasLevel && !hasLabel {
			errs = append(errs, "level or label is required")
		}
		if errs != nil {
			return nil, errs
		}
		// An empty level or label (null or "") deletes the stock level.
		del := (hasLevel && (it["level"] == nil || it["level"] == "")) || (hasLabel && (it["label"] == nil || it["label"] == ""))
		key := unitKey{p.id, u.must("id"), whID}
		if bt.keys == nil && c.stockKeys != nil && c.stockKeysGen == c.gen {
			bt.keys = c.stockKeys
		}
		if bt.keys == nil {
			bt.keys = make(map[unitKey]*record, len(c.records))
			for _, r := range c.records {
				bt.keys[unitKey{mustGet(r, "product_id"), mustGet(r, "order_unit_id"), mustGet(r, "warehouse_id")}] = r
			}
		}
		level, _ := it.num("level")
		label, _ := it.str("label")
		return func() obj {
			r := bt.keys[key]
			switch {
			case del:
				if r != nil {
					s.deleteRecord(c, r)
					delete(bt.keys, key)
				}
				return nil
			case r == nil:
				if !hasLevel {
					level = 0
				}
				r = &record{props: obj{{"product_id", p.id}, {"product_code", mustGet(p, "code")}, {"product_name", mustGet(p, "name")},
					{"order_unit_id", u.must("id")}, {"order_unit_name", u.must("name")},
					{"warehouse_id", whID}, {"warehouse_name", whName},
					{"level", level}, {"label", stockLabel(level)}, {"last_modified_time", ""}}}
				r.id = s.newID(c.name)
				if hasLabel {
					r.props.set("label", label)
				}
				s.place(c, r)
				bt.keys[key] = r
				return nil
			}
			if hasLevel {
				r.props.set("level", level)
			}
			if hasLabel {
				r.props.set("label", label)
			}
			s.stampChange(c, r)
			return nil
		}, nil
	}}}
}

// findUnit resolves an item's product (product_id or product_code) and
// order unit (order_unit_id or order_unit_name).
func (s *Server) findUnit(bt *batch, it item) (*record, obj, []string) {
	products := s.st.cols["products"]
	var p *record
	if id, ok := it.int("product_id"); ok {
		if p = products.byID[id]; p == nil {
			return nil, nil, []string{fmt.Sprintf("no product with id %d", id)}
		}
	} else {
		code, _ := it.str("product_code")
		if p = s.productByCode(bt, code); p == nil {
			return nil, nil, []string{"no product with code " + strconv.Quote(code)}
		}
	}
	units, _ := mustGet(p, "order_units").([]obj)
	uid, byID := it.int("order_unit_id")
	name, _ := it.str("order_unit_name")
	for _, u := range units {
		if (byID && u.must("id") == uid) || (!byID && u.must("name") == name) {
			return p, u, nil
		}
	}
	if byID {
		return nil, nil, []string{fmt.Sprintf("product %v has no order unit with id %d", mustGet(p, "code"), uid)}
	}
	return nil, nil, []string{fmt.Sprintf("product %v has no order unit named %q", mustGet(p, "code"), name)}
}

// findWarehouse resolves warehouse_id or warehouse_name.
func (s *Server) findWarehouse(it item) (*record, string) {
	c := s.st.cols["warehouses"]
	if id, ok := it.int("warehouse_id"); ok {
		if r := c.byID[id]; r != nil {
			return r, ""
		}
		return nil, fmt.Sprintf("no warehouse with id %d", id)
	}
	name, _ := it.str("warehouse_name")
	for _, r := range c.records {
		if mustGet(r, "name") == name {
			return r, ""
		}
	}
	return nil, "no warehouse named " + strconv.Quote(name)
}

// productByCode finds a product by code through the batch's index.
func (s *Server) productByCode(bt *batch, code string) *record {
	if bt.byCode == nil {
		products := s.st.cols["products"]
		bt.byCode = make(map[string]*record, len(products.records))
		for _, r := range products.records {
			if code, ok := mustGet(r, "code").(string); ok {
				bt.byCode[code] = r
			}
		}
	}
	return bt.byCode[code]
}
