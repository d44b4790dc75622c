package skynamo

import (
	"encoding/json"
	"fmt"
	"strings"
)

// This file holds the types the write path shares: what a caller asks for
// (WriteRequest), what validation turns it into (WriteOp), and what an
// apply reports per item (ItemResult). writeprepare.go builds WriteOps,
// apply.go sends them, journal.go records them.

// WriteKind is what a caller wants done to one record.
type WriteKind string

const (
	// KindCreate adds a record: POST. For stock levels and prices, whose
	// POST sets the value at a key, create and update are the same upsert.
	KindCreate WriteKind = "create"
	// KindUpdate changes only the given properties: PATCH, or the upsert
	// POST of stock levels and prices.
	KindUpdate WriteKind = "update"
	// KindReplace sends the whole record: PUT. Properties left out take
	// the server's defaults.
	KindReplace WriteKind = "replace"
	// KindDelete removes a record: DELETE, or for stock levels the POST
	// with an empty level the API documents as a delete.
	KindDelete WriteKind = "delete"
	// KindAddField adds a custom field to a form: POST /integrations
	// AddCustomFields.
	KindAddField WriteKind = "add_field"
	// KindGrowEnum adds labels to an enum custom field: POST /integrations
	// AutoGrowEnums.
	KindGrowEnum WriteKind = "grow_enum"
)

// ClearValue is the type of Clear.
type ClearValue struct{}

// Clear is the value that asks for a property or custom field to be
// emptied. An absent value (Go nil, Lua nil, an empty string from a CSV
// cell) never clears anything: it is simply not sent, so a sparse ERP
// export cannot wipe fields by accident.
var Clear = ClearValue{}

// WriteRequest is one write as a caller asks for it, before validation.
type WriteRequest struct {
	Kind   WriteKind
	Entity string // a write target's name: "customers", "stock_levels", "custom_fields", ...
	// Values are the properties to send, by their API names. Custom fields
	// go in Values["custom"] as a map keyed by display name or identifier
	// (the names the reader uses), holding values as the reader returns
	// them (numbers, booleans, label lists, address tables). Values are
	// Go values: string, bool, int64, float64, json.Number, []any,
	// map[string]any, or Clear. nil and "" are absent.
	Values map[string]any
	// Record is the record as read (update, replace, delete): it supplies
	// the key (id, or the target's alternative key such as a stock level's
	// product/unit/warehouse) and the "before" of each changed property.
	// It may hold only the key. Same shape as Values.
	Record map[string]any
	// ByExternalID addresses an invoice by external_id
	// (/invoicesbyexternalid) instead of id.
	ByExternalID bool
}

// WriteOp is one validated write, ready to send: one element of a request
// body's array (or, for /integrations, one entry of its list).
type WriteOp struct {
	// Index is the write's 1-based position in the caller's queue; results
	// and messages use it to name the item.
	Index  int
	Entity string    // write target name
	Kind   WriteKind //
	Method string    // HTTP method
	Path   string    // collection path, e.g. "/customers", "/integrations"
	// Item is the element as sent: an object, or for the DELETEs whose body
	// is a list of ids, the bare id; for /integrations one entry of
	// fields_to_add or enum_grow_data.
	Item json.RawMessage
	// Label names the item in messages: `customer code "C001"`,
	// `tax rate id 3`, `stock level P001/Each/Main`.
	Label string
	// RecordKey identifies the record the write touches, so two writes to
	// one record are never in flight at once; "" for a create that names
	// nothing (a new order).
	RecordKey string
	// NaturalKey is, for a create, the value the created record can be found
	// by again (its code, external id or name) when the outcome of the
	// request is unknown; "" when the entity has none.
	NaturalKey string
	// Changes are, for an update, each sent property's before and after
	// (before from WriteRequest.Record; "" when the record was not given).
	Changes []Change
}

// Change is one property of an update, as text for a person to approve.
type Change struct {
	Property string `json:"property"`
	Before   string `json:"before"`
	After    string `json:"after"`
}

// Problem is one reason a request cannot be sent.
type Problem struct {
	Property string // "" for the item as a whole; "custom.Region" for a custom field
	Message  string // e.g. `unknown property "nmae"; did you mean "name"?`
}

func (p Problem) Error() string {
	if p.Property == "" {
		return p.Message
	}
	return p.Property + ": " + p.Message
}

// ItemStatus is where one queued write ended.
type ItemStatus string

const (
	StatusPlanned ItemStatus = "planned" // dry run: not sent
	StatusApplied ItemStatus = "applied" // the server confirmed it (or it was found there)
	StatusFailed  ItemStatus = "failed"  // invalid, or the server refused it
	// StatusUnknown: sent, no answer, and it cannot be looked up by a
	// natural key; resend only when the user confirms.
	StatusUnknown ItemStatus = "unknown"
	// StatusPending: not sent yet because the apply stopped (quota, budget,
	// Ctrl-C); `skynamo writes resume` sends it.
	StatusPending ItemStatus = "pending"
)

// ItemResult is the outcome of one queued write, in queue order.
type ItemResult struct {
	Index      int        `json:"index"` // the WriteOp's Index
	Status     ItemStatus `json:"status"`
	ID         int64      `json:"id,omitempty"`          // from a POST's answer, or the lookup that found it
	Code       string     `json:"code,omitempty"`        // ditto
	RowVersion int64      `json:"row_version,omitempty"` // ditto
	// Detail is why it failed (the API's detail for this item, or the
	// validation problems), or why its outcome is unknown.
	Detail []string `json:"detail,omitempty"`
}

// ItemError formats a failed item for one line of output:
// `item 3 (customer code "C003"): name: required property missing`.
func ItemError(index int, label string, detail []string) string {
	return fmt.Sprintf("item %d (%s): %s", index, label, strings.Join(detail, "; "))
}
