package bindings

import (
	"encoding/json"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// A script often names the record to change by its key alone: {id = 3},
// or the ERP's customer code. The writer then finds the record in the
// cache, so that an update's plan shows each change's before, a customer
// named by code gets the id its update needs, and a replace can be checked
// for what it would empty. Each entity is indexed once per batch, and only
// when a write names a record this way.

// cachedRecords indexes one entity's cached records by id, code and
// external id, decoding only the records asked for.
type cachedRecords struct {
	raw    []json.RawMessage
	byID   map[string]int
	byCode map[string]int
	byExt  map[string]int
	fields *skynamo.FieldSet
}

// lookupKeys are the properties a record can be found by, in the order
// they are tried.
var lookupKeys = []string{"id", "code", "external_id"}

// resolveRecord returns the cached record that key names, as a
// WriteRequest record (standard properties, custom fields under "custom"),
// or nil when key holds more than a key, names nothing cached, or the
// entity cannot be read.
func (m *Writer) resolveRecord(L *lua.LState, b *batch, entity string, key map[string]any) map[string]any {
	if !onlyKeys(key) {
		return nil
	}
	idx := b.records[entity]
	if idx == nil {
		idx = m.indexRecords(L, entity)
		if b.records == nil {
			b.records = map[string]*cachedRecords{}
		}
		b.records[entity] = idx
	}
	for _, k := range lookupKeys {
		v, ok := key[k]
		if !ok {
			continue
		}
		text := skynamo.ValueText(v)
		var at int
		var found bool
		switch k {
		case "id":
			at, found = idx.byID[text]
		case "code":
			at, found = idx.byCode[text]
		case "external_id":
			at, found = idx.byExt[text]
		}
		if found {
			return idx.record(at)
		}
	}
	return nil
}

// onlyKeys says key names a record without describing it: it holds
// nothing but lookupKeys.
func onlyKeys(key map[string]any) bool {
	if len(key) == 0 {
		return false
	}
	for k := range key {
		if k != "id" && k != "code" && k != "external_id" {
			return false
		}
	}
	return true
}

// indexRecords reads an entity's cached records (pulling when the cache is
// stale, as any read would). An entity that cannot be read gives an empty
// index: the write is then checked with what the script gave.
func (m *Writer) indexRecords(L *lua.LState, entity string) *cachedRecords {
	ctx := L.Context()
	idx := &cachedRecords{byID: map[string]int{}, byCode: map[string]int{}, byExt: map[string]int{}}
	if _, err := skynamo.LookupEntity(entity); err != nil {
		return idx
	}
	read := m.read(L)
	raw, err := read.Raw(ctx, entity)
	if err != nil {
		m.opt.Logf("writer: %s could not be read to find records named by their key: %v", entity, err)
		return idx
	}
	if fs, err := read.Fields(ctx, entity); err == nil {
		idx.fields = fs
	}
	idx.raw = raw
	for i, r := range raw {
		var keys struct {
			ID         json.Number `json:"id"`
			Code       *string     `json:"code"`
			ExternalID *string     `json:"external_id"`
		}
		if json.Unmarshal(r, &keys) != nil {
			continue
		}
		if keys.ID != "" {
			idx.byID[keys.ID.String()] = i
		}
		if keys.Code != nil && *keys.Code != "" {
			idx.byCode[*keys.Code] = i
		}
		if keys.ExternalID != nil && *keys.ExternalID != "" {
			idx.byExt[*keys.ExternalID] = i
		}
	}
	return idx
}

func (idx *cachedRecords) record(at int) map[string]any {
	rec, err := skynamo.DecodeRecord(idx.raw[at], idx.fields)
	if err != nil {
		return nil
	}
	out := make(map[string]any, len(rec.Props)+1)
	for k, v := range rec.Props {
		out[k] = v
	}
	if len(rec.Custom) > 0 {
		out["custom"] = rec.Custom
	}
	return out
}

// keyOf picks the key a replace's values name their record by.
func keyOf(values map[string]any) map[string]any {
	for _, k := range lookupKeys {
		if v, ok := values[k]; ok {
			return map[string]any{k: v} // the first names it; more could only disagree
		}
	}
	return nil
}

// missing explains a write whose record, named by code or external id,
// is not in the cache: "" when that is not why it has no id.
func (b *batch) missing(req skynamo.WriteRequest) string {
	key := req.Record
	if req.Kind == skynamo.KindReplace {
		key = keyOf(req.Values)
	}
	idx := b.records[req.Entity]
	if idx == nil || !onlyKeys(key) {
		return ""
	}
	for _, k := range []string{"code", "external_id"} {
		if v, ok := key[k]; ok {
			return fmt.Sprintf("no %s with %s %q among the %d cached; check the %s (the cache is as of the last pull)",
				strings.TrimSuffix(req.Entity, "s"), k, skynamo.ValueText(v), len(idx.raw), k)
		}
	}
	return ""
}
