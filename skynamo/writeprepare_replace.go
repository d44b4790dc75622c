package skynamo

import (
	"fmt"
	"slices"
	"strings"
)

// replaceResets keeps a replace from emptying what the script did not
// mention. A PUT resets every property it leaves out, so an empty CSV cell
// would otherwise clear a field, which is exactly what an absent value must
// never do. A replace must therefore carry every property (and custom
// field) the record has a value for now; writer.CLEAR empties one on
// purpose. The record as it is now comes from req.Record: a record read
// with reader, or the cached copy the caller found by its key.
func (p *preparer) replaceResets() {
	if !p.fullRecord() {
		p.problem("", "replace resets every property it does not send, so it needs the record as it is now to check what would be lost: "+
			"pass a record read with reader, or use update to change only some properties")
		return
	}
	var lost []string
	for _, prop := range p.m.Props {
		name := prop.Name
		if prop.Custom || p.item.has(name) || slices.Contains(p.m.ReadOnly, name) || slices.Contains(p.m.Key, name) {
			continue
		}
		if slices.ContainsFunc(p.m.Alternatives[name], p.item.has) || p.givenAlternative(name) {
			continue
		}
		if _, cleared := p.req.Values[name].(ClearValue); cleared {
			continue
		}
		if hasValue(p.req.Record[name]) {
			lost = append(lost, name)
		}
	}
	lost = append(lost, p.customResets()...)
	if len(lost) > 0 {
		p.problem("", fmt.Sprintf("replace would empty %s, which the record has and the write leaves out: "+
			"give them (writer.CLEAR to empty one on purpose) or use update to change only some properties", strings.Join(lost, ", ")))
	}
}

// fullRecord says req.Record holds more than the key: a record as read.
func (p *preparer) fullRecord() bool {
	for k := range p.req.Record {
		if !slices.Contains(p.m.Key, k) && !slices.ContainsFunc(p.m.Key, func(key string) bool {
			return slices.Contains(p.m.Alternatives[key], k)
		}) {
			return true
		}
	}
	return false
}

// givenAlternative says a property the write sends stands in for name
// (price_list_id sent, price_list_name left out).
func (p *preparer) givenAlternative(name string) bool {
	for sent, alts := range p.m.Alternatives {
		if slices.Contains(alts, name) && p.item.has(sent) {
			return true
		}
	}
	return false
}

// customResets lists the custom fields the record has a value for and the
// write does not mention.
func (p *preparer) customResets() []string {
	if !p.t.CustomFields || p.schema == nil {
		return nil
	}
	fs, ok := p.schema.ForEntity(p.t.Entity)
	if !ok {
		return nil
	}
	rc, _ := p.req.Record["custom"].(map[string]any)
	given, _ := p.req.Values["custom"].(map[string]any)
	mentioned := map[*Field]bool{}
	for name, v := range given {
		if f, ok := fs.Lookup(name); ok && !absent(v) {
			mentioned[f] = true
		}
	}
	var lost []string
	for name, v := range rc {
		f, ok := fs.Lookup(name)
		if !ok || mentioned[f] || !hasValue(v) {
			continue
		}
		lost = append(lost, "custom."+f.Name)
	}
	slices.Sort(lost)
	return slices.Compact(lost)
}

// hasValue says a record's value is something a reset would lose.
func hasValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		for _, e := range x {
			if hasValue(e) {
				return true
			}
		}
		return false
	}
	return true
}
