package skynamo

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// customValue is one checked custom field value.
type customValue struct {
	f    *Field
	wire string
}

// custom checks Values["custom"] against the entity's fields and adds
// custom_fields (customers, products: [{id, value}]) or forms
// (transactions: [{id: form id, custom_fields: [{id, value}]}]) to the item.
func (p *preparer) custom() {
	if !p.t.CustomFields {
		return
	}
	raw, given := p.req.Values["custom"]
	given = given && raw != nil
	whole := p.req.Kind == KindCreate || p.req.Kind == KindReplace
	if !given && !whole {
		return
	}
	vals, isMap := raw.(map[string]any)
	if given && !isMap {
		p.problem("custom", "must be a table of custom field values by name, not "+describeValue(raw))
		return
	}
	if p.schema == nil {
		if given || p.t.Entity == "customers" || p.t.Entity == "products" {
			p.problem("custom", "the form definitions are needed to check custom fields; read them first (reader.form_definitions)")
		}
		return
	}
	fs, _ := p.schema.ForEntity(p.t.Entity)
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	byField := map[*Field]string{} // field -> the name it was given by
	var picked []customValue
	for _, name := range names {
		v := vals[name]
		if absent(v) {
			continue
		}
		f, ok := fs.Lookup(name)
		if !ok {
			msg := fmt.Sprintf("unknown custom field %q of %s", name, p.t.Entity)
			if near := fs.Suggest(name); len(near) > 0 {
				msg += "; did you mean " + quotedList(near, " or ") + "?"
			}
			p.problem("custom."+name, msg)
			continue
		}
		at := "custom." + f.Key
		if other, dup := byField[f]; dup {
			p.problem(at, fmt.Sprintf("given twice, as %q and %q", other, name))
			continue
		}
		byField[f] = name
		var wire string
		if isClear(v) {
			if f.Required {
				p.problem(at, "is a required custom field and cannot be cleared")
				continue
			}
		} else {
			w, err := f.Encode(v)
			if err != nil {
				p.problem(at, err.Error())
				continue
			}
			if w == "" {
				continue // an empty list or address: absent, never a clear
			}
			wire = w
		}
		picked = append(picked, customValue{f, wire})
		p.change(at, p.recordCustom(f, name), v)
	}
	if whole {
		p.requiredCustom(fs, picked)
	}
	if len(picked) == 0 {
		return
	}
	order := map[*Field]int{}
	for i, f := range fs.Fields {
		order[f] = i
	}
	sort.Slice(picked, func(i, j int) bool { return order[picked[i].f] < order[picked[j].f] })
	if _, tx := EntityFormType(p.t.Entity); tx {
		p.item.set("forms", formsJSON(picked))
		return
	}
	p.item.set("custom_fields", fieldsJSON(picked))
}

// requiredCustom reports required fields without a value on a create or
// replace: all of a customer's or product's form; on a transaction those
// of the forms it fills in (the others are not part of it).
func (p *preparer) requiredCustom(fs *FieldSet, picked []customValue) {
	has := map[*Field]bool{}
	forms := map[int64]bool{}
	for _, c := range picked {
		has[c.f] = c.wire != ""
		forms[c.f.FormID] = true
	}
	_, tx := EntityFormType(p.t.Entity)
	for _, f := range fs.Fields {
		if !f.Required || has[f] || (tx && !forms[f.FormID]) {
			continue
		}
		if slices.ContainsFunc(p.problems, func(pr Problem) bool { return pr.Property == "custom."+f.Key }) {
			continue
		}
		msg := "required custom field missing"
		if choices := f.choices(); len(choices) > 0 {
			msg += " (one of: " + strings.Join(choices, "; ") + ")"
		}
		p.problem("custom."+f.Key, msg)
	}
}

// recordCustom is a custom field's value in the Record, found under any
// of the names the reader or a script may use.
func (p *preparer) recordCustom(f *Field, given string) any {
	if p.req.Record == nil {
		return nil
	}
	rc, _ := p.req.Record["custom"].(map[string]any)
	for _, n := range []string{f.Key, f.Name, f.Ident, given} {
		if v, ok := rc[n]; ok {
			return v
		}
	}
	return nil
}

func fieldJSON(c customValue) json.RawMessage {
	o := newObject()
	o.set("id", json.RawMessage(strconv.FormatInt(c.f.ID, 10)))
	o.set("value", jsonText(c.wire))
	return o.marshal(nil)
}

func fieldsJSON(cs []customValue) json.RawMessage {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = string(fieldJSON(c))
	}
	return json.RawMessage("[" + strings.Join(parts, ",") + "]")
}

// formsJSON groups transaction values by form, forms by id.
func formsJSON(cs []customValue) json.RawMessage {
	byForm := map[int64][]customValue{}
	var ids []int64
	for _, c := range cs {
		if _, ok := byForm[c.f.FormID]; !ok {
			ids = append(ids, c.f.FormID)
		}
		byForm[c.f.FormID] = append(byForm[c.f.FormID], c)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		o := newObject()
		o.set("id", json.RawMessage(strconv.FormatInt(id, 10)))
		o.set("custom_fields", fieldsJSON(byForm[id]))
		parts[i] = string(o.marshal(nil))
	}
	return json.RawMessage("[" + strings.Join(parts, ",") + "]")
}
