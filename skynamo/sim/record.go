package sim

import (
	"sync/atomic"
)

// obj is a JSON object whose keys keep the order of the spec's definition, so
// the wire bytes are stable and read like the real API's. A nil value is a
// null: sent only with flags=show_nulls.
type obj []kv

type kv struct {
	k string
	v any
}

// get returns the value of key k and whether the key exists.
func (o obj) get(k string) (any, bool) {
	for _, p := range o {
		if p.k == k {
			return p.v, true
		}
	}
	return nil, false
}

// set replaces the value of an existing key or appends a new one.
func (o *obj) set(k string, v any) {
	for i := range *o {
		if (*o)[i].k == k {
			(*o)[i].v = v
			return
		}
	}
	*o = append(*o, kv{k, v})
}

// customField is one entry of a record's custom_fields. Kept as its own type
// (not an obj) because customers carry a dozen of them and a 100,000-customer
// instance must build in a second or two.
type customField struct {
	id    int64
	name  string
	value string
}

// encFlags selects one of a record's cached encodings.
type encFlags uint8

const (
	encNulls encFlags = 1 << iota // flags=show_nulls
	encEnums                      // flags=show_enums (form definitions only)
	// encLegacy names row_version `version` (Behaviour.LegacyVersion). It is
	// server-wide, not per request, so it has no cache slots of its own:
	// switching it drops every cached encoding instead of doubling them.
	encLegacy
	encVariants = encLegacy
)

// record is one stored item. Its encodings are made on first use and cached
// because serving pages is the hot path of every benchmark; they are
// atomics so that concurrent readers holding only the read lock may fill
// them, and a writer (holding the write lock) clears them on change.
type record struct {
	id    int64
	props obj
	// hidden holds values that filters may test but the API does not send
	// (e.g. a visit frequency's create_date, filterable by the spec but absent
	// from its definition).
	hidden obj
	// mod is last_modified_time in UnixNano, the key of collection.byMod;
	// kept only while that index exists.
	mod int64
	enc [encVariants]atomic.Pointer[[]byte]
}

// field returns a property for filtering: sent properties first, then hidden ones.
func (r *record) field(k string) (any, bool) {
	if v, ok := r.props.get(k); ok {
		return v, true
	}
	return r.hidden.get(k)
}

// encoded returns the record's JSON for the given flags. Callers hold the
// read lock and took encLegacy from the behaviour while holding it, so a
// cached encoding always matches the current naming.
func (r *record) encoded(f encFlags) []byte {
	slot := f &^ encLegacy
	if b := r.enc[slot].Load(); b != nil {
		return *b
	}
	b := appendObj(make([]byte, 0, 512), r.props, f)
	r.enc[slot].Store(&b)
	return b
}

// changed drops the cached encodings; callers hold the store's write lock.
func (r *record) changed() {
	for i := range r.enc {
		r.enc[i].Store(nil)
	}
}
