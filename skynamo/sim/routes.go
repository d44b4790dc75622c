package sim

import (
	"strings"
)

// endpoint is one served list path and, where the spec has it, its
// single-item path /{path}/{id}.
type endpoint struct {
	name       string // path segment and collection name, e.g. "customers"
	singular   string // for messages: "customer"
	definition string // the spec's definition of its items
	single     bool   // GET /{name}/{id} exists in the spec
	// filters is what the filters parameter accepts; nil means the spec
	// documents no filters and any filter is a 400.
	filters map[string]filterField
}

// Field sets shared by several endpoints. Each call builds a fresh map so no
// endpoint can alter another's.
func versionFields() map[string]filterField {
	return map[string]filterField{
		"row_version": {prop: "row_version", kind: kindNumber, ops: orderOps},
		// Errata: the older SDK sent `version`; the server takes it as an alias.
		"version": {prop: "row_version", kind: kindNumber, ops: orderOps},
	}
}

func withFields(m map[string]filterField, more map[string]filterField) map[string]filterField {
	for k, v := range more {
		m[k] = v
	}
	return m
}

var (
	fID          = filterField{prop: "id", kind: kindInt, ops: allOps}
	fCode        = filterField{prop: "code", kind: kindString, ops: allOps}
	fActive      = filterField{prop: "active", kind: kindBool, ops: equalsOnly}
	fCreateDate  = filterField{prop: "create_date", kind: kindDate, ops: orderOps}
	fCustomerID  = filterField{prop: "customer_id", kind: kindInt, ops: allOps}
	fCustomerCod = filterField{prop: "customer_code", kind: kindString, ops: allOps}
	fType        = filterField{prop: "type", kind: kindString, ops: equalsOnly}
)

// endpoints lists every served entity in the order of the spec's paths. The
// filter sets are the spec's Filters* parameters plus the FACTS.md errata.
func endpoints() []endpoint {
	return []endpoint{
		{name: "completedforms", singular: "completed form", definition: "CompletedForm", single: true},
		{name: "contacts", singular: "contact", definition: "Contact", single: true,
			filters: withFields(map[string]filterField{"id": fID, "active": fActive, "create_date": fCreateDate,
				"customer_id": fCustomerID, "customer_code": fCustomerCod}, versionFields())},
		{name: "creditrequests", singular: "credit request", definition: "CreditRequest", single: true},
		{name: "customercomments", singular: "customer comment", definition: "CustomerComment", single: true,
			filters: withFields(map[string]filterField{"id": fID, "customer_id": fCustomerID,
				"customer_code": fCustomerCod}, versionFields())},
		{name: "customers", singular: "customer", definition: "Customer", single: true,
			filters: withFields(map[string]filterField{"id": fID, "code": fCode, "active": fActive,
				"create_date": fCreateDate}, versionFields())},
		{name: "formdefinitions", singular: "form definition", definition: "FormDefinition", single: true,
			filters: map[string]filterField{"id": fID, "active": fActive, "type": fType}},
		{name: "interactions", singular: "interaction", definition: "Interaction", single: true},
		// Errata: invoices document no filters, yet row_version/version work.
		{name: "invoices", singular: "invoice", definition: "Invoice", single: true, filters: versionFields()},
		{name: "orders", singular: "order", definition: "Order", single: true},
		{name: "pricelists", singular: "price list", definition: "PriceList", single: true},
		{name: "prices", singular: "price", definition: "OrderUnitPrice"},
		{name: "products", singular: "product", definition: "Product", single: true,
			filters: withFields(map[string]filterField{"id": fID,
				// Errata: code is filterable although the list omits it.
				"code": fCode,
				// Products carry no customer or user; the real API presumably
				// narrows to what that customer or user may order. Every
				// simulated product is orderable by everyone, so these are
				// checked for form and then match every product.
				"customer_id":   {prop: "customer_id", kind: kindInt, ops: allOps, everyRecord: true},
				"customer_code": {prop: "customer_code", kind: kindString, ops: allOps, everyRecord: true},
				"user_id":       {prop: "user_id", kind: kindInt, ops: allOps, everyRecord: true},
			}, versionFields())},
		{name: "quotes", singular: "quote", definition: "Quote", single: true},
		{name: "scheduledvisits", singular: "scheduled visit", definition: "ScheduledVisit", single: true,
			filters: withFields(map[string]filterField{"id": fID, "create_date": fCreateDate}, versionFields())},
		{name: "stocklevels", singular: "stock level", definition: "StockLevel",
			filters: map[string]filterField{"warehouse_id": {prop: "warehouse_id", kind: kindInt, ops: equalsOnly, nullable: true}}},
		{name: "tasks", singular: "task", definition: "Task", single: true,
			filters: withFields(map[string]filterField{"id": fID, "create_date": fCreateDate}, versionFields())},
		{name: "taxrates", singular: "tax rate", definition: "TaxRate", single: true},
		{name: "users", singular: "user", definition: "User", single: true},
		// The spec lists create_date although VisitFrequency has no such
		// property; the simulator keeps one hidden so the filter means something.
		{name: "visitfrequencies", singular: "visit frequency", definition: "VisitFrequency", single: true,
			filters: withFields(map[string]filterField{"id": fID, "create_date": fCreateDate}, versionFields())},
		{name: "warehouses", singular: "warehouse", definition: "Warehouse", single: true},
	}
}

// route is what a request path resolved to.
type route struct {
	ep         *endpoint
	id         string // single item: the {id} or {ExternalID} segment
	single     bool
	byExternal bool     // /invoicesbyexternalid/{ExternalID}
	write      *writeOp // a write to the collection path
	// integration is POST /integrations, whose body is one object.
	integration bool
}

// resolve maps a path below /v1 to a route, the way API Gateway's resource
// tree does: anything it cannot place is "Missing Authentication Token".
func (s *Server) resolve(method, path string) (route, bool) {
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return route{}, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if method == "POST" && rest == "integrations" {
		return route{integration: true}, true
	}
	if method != "GET" {
		// Writes go to collection paths only; a method the spec lacks
		// there is, like an unknown path, Missing Authentication Token.
		op := s.writes[rest][method]
		if op == nil {
			return route{}, false
		}
		name := rest
		if name == "invoicesbyexternalid" {
			name = "invoices"
		}
		return route{ep: s.endpoints[name], write: op}, true
	}
	head, id, hasID := strings.Cut(rest, "/")
	if hasID && (id == "" || strings.Contains(id, "/")) {
		return route{}, false
	}
	if head == "invoicesbyexternalid" {
		if !hasID {
			// The spec has this collection path, but only for writes.
			return route{}, false
		}
		return route{ep: s.endpoints["invoices"], id: id, single: true, byExternal: true}, true
	}
	ep := s.endpoints[head]
	if ep == nil || (hasID && !ep.single) {
		return route{}, false
	}
	return route{ep: ep, id: id, single: hasID}, true
}
