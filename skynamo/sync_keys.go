package skynamo

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"
)

// syncKeys are the few properties a sync reads from a record it otherwise
// keeps as raw JSON.
type syncKeys struct {
	ID         json.RawMessage
	RowVersion json.RawMessage
	// Version is row_version under the name the 2023 API used (errata).
	Version json.RawMessage
	// Modified is last_modified_time: which of two copies of a record
	// without a version is newer.
	Modified json.RawMessage
}

// readSyncKeys picks the keys out without decoding the rest of the record
// (see rawjson.go): a sync reads them from every record it pulls. A record
// without them sorts first and has version 0.
func readSyncKeys(record json.RawMessage) syncKeys {
	var k syncKeys
	_ = objectFields(record, func(key, value []byte) bool {
		switch string(key) {
		case "id":
			k.ID = value
		case "row_version":
			k.RowVersion = value
		case "version":
			k.Version = value
		case "last_modified_time":
			k.Modified = value
		}
		// The API writes these before custom_fields, the bulk of a record:
		// stopping once they are in skips most of its bytes, and a sync
		// reads the keys of every record several times.
		return k.ID == nil || k.Modified == nil || (k.RowVersion == nil && k.Version == nil)
	})
	return k
}

// idText is the record's id as written, "" when it has none.
func idText(record json.RawMessage) string { return readSyncKeys(record).idText() }

func (k syncKeys) idText() string {
	id := bytes.TrimSpace(k.ID)
	if string(id) == "null" {
		return ""
	}
	return string(id)
}

// rowVersion reads row_version, or version when the record uses the old
// name; 0 when it has neither.
func (k syncKeys) rowVersion() int64 {
	raw := k.RowVersion
	if len(raw) == 0 || string(raw) == "null" {
		raw = k.Version
	}
	return jsonInt(raw)
}

// jsonInt reads an integer written as a JSON number or a numeric string.
func jsonInt(raw json.RawMessage) int64 {
	text := string(bytes.Trim(bytes.TrimSpace(raw), `"`))
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return int64(f)
	}
	return 0
}

// maxRowVersion is the highest row_version among records.
func maxRowVersion(records []json.RawMessage) int64 {
	var hi int64
	for _, r := range records {
		hi = max(hi, readSyncKeys(r).rowVersion())
	}
	return hi
}

// sortByID orders records by id, numerically; it is stable, so records
// without an id keep their relative order at the front.
func sortByID(records []json.RawMessage) {
	keys := make([]syncKeys, len(records))
	for i, r := range records {
		keys[i] = readSyncKeys(r)
	}
	sortByKeys(records, keys)
}

// sortByKeys is sortByID with the keys already read; records already in
// order (the common case: pages come by id) are left as they are.
func sortByKeys(records []json.RawMessage, keys []syncKeys) {
	ids := make([]int64, len(records))
	inOrder := true
	for i := range records {
		ids[i] = jsonInt(keys[i].ID)
		if i > 0 && ids[i] < ids[i-1] {
			inOrder = false
		}
	}
	if inOrder {
		return
	}
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
	sorted := make([]json.RawMessage, len(records))
	for i, j := range order {
		sorted[i] = records[j]
	}
	copy(records, sorted)
}

// newer says whether record a is a later copy than b of the same record:
// by row_version when they carry one, else by last_modified_time; on a tie
// a, the copy read later, wins.
func newer(a, b syncKeys) bool {
	if va, vb := a.rowVersion(), b.rowVersion(); va != 0 || vb != 0 {
		return va >= vb
	}
	ta, errA := time.Parse(time.RFC3339Nano, string(bytes.Trim(a.Modified, `"`)))
	tb, errB := time.Parse(time.RFC3339Nano, string(bytes.Trim(b.Modified, `"`)))
	if errA == nil && errB == nil {
		return !ta.Before(tb)
	}
	return true
}

// dedupe drops the older copy of each record that occurs twice: offset
// pages read while records are inserted, deleted or reordered can show a
// record on two pages. The copy kept stays where it was read, so
// append-only records keep the server's order; sorted orders versioned
// ones by id. Records without an id are all kept.
func dedupe(records []json.RawMessage, sorted bool) []json.RawMessage {
	keys := make([]syncKeys, len(records))
	at := make(map[string]int, len(records))
	drop := make([]bool, len(records))
	dropped := 0
	for i, r := range records {
		keys[i] = readSyncKeys(r)
		id := keys[i].idText()
		if id == "" {
			continue
		}
		j, seen := at[id]
		if !seen {
			at[id] = i
			continue
		}
		dropped++
		if newer(keys[i], keys[j]) {
			drop[j], at[id] = true, i
		} else {
			drop[i] = true
		}
	}
	out, outKeys := records, keys
	if dropped > 0 {
		out = make([]json.RawMessage, 0, len(records)-dropped)
		outKeys = make([]syncKeys, 0, len(records)-dropped)
		for i, r := range records {
			if !drop[i] {
				out = append(out, r)
				outKeys = append(outKeys, keys[i])
			}
		}
	}
	if sorted {
		sortByKeys(out, outKeys)
	}
	return out
}

// mergeByID merges changed into cached by id, keeping the newer copy of
// each record (a follow-up can bring a copy older than one a later page
// already had), in id order. cached is not modified.
func mergeByID(cached, changed []json.RawMessage) []json.RawMessage {
	if len(changed) == 0 {
		return cached
	}
	all := make([]json.RawMessage, 0, len(cached)+len(changed))
	return dedupe(append(append(all, cached...), changed...), true)
}
