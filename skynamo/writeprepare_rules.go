package skynamo

import (
	"fmt"
	"strconv"
	"strings"
)

// entityRules are the checks beyond types and required lists that the API
// applies to single items, caught here so they fail before anything is
// sent.
func (p *preparer) entityRules() {
	v := p.req.Values
	switch p.t.Entity {
	case "stock_levels":
		// An empty level deletes a stock level: only KindDelete sends one.
		if !p.item.has("level") && !p.item.has("label") && !p.alreadyReported("level") && !p.alreadyReported("label") {
			p.problem("level", "is missing: to delete a stock level use delete")
		}
	case "scheduled_visits":
		allDay, hasAllDay := v["all_day"].(bool)
		hasEnd := !absent(v["end_time"]) && !isClear(v["end_time"])
		switch {
		case hasAllDay && allDay && hasEnd:
			p.problem("all_day", "is true but end_time is given: a visit with an end time is not all day")
		case hasAllDay && !allDay && !hasEnd && p.req.Kind != KindUpdate:
			p.problem("end_time", "required property missing: all_day is false, so the visit needs an end_time")
		}
	case "visit_frequencies":
		for _, k := range []string{"cycle", "frequency"} {
			if n, ok := IntValue(v[k]); ok && n < 1 && p.item.has(k) {
				p.problem(k, fmt.Sprintf("must be at least 1, not %d", n))
			}
		}
	case "orders", "quotes", "credit_requests":
		if list, ok := asList(v["items"]); ok && len(list) == 0 {
			p.problem("items", "must hold at least one item")
		}
	case "products":
		list, ok := asList(v["order_units"])
		if !ok {
			break
		}
		if len(list) == 0 && p.req.Kind != KindUpdate {
			p.problem("order_units", "must hold at least one order unit")
		}
		for i, e := range list {
			m, _ := e.(map[string]any)
			if f, ok := numberValue(m["multiplier"]); ok && f <= 0 {
				p.problem(fmt.Sprintf("order_units[%d].multiplier", i+1), fmt.Sprintf("must be more than 0, not %v", f))
			}
		}
	case "customer_comments":
		// nothing beyond the required list: an empty comment is absent.
	}
}

// label names the item in messages, by what a person knows it by.
func (p *preparer) label() string {
	t := p.t
	get := func(name string) any {
		if p.req.Record != nil && !absent(p.req.Record[name]) {
			return p.req.Record[name]
		}
		return p.req.Values[name]
	}
	switch t.Entity {
	case "stock_levels", "prices":
		parts := []string{}
		for _, pair := range [][2]string{{"product_code", "product_id"}, {"order_unit_name", "order_unit_id"},
			{"warehouse_name", "warehouse_id"}, {"price_list_name", "price_list_id"}} {
			if s := valueText(get(pair[0])); s != "" {
				parts = append(parts, s)
			} else if s := valueText(get(pair[1])); s != "" {
				parts = append(parts, "#"+s)
			}
		}
		return t.Singular + " " + strings.Join(parts, "/")
	}
	if p.req.Kind == KindCreate {
		if t.LabelBy != "" && !absent(p.req.Values[t.LabelBy]) {
			return fmt.Sprintf("new %s %s%q", t.Singular, labelWord(t.LabelBy), valueText(p.req.Values[t.LabelBy]))
		}
		for _, pair := range [][2]string{{"customer_code", "customer %s"}, {"customer_id", "customer id %s"}} {
			if s := valueText(p.req.Values[pair[0]]); s != "" {
				return fmt.Sprintf("new %s for "+pair[1], t.Singular, s)
			}
		}
		if s := valueText(p.req.Values["name"]); s != "" {
			return fmt.Sprintf("new %s %q", t.Singular, s)
		}
		return "new " + t.Singular
	}
	if t.LabelBy != "" && p.req.Record != nil && !absent(p.req.Record[t.LabelBy]) {
		return fmt.Sprintf("%s %s%q", t.Singular, labelWord(t.LabelBy), valueText(p.req.Record[t.LabelBy]))
	}
	for _, kp := range p.key {
		if kp.name == "id" {
			return fmt.Sprintf("%s id %s", t.Singular, valueText(kp.value))
		}
		return fmt.Sprintf("%s %s%q", t.Singular, labelWord(kp.name), valueText(kp.value))
	}
	return t.Singular
}

// labelWord is what a label says before a quoted key: `code "C1"`,
// `external id "INV-1"`, and nothing before a name.
func labelWord(prop string) string {
	switch prop {
	case "name":
		return ""
	case "external_id":
		return "external id "
	}
	return strings.ReplaceAll(prop, "_", " ") + " "
}

// recordKey identifies the record: the entity and its key, or for a create
// its natural key (two creates of one code are one record); "" when a
// create names nothing.
func (p *preparer) recordKey() string {
	var parts []string
	switch {
	case p.req.Kind != KindCreate:
		for _, kp := range p.key {
			parts = append(parts, kp.name+"="+valueText(kp.value))
		}
	case p.t.Upsert:
		for _, k := range p.m.Key {
			for _, name := range append([]string{k}, p.m.Alternatives[k]...) {
				if p.item.has(name) {
					parts = append(parts, name+"="+valueText(p.req.Values[name]))
					break
				}
			}
		}
	default:
		if nk := p.naturalKey(); nk != "" {
			parts = append(parts, p.t.NaturalKey+"="+nk)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return p.t.Entity + ":" + strings.Join(parts, ",")
}

// naturalKey is a create's value of the target's natural key, "" if none.
func (p *preparer) naturalKey() string {
	switch p.t.NaturalKey {
	case "":
		return ""
	case "form_id+name":
		id, ok := IntValue(p.resolvedFormID)
		name := valueText(p.req.Values["name"])
		if !ok || name == "" {
			return ""
		}
		return strconv.FormatInt(id, 10) + "/" + name
	}
	if !p.item.has(p.t.NaturalKey) {
		return ""
	}
	return valueText(p.req.Values[p.t.NaturalKey])
}
