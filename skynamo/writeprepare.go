package skynamo

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// PrepareWrite validates one write against the write spec (writespec.go)
// and the instance's custom fields, and builds what is sent: the method,
// path and body item, with the label, record key, natural key and changes
// that results and plans show. All problems are collected, not just the
// first; when there are any the op is still filled as far as it could be
// (Entity, Kind, Label), for messages. Op.Index is left to the caller.
// schema may be nil only for entities without custom fields.
func PrepareWrite(req WriteRequest, schema *Schema) (WriteOp, []Problem) {
	p := &preparer{req: req, schema: schema, item: newObject()}
	p.run()
	// By property, so a person reads them in one order whatever found them.
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Property < p.problems[j].Property })
	return p.op, p.problems
}

// preparer holds one PrepareWrite's state.
type preparer struct {
	req      WriteRequest
	schema   *Schema
	t        WriteTarget
	m        WriteMethod
	op       WriteOp
	problems []Problem

	item *orderedObject // the body item's properties, wire JSON
	// key is what addresses the record (update, replace, delete), in the
	// method's Key order: the property used (id, or an alternative) and
	// its value as given.
	key     []keyPart
	changes []Change
	// resolvedFormID is a custom field's form id once resolved (add_field).
	resolvedFormID any
}

type keyPart struct {
	name  string
	value any
	wire  json.RawMessage
}

func (p *preparer) problem(property, msg string) {
	p.problems = append(p.problems, Problem{Property: property, Message: msg})
}

func (p *preparer) run() {
	p.op = WriteOp{Entity: p.req.Entity, Kind: p.req.Kind}
	t, err := LookupWriteTarget(p.req.Entity)
	if err != nil {
		p.problem("", err.Error())
		p.op.Label = p.req.Entity
		return
	}
	p.t = t
	if !t.Supports(p.req.Kind) {
		p.op.Label = t.Singular
		p.problem("", kindMessage(t, p.req.Kind))
		return
	}
	switch p.req.Kind {
	case KindAddField:
		p.addField()
		return
	case KindGrowEnum:
		p.growEnum()
		return
	}
	m, ok := t.Method(p.req.Kind, p.byExternalID())
	if !ok {
		p.problem("", kindMessage(t, p.req.Kind))
		return
	}
	p.m = m
	p.op.Method, p.op.Path = m.Method, m.Path

	if p.req.Kind != KindCreate {
		p.findKey()
	}
	if p.req.Kind == KindDelete {
		p.prepareDelete()
	} else {
		p.values()
		p.custom()
		p.entityRules()
		if p.req.Kind == KindCreate || p.req.Kind == KindReplace {
			p.checkRequired()
		}
		if p.req.Kind == KindReplace && len(p.key) > 0 {
			p.replaceResets() // without a key there is no record to compare
		}
	}
	p.op.Item = p.body()
	p.op.Label = p.label()
	p.op.RecordKey = p.recordKey()
	if p.req.Kind == KindCreate {
		p.op.NaturalKey = p.naturalKey()
	}
	if p.req.Kind == KindUpdate || (p.req.Kind == KindReplace && p.req.Record != nil) {
		p.op.Changes = p.changes
	}
}

func kindMessage(t WriteTarget, kind WriteKind) string {
	kinds := make([]string, len(t.Kinds))
	for i, k := range t.Kinds {
		kinds[i] = string(k)
	}
	return fmt.Sprintf("%s cannot be written with %q: the API offers %s", t.Entity, kind, strings.Join(kinds, ", "))
}

// byExternalID says an invoice is addressed by external_id: when asked, or
// when what names it has an external_id and no id (a create with an
// external_id goes to /invoicesbyexternalid too, which requires one).
func (p *preparer) byExternalID() bool {
	if p.t.Entity != "invoices" {
		return false
	}
	if p.req.ByExternalID {
		return true
	}
	src := p.req.Record
	if p.req.Kind == KindCreate || src == nil {
		src = p.req.Values
	}
	return absent(src["id"]) && !absent(src["external_id"])
}

// findKey takes the record's key from Record, or from Values when no
// Record is given (a replace of a full item, a key table).
func (p *preparer) findKey() {
	src, from := p.req.Record, "the record"
	if src == nil {
		src, from = p.req.Values, "the values"
	}
	for _, k := range p.m.Key {
		names := append([]string{k}, p.m.Alternatives[k]...)
		found := false
		for _, name := range names {
			v := src[name]
			if absent(v) {
				continue
			}
			prop, _ := p.m.Prop(name)
			if prop.Type == PropInteger {
				if n, ok := IntValue(v); ok {
					v = n // a key table's "17" names id 17
				}
			}
			raw, ok := p.encodeValue(name, prop, v)
			if !ok {
				found = true
				break
			}
			p.key = append(p.key, keyPart{name, v, raw})
			found = true
			break
		}
		if !found && slices.Contains(p.m.Required, k) {
			p.problem(k, fmt.Sprintf("%s has no %s: a %s %s needs the %s's %s", from, strings.Join(names, " or "),
				p.t.Singular, p.req.Kind, p.t.Singular, strings.Join(names, " or ")))
		}
	}
}

// keyFor returns the key part a property is or stands in for.
func (p *preparer) keyFor(name string) (keyPart, bool) {
	for _, kp := range p.key {
		if kp.name == name {
			return kp, true
		}
	}
	for _, k := range p.m.Key {
		if k == name || slices.Contains(p.m.Alternatives[k], name) {
			for _, kp := range p.key {
				if kp.name == k || slices.Contains(p.m.Alternatives[k], kp.name) {
					return kp, true
				}
			}
		}
	}
	return keyPart{}, false
}

func (p *preparer) prepareDelete() {
	keys := make([]string, 0, len(p.req.Values))
	for k, v := range p.req.Values {
		if !absent(v) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 && p.req.Record != nil {
		sort.Strings(keys)
		p.problem("", "a delete takes only the record, not values ("+strings.Join(keys, ", ")+")")
	}
	for _, kp := range p.key {
		p.item.set(kp.name, kp.wire)
	}
	if p.t.Entity == "stock_levels" {
		// The API's delete: a stock level POSTed with an empty level.
		p.item.set("level", jsonText(""))
	}
}

// values checks and encodes every Values entry but custom.
func (p *preparer) values() {
	names := make([]string, 0, len(p.req.Values))
	for k := range p.req.Values {
		names = append(names, k)
	}
	sort.Strings(names)
	var known []string
	for _, q := range p.m.Props {
		if !q.Custom {
			known = append(known, q.Name)
		}
	}
	if p.t.CustomFields {
		known = append(known, "custom")
	}
	for _, kp := range p.key {
		p.item.set(kp.name, kp.wire)
	}
	for _, name := range names {
		v := p.req.Values[name]
		if name == "custom" && p.t.CustomFields {
			continue
		}
		if absent(v) {
			continue
		}
		if kp, isKey := p.keyFor(name); isKey && p.req.Kind != KindCreate {
			if p.req.Record == nil || valueText(p.req.Record[name]) == valueText(v) {
				continue // the key itself (already in the item), or unchanged
			}
			// A property that stands in for a single key (a product's code
			// when its id is known) is an ordinary change.
			if kp.name == name || len(p.m.Key) > 1 {
				p.problem(name, fmt.Sprintf("%s names the %s and cannot be changed here (the record has %s %s)",
					name, p.t.Singular, kp.name, valueText(kp.value)))
				continue
			}
		}
		prop, ok := p.m.Prop(name)
		if p.req.Kind == KindReplace && (!ok || slices.Contains(p.m.ReadOnly, name)) && p.req.Record != nil &&
			valueText(p.req.Record[name]) == valueText(v) {
			// A record read, changed and replaced whole carries what the
			// server sets or derives (row_version, customer_name); unchanged,
			// they are not the script's to send.
			continue
		}
		switch {
		case slices.Contains(p.m.ReadOnly, name):
			p.problem(name, readOnlyMessage(name, p.m))
			continue
		case !ok && name == "custom":
			p.problem(name, p.t.Entity+" have no custom fields")
			continue
		case !ok:
			p.problem(name, unknownMessage(name, known))
			continue
		case prop.Custom:
			p.problem(name, "is filled from custom: give custom = {[\"Field name\"] = value}")
			continue
		}
		var raw json.RawMessage
		if isClear(v) {
			if msg := p.clearRefusal(prop); msg != "" {
				p.problem(name, msg)
				continue
			}
			raw = jsonText("")
		} else {
			if p.t.Entity == "invoices" && name == "status" {
				if v, ok = p.invoiceStatus(v); !ok {
					continue
				}
			}
			if raw, ok = p.encodeValue(name, prop, v); !ok {
				continue
			}
		}
		p.item.set(name, raw)
		p.change(name, p.recordValue(name), v)
	}
}

func readOnlyMessage(name string, m WriteMethod) string {
	if slices.Contains(serverProps, name) {
		return "is read-only: the server sets it"
	}
	if name == "tax" {
		return "is read-only in an update (FACTS.md); it can be sent with create or replace"
	}
	if name == "id" {
		return "is read-only: the server assigns ids"
	}
	return fmt.Sprintf("is read-only: %s does not take it", m.Definition)
}

// clearRefusal says why a property cannot be cleared ("" when it can).
func (p *preparer) clearRefusal(prop WriteProp) string {
	switch {
	case prop.Name == "level" && p.t.Entity == "stock_levels":
		return "cannot be cleared: to delete a stock level use delete"
	case prop.Clearable:
		return ""
	case prop.Type == PropNumber || prop.Type == PropInteger:
		return "cannot be cleared: a number has no empty value; give a number"
	case prop.Type == PropBoolean:
		return "cannot be cleared: give true or false"
	case prop.Type == PropDateTime:
		return "cannot be cleared: the API takes no empty date"
	case p.requiredSomewhere(prop.Name):
		return "cannot be cleared: it is required"
	}
	return "cannot be cleared: the API has no empty value for it; give a value"
}

func (p *preparer) requiredSomewhere(name string) bool {
	for _, m := range p.t.Methods {
		if slices.Contains(m.Required, name) {
			return true
		}
	}
	return false
}

// invoiceStatus maps the read spelling of a status to the write one
// (FACTS.md errata) and refuses those that cannot be written.
func (p *preparer) invoiceStatus(v any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return v, true
	}
	w, known := invoiceReadStatus[s]
	switch {
	case !known:
		return s, true
	case w == "":
		p.problem("status", fmt.Sprintf("%q is how an invoice reads, but it cannot be written (allowed: %s)",
			s, strings.Join(invoiceWriteStatuses, ", ")))
		return nil, false
	}
	return w, true
}

// recordValue is a property's value in the Record ("before"), or nil.
func (p *preparer) recordValue(name string) any {
	if p.req.Record == nil {
		return nil
	}
	return p.req.Record[name]
}

func (p *preparer) change(property string, before, after any) {
	if p.req.Kind != KindUpdate && p.req.Kind != KindReplace {
		return
	}
	b := ""
	if p.req.Record != nil {
		b = valueText(before)
		if b == valueText(after) && !isClear(after) {
			return // sent, but no change for a person to approve
		}
	}
	p.changes = append(p.changes, Change{Property: property, Before: b, After: valueText(after)})
}

// checkRequired finds required properties (or their alternatives) missing
// from a create's or replace's item.
func (p *preparer) checkRequired() {
	for _, r := range p.m.Required {
		if p.item.has(r) || slices.ContainsFunc(p.m.Alternatives[r], p.item.has) {
			continue
		}
		if slices.ContainsFunc(p.m.Key, func(k string) bool { return k == r }) {
			continue // reported by findKey
		}
		if p.alreadyReported(r) {
			continue
		}
		p.problem(r, requiredMessage(r, p.m.Alternatives[r]))
	}
}

// alreadyReported says a problem names the property or one of its
// alternatives, so "missing" would only repeat it.
func (p *preparer) alreadyReported(name string) bool {
	names := append([]string{name}, p.m.Alternatives[name]...)
	return slices.ContainsFunc(p.problems, func(pr Problem) bool {
		for _, n := range names {
			if pr.Property == n || strings.HasPrefix(pr.Property, n+".") || strings.HasPrefix(pr.Property, n+"[") {
				return true
			}
		}
		return false
	})
}

// body is the item as sent: a bare key, or the object in the definition's
// property order.
func (p *preparer) body() json.RawMessage {
	if p.m.BareKey != "" {
		for _, kp := range p.key {
			if kp.name == p.m.BareKey {
				return kp.wire
			}
		}
		return nil
	}
	return p.item.marshal(p.m.Props)
}
