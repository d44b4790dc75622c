package skynamo

import (
	"fmt"
	"strconv"
	"strings"
)

// EntityKind says how an entity's cache is kept up to date.
type EntityKind int

const (
	// Versioned records carry a row_version that grows on every change across
	// the table, so a pull can ask for greater_than(row_version, max seen).
	Versioned EntityKind = iota + 1
	// AppendOnly records are never changed after they are created (orders,
	// quotes, ...), so a pull can resume from the last page it saw.
	AppendOnly
	// Reference tables are small and offer no way to ask for changes: they are
	// always pulled whole.
	Reference
)

func (k EntityKind) String() string {
	switch k {
	case Versioned:
		return "versioned"
	case AppendOnly:
		return "append-only"
	case Reference:
		return "reference"
	}
	return fmt.Sprintf("EntityKind(%d)", int(k))
}

// Entity is the project's compact description of one list endpoint of the
// spec (swagger.json). contract_test.go keeps it honest against the spec.
type Entity struct {
	Name       string     // Lua and CLI name, e.g. "customer_comments"
	Path       string     // list path under the API base, e.g. "/customercomments"
	Definition string     // the spec definition its records follow, e.g. "CustomerComment"
	Kind       EntityKind //
	Key        []string   // properties that identify a record
	// Filters are the fields the spec's Filters* parameter of the list
	// endpoint names, in the spec's order ("?" marks dropped).
	Filters []string
	// ErrataFilters are fields the server accepts although the spec does not
	// list them (FACTS.md, errata).
	ErrataFilters []string
	// Flags are the list flags this entity always needs besides show_nulls.
	Flags      []string
	Properties []string // the spec definition's property names, in its order
}

// Filterable reports whether the server accepts filters on field.
func (e Entity) Filterable(field string) bool {
	for _, f := range e.Filters {
		if f == field {
			return true
		}
	}
	for _, f := range e.ErrataFilters {
		if f == field {
			return true
		}
	}
	return false
}

// entityTable is built by a function, not kept in a package variable, so no
// caller can change the table another caller sees.
func entityTable() []Entity {
	return []Entity{
		{Name: "customers", Path: "/customers", Definition: "Customer", Kind: Versioned, Key: []string{"id"},
			Filters:    []string{"id", "code", "active", "create_date", "row_version"},
			Properties: []string{"id", "code", "name", "active", "location", "price_list_id", "price_list_name", "assigned_users", "default_discount", "default_warehouse_id", "default_warehouse_name", "row_version", "last_modified_time", "create_date", "custom_fields", "files"}},
		{Name: "products", Path: "/products", Definition: "Product", Kind: Versioned, Key: []string{"id"},
			Filters:       []string{"id", "row_version", "customer_id", "customer_code", "user_id"},
			ErrataFilters: []string{"code"}, // the spec's own example filters on code
			Properties:    []string{"id", "row_version", "code", "name", "active", "order_units", "last_modified_time", "custom_fields", "files"}},
		{Name: "invoices", Path: "/invoices", Definition: "Invoice", Kind: Versioned, Key: []string{"id"},
			ErrataFilters: []string{"row_version", "version"}, // the older SDK relied on these
			Properties:    []string{"id", "date", "customer_id", "customer_code", "reference", "row_version", "last_modified_time", "status", "due_date", "external_id", "tax_inclusion", "tax", "total", "outstanding_balance", "currency_code", "currency_rate_to_base", "items"}},
		{Name: "visit_frequencies", Path: "/visitfrequencies", Definition: "VisitFrequency", Kind: Versioned, Key: []string{"id"},
			Filters:       []string{"id", "create_date", "row_version"},
			ErrataFilters: []string{"version"}, // the older SDK sent greater_than(version,N)
			Properties:    []string{"id", "customer_id", "customer_code", "customer_name", "user_id", "user_name", "cycle", "frequency", "period", "row_version", "last_modified_time"}},
		{Name: "contacts", Path: "/contacts", Definition: "Contact", Kind: Versioned, Key: []string{"id"},
			Filters:    []string{"id", "active", "create_date", "row_version", "customer_id", "customer_code"},
			Properties: []string{"id", "name", "surname", "customer_id", "customer_code", "customer_name", "title", "company", "website", "work_number", "mobile_number", "email", "job_title", "notes", "row_version", "last_modified_time", "create_date", "active", "address"}},
		{Name: "tasks", Path: "/tasks", Definition: "Task", Kind: Versioned, Key: []string{"id"},
			Filters:    []string{"id", "create_date", "row_version"},
			Properties: []string{"id", "description", "create_date", "due_date", "customer_id", "customer_code", "customer_name", "row_version", "last_modified_time", "reminder_offset", "completed_date", "assigned_user_id", "assigned_user_name", "creator_user_id", "creator_user_name", "anytime"}},
		{Name: "scheduled_visits", Path: "/scheduledvisits", Definition: "ScheduledVisit", Kind: Versioned, Key: []string{"id"},
			Filters:    []string{"id", "create_date", "row_version"},
			Properties: []string{"id", "comment", "create_date", "due_date", "customer_id", "customer_code", "customer_name", "row_version", "last_modified_time", "reminder_offset", "completer_visit_id", "completed_date", "assigned_user_id", "assigned_user_name", "creator_user_id", "creator_user_name", "all_day", "end_time"}},
		{Name: "customer_comments", Path: "/customercomments", Definition: "CustomerComment", Kind: Versioned, Key: []string{"id"},
			Filters:    []string{"id", "row_version", "customer_id", "customer_code"},
			Properties: []string{"id", "comment", "customer_id", "customer_code", "date", "row_version", "last_modified_time", "user_id", "user_name"}},

		{Name: "orders", Path: "/orders", Definition: "Order", Kind: AppendOnly, Key: []string{"id"},
			Properties: []string{"id", "date", "customer_id", "customer_code", "customer_name", "reference", "interaction_id", "discount", "discount_amount", "total_amount", "prices_include_vat", "warehouse_id", "warehouse_name", "email_recipients", "last_modified_time", "currency_code", "currency_rate_to_base", "items"}},
		{Name: "quotes", Path: "/quotes", Definition: "Quote", Kind: AppendOnly, Key: []string{"id"},
			Properties: []string{"id", "date", "customer_id", "customer_code", "customer_name", "reference", "discount", "discount_amount", "total_amount", "prices_include_vat", "warehouse_id", "warehouse_name", "email_recipients", "last_modified_time", "currency_code", "currency_rate_to_base", "items"}},
		{Name: "credit_requests", Path: "/creditrequests", Definition: "CreditRequest", Kind: AppendOnly, Key: []string{"id"},
			Properties: []string{"id", "date", "customer_id", "customer_code", "customer_name", "reference", "discount", "discount_amount", "total_amount", "prices_include_vat", "warehouse_id", "warehouse_name", "email_recipients", "last_modified_time", "currency_code", "currency_rate_to_base", "items"}},
		{Name: "interactions", Path: "/interactions", Definition: "Interaction", Kind: AppendOnly, Key: []string{"id"},
			Properties: []string{"id", "customer_id", "customer_code", "customer_name", "comment", "date", "end_time", "is_visit", "location", "last_modified_time", "user_id", "user_name", "credit_request_id", "order_id", "email_id", "quote_id", "product_numbers_survey_id", "stocktake_id", "completed_form_ids"}},
		{Name: "completed_forms", Path: "/completedforms", Definition: "CompletedForm", Kind: AppendOnly, Key: []string{"id"},
			Properties: []string{"id", "date", "customer_id", "customer_code", "customer_name", "user_id", "user_name", "interaction_id", "form_id", "form_name", "custom_fields", "last_modified_time"}},

		{Name: "users", Path: "/users", Definition: "User", Kind: Reference, Key: []string{"id"},
			Properties: []string{"id", "user_name", "display_name", "email", "active", "access"}},
		{Name: "stock_levels", Path: "/stocklevels", Definition: "StockLevel", Kind: Reference,
			Key:        []string{"product_id", "order_unit_id", "warehouse_id"}, // no id; absent warehouse = default
			Filters:    []string{"warehouse_id"},
			Properties: []string{"product_id", "product_code", "product_name", "order_unit_id", "order_unit_name", "warehouse_id", "warehouse_name", "level", "label", "last_modified_time"}},
		{Name: "form_definitions", Path: "/formdefinitions", Definition: "FormDefinition", Kind: Reference, Key: []string{"id"},
			Filters:    []string{"id", "active", "type"},
			Flags:      []string{"show_enums"}, // custom field enum labels live here
			Properties: []string{"id", "name", "type", "recipients", "users", "last_modified_time", "active", "custom_fields"}},
		{Name: "tax_rates", Path: "/taxrates", Definition: "TaxRate", Kind: Reference, Key: []string{"id"},
			Properties: []string{"id", "name", "rate", "active", "last_modified_time"}},
		{Name: "warehouses", Path: "/warehouses", Definition: "Warehouse", Kind: Reference, Key: []string{"id"},
			Properties: []string{"id", "name", "order_email", "credit_request_email", "quote_email", "active", "last_modified_time"}},
		{Name: "price_lists", Path: "/pricelists", Definition: "PriceList", Kind: Reference, Key: []string{"id"},
			Properties: []string{"id", "name", "active", "prices_include_vat", "last_modified_time", "currency_code", "currency_rate_to_base"}},
		{Name: "prices", Path: "/prices", Definition: "OrderUnitPrice", Kind: Reference,
			Key:        []string{"product_id", "order_unit_id", "price_list_id"},
			Properties: []string{"price", "price_list_id", "price_list_name", "product_id", "product_code", "product_name", "order_unit_id", "order_unit_name", "last_modified_time", "tax_rate_id"}},
	}
}

// Entities returns every entity the client can pull, versioned first, then
// append-only, then reference tables. The slice is the caller's to keep.
func Entities() []Entity { return entityTable() }

// EntityNames returns the Lua/CLI names of all entities, in table order.
func EntityNames() []string {
	table := entityTable()
	names := make([]string, len(table))
	for i, e := range table {
		names[i] = e.Name
	}
	return names
}

// LookupEntity finds an entity by its Lua/CLI name. For an unknown name the
// error suggests the closest names, so "customer" or "stocklevels" lead the
// user to the right one.
func LookupEntity(name string) (Entity, error) {
	for _, e := range entityTable() {
		if e.Name == name {
			return e, nil
		}
	}
	// The API path without its slash is a name people know from the docs.
	for _, e := range entityTable() {
		if strings.TrimPrefix(e.Path, "/") == name {
			return Entity{}, fmt.Errorf("unknown entity %q: did you mean %q?", name, e.Name)
		}
	}
	if near := SuggestNames(name, EntityNames(), 3); len(near) > 0 {
		return Entity{}, fmt.Errorf("unknown entity %q: did you mean %s?", name, quotedList(near, " or "))
	}
	return Entity{}, fmt.Errorf("unknown entity %q: known entities are %s", name, strings.Join(EntityNames(), ", "))
}

// quotedList renders names as "a", "b" or "c" for messages.
func quotedList(names []string, lastSep string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	if len(quoted) <= 1 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + lastSep + quoted[len(quoted)-1]
}
