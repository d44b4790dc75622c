package skynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// One record may be addressed in more than one way: a product by id or by
// code, a stock level by product, unit and warehouse ids or by product
// code, unit name and warehouse name. PrepareWrite's RecordKey says how the
// record was addressed, so two writes to one record could carry two keys
// and be sent side by side. Where a batch addresses an entity in more than
// one way, the run rewrites those keys to ids from the reader's cache.
// Batches that address each entity one way (nearly all) read nothing.

// keyIDs are, per entity, the key properties that stand in for an id, and
// the id each stands in for.
var keyIDs = map[string]map[string]string{
	"products":     {"code": "id"},
	"invoices":     {"external_id": "id"},
	"stock_levels": {"product_code": "product_id", "order_unit_name": "order_unit_id", "warehouse_name": "warehouse_id"},
	"prices":       {"product_code": "product_id", "order_unit_name": "order_unit_id", "price_list_name": "price_list_id"},
}

// keyPair is one name=value of a RecordKey.
type keyPair struct{ name, value string }

// splitRecordKey reads "entity:name=value,name=value". A value holding a
// comma is rejoined with the part before it when what follows names no
// property.
func splitRecordKey(key string) (entity string, pairs []keyPair, ok bool) {
	entity, rest, ok := strings.Cut(key, ":")
	if !ok || rest == "" {
		return "", nil, false
	}
	for _, part := range strings.Split(rest, ",") {
		name, value, isPair := strings.Cut(part, "=")
		if isPair && isPropName(name) || len(pairs) == 0 {
			if !isPair {
				return "", nil, false
			}
			pairs = append(pairs, keyPair{name, value})
			continue
		}
		pairs[len(pairs)-1].value += "," + part
	}
	return entity, pairs, true
}

func isPropName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return s != ""
}

// canonicalKeys fills r.keys for items: each op's RecordKey, with the
// key properties of entities the items address in more than one way
// (code here, id there) replaced by ids. A value the cache does not know
// keeps the key as it was. It returns an error only to stop the run.
func (r *applyRun) canonicalKeys(ctx context.Context, items []int) error {
	// The id properties each entity is addressed by both ways.
	byID := map[string]map[string]bool{}
	byAlt := map[string]map[string]bool{}
	for _, i := range items {
		e, _, _ := strings.Cut(r.ops[i].RecordKey, ":")
		alts := keyIDs[e]
		if alts == nil {
			continue
		}
		_, pairs, ok := splitRecordKey(r.ops[i].RecordKey)
		if !ok {
			continue
		}
		for _, p := range pairs {
			m, idName := byID, p.name
			if id, alt := alts[p.name]; alt {
				m, idName = byAlt, id
			}
			if m[e] == nil {
				m[e] = map[string]bool{}
			}
			m[e][idName] = true
		}
	}
	mixed := map[string]map[string]bool{} // entity -> id properties to resolve
	for e, ids := range byAlt {
		for id := range ids {
			if byID[e][id] {
				if mixed[e] == nil {
					mixed[e] = map[string]bool{}
				}
				mixed[e][id] = true
			}
		}
	}
	if len(mixed) == 0 {
		return nil
	}
	ix := &keyIndex{r: r, ctx: ctx}
	for _, i := range items {
		key := r.ops[i].RecordKey
		e, pairs, ok := splitRecordKey(key)
		if !ok || mixed[e] == nil {
			continue
		}
		canon, err := ix.canonical(e, pairs, mixed[e], r.ops[i].Item)
		if err != nil {
			return err
		}
		r.keys[i] = canon
	}
	return nil
}

// keyIndex finds ids by code or name in the reader's cache, reading each
// entity at most once (and pulling it only when the cache is stale).
type keyIndex struct {
	r   *applyRun
	ctx context.Context

	read       map[string]bool
	byCode     map[string]map[string]int64 // entity -> code, external id or name -> id (unique ones only)
	unitByName map[int64]map[string]int64  // product id -> order unit name -> id
}

// canonical is entity's key with the mixed id properties resolved; the key
// as it was if any of them cannot be.
func (ix *keyIndex) canonical(entity string, pairs []keyPair, mixed map[string]bool, item json.RawMessage) (string, error) {
	// The item holds each key value exactly as sent (the key's text may
	// have been cut at a comma in a code); a bare id has only the key.
	var fields map[string]any
	if bytes.HasPrefix(bytes.TrimSpace(item), []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.UseNumber()
		_ = dec.Decode(&fields)
	}
	value := func(p keyPair) string {
		if v, ok := fields[p.name]; ok {
			return keyText(v)
		}
		return p.value
	}
	alts := keyIDs[entity]
	out := slices.Clone(pairs)
	unit := -1 // position of an order unit name to resolve
	var productID int64
	for k, p := range pairs {
		switch idName, alt := alts[p.name]; {
		case p.name == "product_id":
			productID, _ = strconv.ParseInt(value(p), 10, 64)
		case alt && p.name == "order_unit_name":
			if mixed[idName] {
				unit = k
			}
		case alt && (mixed[idName] || p.name == "product_code" && mixed["order_unit_id"]):
			// An order unit's name is found under its product.
			id, err := ix.lookup(refEntity(entity, p.name), value(p))
			if err != nil {
				return "", err
			}
			if id == 0 {
				return joinKey(entity, pairs), nil
			}
			if p.name == "product_code" {
				productID = id
			}
			if mixed[idName] {
				out[k] = keyPair{idName, strconv.FormatInt(id, 10)}
			}
		}
	}
	if unit >= 0 {
		if err := ix.load("products"); err != nil {
			return "", err
		}
		id := ix.unitByName[productID][value(pairs[unit])]
		if id == 0 {
			return joinKey(entity, pairs), nil
		}
		out[unit] = keyPair{"order_unit_id", strconv.FormatInt(id, 10)}
	}
	return joinKey(entity, out), nil
}

// refEntity is the entity a key property's code or name belongs to.
func refEntity(entity, prop string) string {
	switch prop {
	case "product_code":
		return "products"
	case "warehouse_name":
		return "warehouses"
	case "price_list_name":
		return "price_lists"
	}
	return entity
}

func joinKey(entity string, pairs []keyPair) string {
	parts := make([]string, len(pairs))
	for k, p := range pairs {
		parts[k] = p.name + "=" + p.value
	}
	return entity + ":" + strings.Join(parts, ",")
}

// lookup is the id of entity's record with this code, external id or
// name; 0 when none or more than one has it.
func (ix *keyIndex) lookup(entity, key string) (int64, error) {
	if err := ix.load(entity); err != nil {
		return 0, err
	}
	return ix.byCode[entity][key], nil
}

// load indexes entity's cached records once.
func (ix *keyIndex) load(entity string) error {
	if ix.read[entity] {
		return nil
	}
	if ix.read == nil {
		ix.read, ix.byCode, ix.unitByName = map[string]bool{}, map[string]map[string]int64{}, map[int64]map[string]int64{}
	}
	ix.read[entity] = true
	records, err := ix.r.w.reader.Syncer().Records(ix.ctx, entity, false)
	if err != nil {
		if isStop(ix.ctx, err) {
			return err
		}
		// Older records still name ids well; without any, keys stay as
		// they are.
		ix.r.sayOnce("keys "+entity, "%s: could not read them to match records addressed by id and by code or name (%v)", entity, err)
	}
	prop := "name"
	switch entity {
	case "products":
		prop = "code"
	case "invoices":
		prop = "external_id"
	}
	index := map[string]int64{}
	dup := map[string]bool{}
	for _, raw := range records {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&m) != nil {
			continue
		}
		id, _ := IntProp(m, "id")
		k := keyText(m[prop])
		if id == 0 || k == "" {
			continue
		}
		if _, seen := index[k]; seen {
			dup[k] = true
		}
		index[k] = id
		if entity == "products" {
			units := map[string]int64{}
			udup := map[string]bool{}
			list, _ := m["order_units"].([]any)
			for _, u := range list {
				um, _ := u.(map[string]any)
				uid, _ := IntProp(um, "id")
				name := keyText(um["name"])
				if _, seen := units[name]; seen {
					udup[name] = true
				}
				units[name] = uid
			}
			for name := range udup {
				delete(units, name)
			}
			ix.unitByName[id] = units
		}
	}
	for k := range dup {
		delete(index, k) // a name two records share names neither
	}
	ix.byCode[entity] = index
	return nil
}
