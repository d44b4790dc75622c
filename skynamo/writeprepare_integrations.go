package skynamo

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// integrationValues checks that Values hold only the method's properties
// and its local ones; it returns them sorted.
func (p *preparer) integrationValues() []string {
	p.m = p.t.Methods[0]
	p.op.Method, p.op.Path = p.m.Method, p.m.Path
	var known []string
	for _, q := range p.m.Props {
		known = append(known, q.Name)
	}
	known = append(known, p.m.Local...)
	var names []string
	for k, v := range p.req.Values {
		if absent(v) {
			continue
		}
		if !slices.Contains(known, k) {
			p.problem(k, unknownMessage(k, known))
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// addField prepares one fields_to_add entry {form_id, name, type}. form_id
// may name the form: "customers", "products", "orders", "quotes",
// "credit_requests" (their single active form) or a form's name.
func (p *preparer) addField() {
	p.integrationValues()
	v := p.req.Values
	formID, formOK := p.resolveForm("form_id", v["form_id"])
	if formOK {
		p.item.set("form_id", json.RawMessage(strconv.FormatInt(formID, 10)))
		p.resolvedFormID = formID
	}
	name, _ := v["name"].(string)
	name = strings.TrimSpace(name)
	if !absent(v["name"]) {
		if raw, ok := p.encodeValue("name", WriteProp{Name: "name", Type: PropString}, v["name"]); ok {
			if name == "" {
				p.problem("name", "must not be blank")
			} else {
				p.item.set("name", raw)
			}
		}
	}
	if !absent(v["type"]) {
		if raw, ok := p.encodeValue("type", p.m.Props[2], v["type"]); ok {
			p.item.set("type", raw)
		}
	}
	if formOK && name != "" && p.schema != nil {
		if f := p.schema.Form(formID); f != nil && slices.ContainsFunc(f.Fields, func(x *Field) bool { return x.Name == name }) {
			p.problem("name", fmt.Sprintf("form %d (%s) already has a field named %q", formID, f.Name, name))
		}
	}
	p.checkRequired()
	p.op.Item = p.item.marshal(p.m.Props)
	p.op.Label = fmt.Sprintf("custom field %q", name)
	if formOK {
		p.op.Label += fmt.Sprintf(" on form %d", formID)
	}
	p.op.NaturalKey = p.naturalKey()
	if p.op.NaturalKey != "" {
		p.op.RecordKey = p.t.Entity + ":" + p.op.NaturalKey
	}
}

// resolveForm reads a form reference: an id, an entity name or a form name.
func (p *preparer) resolveForm(prop string, v any) (int64, bool) {
	if absent(v) {
		return 0, false
	}
	if _, isText := v.(string); !isText {
		raw, ok := p.encodeValue(prop, WriteProp{Name: prop, Type: PropInteger}, v)
		if !ok {
			return 0, false
		}
		id, _ := strconv.ParseInt(string(raw), 10, 64)
		if p.schema != nil && p.schema.Form(id) == nil {
			p.problem(prop, fmt.Sprintf("no form with id %d", id))
			return 0, false
		}
		return id, true
	}
	ref := v.(string)
	switch ref {
	case "customers":
		return CustomerFormID, true
	case "products":
		return ProductFormID, true
	}
	if p.schema == nil {
		p.problem(prop, fmt.Sprintf("cannot find form %q without the form definitions; give its id", ref))
		return 0, false
	}
	if typ, ok := EntityFormType(ref); ok {
		var found []*Form
		for _, f := range p.schema.Forms {
			if f.Type == typ && f.Active {
				found = append(found, f)
			}
		}
		if len(found) == 1 {
			return found[0].ID, true
		}
		var names []string
		for _, f := range found {
			names = append(names, fmt.Sprintf("%d (%s)", f.ID, f.Name))
		}
		p.problem(prop, fmt.Sprintf("%s has %d active %s forms; give the form's id or name: %s", ref, len(found), typ, strings.Join(names, ", ")))
		return 0, false
	}
	var names []string
	for _, f := range p.schema.Forms {
		if f.Name == ref {
			return f.ID, true
		}
		names = append(names, f.Name)
	}
	msg := fmt.Sprintf("no form named %q", ref)
	if near := SuggestNames(ref, append(names, "customers", "products", "orders", "quotes", "credit_requests"), 2); len(near) > 0 {
		msg += "; did you mean " + quotedList(near, " or ") + "?"
	}
	p.problem(prop, msg)
	return 0, false
}

// growEnum prepares one enum_grow_data entry {customfield_id, enums}. The
// field may be named instead: form_id (id, entity or form name) and field
// (display name or identifier).
func (p *preparer) growEnum() {
	p.integrationValues()
	v := p.req.Values
	var field *Field
	var fieldID int64
	haveID := false
	switch {
	case !absent(v["customfield_id"]):
		if raw, ok := p.encodeValue("customfield_id", p.m.Props[0], v["customfield_id"]); ok {
			fieldID, _ = strconv.ParseInt(string(raw), 10, 64)
			haveID = true
			field = p.fieldByID(fieldID)
			if field == nil && p.schema != nil {
				p.problem("customfield_id", fmt.Sprintf("no custom field with id %d", fieldID))
				haveID = false
			}
		}
	case !absent(v["field"]):
		field = p.fieldByName(v["form_id"], v["field"])
		if field != nil {
			fieldID, haveID = field.ID, true
		}
	default:
		p.problem("customfield_id", "required property missing (or give form_id and field, the field's name)")
	}
	if haveID {
		p.item.set("customfield_id", json.RawMessage(strconv.FormatInt(fieldID, 10)))
	}
	labels := p.growLabels(field, v["enums"])
	if labels != nil {
		p.item.set("enums", jsonText(labels))
	}
	p.op.Item = p.item.marshal(p.m.Props)
	switch {
	case field != nil:
		p.op.Label = fmt.Sprintf("%s %q (id %d)", p.t.Singular, field.Name, field.ID)
	case haveID:
		p.op.Label = fmt.Sprintf("%s id %d", p.t.Singular, fieldID)
	default:
		p.op.Label = p.t.Singular + " " + valueText(v["field"])
	}
	if haveID {
		p.op.RecordKey = fmt.Sprintf("%s:%d", p.t.Entity, fieldID)
	}
	if field != nil && len(labels) > 0 {
		p.changes = append(p.changes, Change{Property: "custom." + field.Name, Before: strings.Join(field.Labels(), "; "),
			After: strings.Join(append(field.Labels(), labels...), "; ")})
		p.op.Changes = p.changes
	}
}

func (p *preparer) fieldByID(id int64) *Field {
	if p.schema == nil {
		return nil
	}
	for _, form := range p.schema.Forms {
		for _, f := range form.Fields {
			if f.ID == id {
				return f
			}
		}
	}
	return nil
}

func (p *preparer) fieldByName(form, name any) *Field {
	fieldName, ok := name.(string)
	if !ok {
		p.problem("field", wrongType("a field name (text)", name))
		return nil
	}
	if absent(form) {
		p.problem("form_id", "required property missing: name the form the field is on (customers, products, a form name or id)")
		return nil
	}
	if p.schema == nil {
		p.problem("field", "cannot find a field by name without the form definitions; give customfield_id")
		return nil
	}
	id, ok := p.resolveForm("form_id", form)
	if !ok {
		return nil
	}
	fs := p.schema.FormFields(id)
	f, ok := fs.Lookup(fieldName)
	if !ok {
		msg := fmt.Sprintf("form %d has no custom field %q", id, fieldName)
		if near := fs.Suggest(fieldName); len(near) > 0 {
			msg += "; did you mean " + quotedList(near, " or ") + "?"
		}
		p.problem("field", msg)
		return nil
	}
	return f
}

// growLabels checks the labels to add: text, not blank; a nested field
// grows by "Parent - Child"; a flat one takes no commas (a multi value
// joins labels with them).
func (p *preparer) growLabels(f *Field, v any) []string {
	if absent(v) {
		p.problem("enums", "required property missing: the labels to add")
		return nil
	}
	list, ok := asList(v)
	if !ok {
		if s, isText := v.(string); isText {
			list = []any{s}
		} else {
			p.problem("enums", wrongType("a list of labels", v))
			return nil
		}
	}
	if f != nil {
		switch f.Type {
		case TypeSingleEnum, TypeMultiEnum, TypeSingleHierarchical, TypeMultiHierarchical:
		default:
			p.problem("field", fmt.Sprintf("custom field %q is a %s, not an enumeration", f.Name, f.Type))
			return nil
		}
	}
	nested := f != nil && (f.Type == TypeSingleHierarchical || f.Type == TypeMultiHierarchical)
	labels := []string{}
	for i, e := range list {
		at := fmt.Sprintf("enums[%d]", i+1)
		s, ok := e.(string)
		if !ok {
			p.problem(at, wrongType("a label (text)", e))
			continue
		}
		s = strings.TrimSpace(s)
		parent, child, cut := strings.Cut(s, hierarchySeparator)
		switch {
		case s == "":
			p.problem(at, "a label must not be blank")
		case nested && (!cut || strings.TrimSpace(parent) == "" || strings.TrimSpace(child) == ""):
			p.problem(at, fmt.Sprintf("%q: a nested field grows by \"Parent - Child\"", s))
		case f != nil && !nested && strings.Contains(s, ","):
			p.problem(at, fmt.Sprintf("%q: a new label must not hold a comma (multi values are joined by commas)", s))
		default:
			labels = append(labels, s)
		}
	}
	if len(labels) == 0 && len(list) == 0 {
		p.problem("enums", "must hold at least one label")
	}
	return labels
}
