package skynamo

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
)

// syncKeys are the few properties a sync reads from a record it otherwise
// keeps as raw JSON.
type syncKeys struct {
	ID         json.RawMessage
	RowVersion json.RawMessage
	// Version is row_version under the name the 2023 API used (errata).
	Version json.RawMessage
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
		}
		return true
	})
	return k
}

// idText is the record's id as written, "" when it has none.
func idText(record json.RawMessage) string {
	id := bytes.TrimSpace(readSyncKeys(record).ID)
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
	ids := make([]int64, len(records))
	for i, r := range records {
		ids[i] = jsonInt(readSyncKeys(r).ID)
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

// mergeByID replaces the cached records whose ids come in changed and adds
// the new ones, keeping the order by id. cached is not modified.
func mergeByID(cached, changed []json.RawMessage) []json.RawMessage {
	if len(changed) == 0 {
		return cached
	}
	merged := slices.Clone(cached)
	position := make(map[string]int, len(merged))
	for i, r := range merged {
		if id := idText(r); id != "" {
			position[id] = i
		}
	}
	added := false
	for _, r := range changed {
		id := idText(r)
		if i, ok := position[id]; ok && id != "" {
			merged[i] = r
			continue
		}
		merged = append(merged, r)
		position[id] = len(merged) - 1
		added = true
	}
	if added {
		sortByID(merged)
	}
	return merged
}
