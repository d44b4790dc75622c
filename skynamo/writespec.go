package skynamo

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// This file is the project's compact description of the write side of the
// spec (swagger.json): per writable entity its methods, their definitions'
// properties, JSON types, enums, required lists and the codes or names that
// stand in for ids. writespec_contract_test.go checks it against the spec
// and lists every erratum and deliberate difference with its reason.

// PropType is the JSON type of a writable property.
type PropType string

const (
	PropString   PropType = "string"
	PropInteger  PropType = "integer"
	PropNumber   PropType = "number"
	PropBoolean  PropType = "boolean"
	PropDateTime PropType = "date-time" // a JSON string holding a date-time
	PropObject   PropType = "object"    // WriteProp.Props are its properties
	PropArray    PropType = "array"     // WriteProp.Items is the element type
)

// WriteProp is one property of a write definition.
type WriteProp struct {
	Name  string
	Type  PropType
	Items PropType // an array's element type; PropObject elements follow Props
	Enum  []string // allowed values of a string
	// Props, Required and Alternatives describe an object, or each object
	// of an array of objects (order_units, items).
	Props        []WriteProp
	Required     []string
	Alternatives map[string][]string
	// Clearable: writer.CLEAR may send "" to empty it. Only free text that
	// names nothing and is required nowhere: clearing a code, a name or a
	// reference would break the record or address another one.
	Clearable bool
	// Custom: filled from Values["custom"] (custom_fields, forms), never
	// given directly.
	Custom bool
}

// WriteMethod is one HTTP method of a write target.
type WriteMethod struct {
	Kind         WriteKind
	Method       string // POST, PUT, PATCH, DELETE
	Path         string // "/invoicesbyexternalid" for the by-external-id methods
	ByExternalID bool
	Definition   string // the spec's definition of one body item: "CustomerPatch"
	Props        []WriteProp
	Required     []string
	// Alternatives are properties that may stand in for a required one
	// (FACTS.md "Writing": codes and names stand in for ids).
	Alternatives map[string][]string
	// Key names the record an update, replace or delete addresses: "id",
	// "external_id", or a stock level's product_id, order_unit_id and
	// warehouse_id (each or its alternative; the warehouse may be absent).
	Key []string
	// BareKey, when set, says each body item is the bare value of this
	// property (the DELETEs whose body is a list of ids).
	BareKey string
	// ReadOnly are properties a record has that this method refuses: the
	// server's (row_version, last_modified_time, ...) and those the read
	// definition has but the write definition lacks (customer_name).
	ReadOnly []string
	// Local are client-side properties PrepareWrite resolves and never sends
	// (a form or field named instead of its id).
	Local []string
}

// Prop finds a property of the method.
func (m WriteMethod) Prop(name string) (WriteProp, bool) {
	for _, p := range m.Props {
		if p.Name == name {
			return p, true
		}
	}
	return WriteProp{}, false
}

// WriteTarget is one writable entity.
type WriteTarget struct {
	Entity string // "customers", "stock_levels", "custom_fields", "enum_labels", ...
	Path   string // "/customers"; "/integrations" for custom_fields and enum_labels
	Kinds  []WriteKind
	// NaturalKey is the property a create can be found by after an unknown
	// outcome: "code", "external_id", "name", or "form_id+name" for custom
	// fields (its value reads "<form id>/<name>"); "" when there is none.
	NaturalKey string
	// Upsert: POST sets the record at its key (stock levels, prices) or is
	// otherwise idempotent (growing enum labels), so resending is harmless.
	Upsert bool
	// Rank orders an apply: what others refer to first (tax rates,
	// warehouses, price lists, custom fields, enum labels, products,
	// customers, their dependants, invoices, quotes, orders); deletes run in
	// reverse rank.
	Rank     int
	Singular string // names one record in labels: "tax rate"
	// LabelBy is the property a label names a record by besides its key:
	// "code" (`customer code "C1"`), "name" (`tax rate "VAT 15%"`), "".
	LabelBy string
	// CustomFields says which custom fields Values["custom"] takes:
	// Schema.ForEntity(Entity); false for entities without custom fields.
	CustomFields bool
	Methods      []WriteMethod
}

// Supports reports whether the target has a method for kind.
func (t WriteTarget) Supports(kind WriteKind) bool { return slices.Contains(t.Kinds, kind) }

// Method returns the method of kind, by external id (invoices) or not.
func (t WriteTarget) Method(kind WriteKind, byExternalID bool) (WriteMethod, bool) {
	for _, m := range t.Methods {
		if m.Kind == kind && m.ByExternalID == byExternalID {
			return m, true
		}
	}
	return WriteMethod{}, false
}

// WriteTargetNames returns the names of all write targets, in rank order.
func WriteTargetNames() []string {
	var names []string
	for _, t := range WriteTargets() {
		names = append(names, t.Entity)
	}
	return names
}

// LookupWriteTarget finds a write target by entity name; an unknown name's
// error suggests the closest ones.
func LookupWriteTarget(entity string) (WriteTarget, error) {
	if t, ok := writeTargetIndex()[entity]; ok {
		return t, nil
	}
	names := WriteTargetNames()
	for _, t := range WriteTargets() {
		if strings.TrimPrefix(t.Path, "/") == entity && t.Path != "/integrations" {
			return WriteTarget{}, fmt.Errorf("unknown write entity %q: did you mean %q?", entity, t.Entity)
		}
	}
	if near := SuggestNames(entity, names, 3); len(near) > 0 {
		return WriteTarget{}, fmt.Errorf("unknown write entity %q: did you mean %s?", entity, quotedList(near, " or "))
	}
	return WriteTarget{}, fmt.Errorf("unknown write entity %q: writable entities are %s", entity, strings.Join(names, ", "))
}

// serverProps are set by the server; no write may send them (FACTS.md).
var serverProps = []string{"row_version", "version", "create_date", "last_modified_time"}

// writeTargetIndex is the table by entity, built once: PrepareWrite looks
// its target up for every queued write, and building the whole table each
// time made queueing 20,000 stock levels take seconds. Callers get copies
// of the structs and never change the slices inside them.
var writeTargetIndex = sync.OnceValue(func() map[string]WriteTarget {
	m := map[string]WriteTarget{}
	for _, t := range WriteTargets() {
		m[t.Entity] = t
	}
	return m
})

// WriteTargets returns every write target in rank order. Built by a function,
// like entityTable, so no caller can change what another sees.
func WriteTargets() []WriteTarget {
	ts := []WriteTarget{
		refTarget("tax_rates", "/taxrates", "TaxRate", "tax rate", 10,
			wStr("name"), wNum("rate"), wBool("active")),
		refTarget("warehouses", "/warehouses", "Warehouse", "warehouse", 10,
			wStr("name"), wText("order_email"), wText("credit_request_email"), wText("quote_email"), wBool("active")),
		refTarget("price_lists", "/pricelists", "PriceList", "price list", 10,
			wStr("name"), wBool("active"), wBool("prices_include_vat"), wStr("currency_code")),
		customFieldTarget(),
		enumLabelTarget(),
		productTarget(),
		customerTarget(),
		contactTarget(),
		priceTarget(),
		stockLevelTarget(),
		visitFrequencyTarget(),
		scheduledVisitTarget(),
		taskTarget(),
		customerCommentTarget(),
		invoiceTarget(),
		transactionTarget("quotes", "/quotes", "Quote", "quote", 70),
		transactionTarget("orders", "/orders", "Order", "order", 80),
		transactionTarget("credit_requests", "/creditrequests", "CreditRequest", "credit request", 80),
	}
	for i := range ts {
		finishTarget(&ts[i])
	}
	return ts
}

// finishTarget fills what follows from the rest: each method's read-only
// list, from the server's properties and the read definition's.
func finishTarget(t *WriteTarget) {
	var readProps []string
	if e, err := LookupEntity(t.Entity); err == nil {
		readProps = e.Properties
	}
	for i := range t.Methods {
		m := &t.Methods[i]
		ro := slices.Clone(serverProps)
		if m.Method == "PATCH" {
			ro = append(ro, "tax") // FACTS.md: read-only in a PATCH
		}
		for _, p := range readProps {
			if _, ok := m.Prop(p); !ok && p != "custom_fields" && !slices.Contains(ro, p) {
				ro = append(ro, p)
			}
		}
		if _, ok := m.Prop("id"); !ok && !slices.Contains(ro, "id") && t.Path != "/integrations" {
			ro = append(ro, "id")
		}
		ro = slices.DeleteFunc(ro, func(p string) bool { _, ok := m.Prop(p); return ok })
		m.ReadOnly = ro
	}
}

func wStr(name string) WriteProp  { return WriteProp{Name: name, Type: PropString} }
func wText(name string) WriteProp { return WriteProp{Name: name, Type: PropString, Clearable: true} }
func wInt(name string) WriteProp  { return WriteProp{Name: name, Type: PropInteger} }
func wNum(name string) WriteProp  { return WriteProp{Name: name, Type: PropNumber} }
func wBool(name string) WriteProp { return WriteProp{Name: name, Type: PropBoolean} }
func wDate(name string) WriteProp { return WriteProp{Name: name, Type: PropDateTime} }
func wEnum(name string, values ...string) WriteProp {
	return WriteProp{Name: name, Type: PropString, Enum: values}
}
func wList(name string, items PropType) WriteProp {
	return WriteProp{Name: name, Type: PropArray, Items: items}
}
func wObjects(name string, props ...WriteProp) WriteProp {
	return WriteProp{Name: name, Type: PropArray, Items: PropObject, Props: props}
}

// withID puts an integer id in front of props (PUT and PATCH definitions).
func withID(props []WriteProp) []WriteProp {
	return append([]WriteProp{wInt("id")}, props...)
}

func alts(pairs ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = append(m[pairs[i]], pairs[i+1])
	}
	return m
}

var idKey = []string{"id"}

// refTarget describes tax rates, warehouses and price lists. The spec
// requires nothing; a record without a name cannot be shown in the app, so
// POST and PUT require one (as the simulator does).
func refTarget(entity, path, base, singular string, rank int, props ...WriteProp) WriteTarget {
	return WriteTarget{Entity: entity, Path: path, Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace},
		NaturalKey: "name", Rank: rank, Singular: singular, LabelBy: "name",
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: path, Definition: base + "Post", Props: props, Required: []string{"name"}},
			{Kind: KindReplace, Method: "PUT", Path: path, Definition: base + "Put", Props: withID(props), Required: []string{"id", "name"}, Key: idKey},
			{Kind: KindUpdate, Method: "PATCH", Path: path, Definition: base + "Patch", Props: withID(props), Required: []string{"id"}, Key: idKey},
		}}
}

// fieldGrowTypes are the custom field types AddCustomFields takes.
var fieldGrowTypes = []string{"Text", "Number", "SingleSelect", "MultiSelect", "NestedSingleSelect", "NestedMultiSelect",
	"Address", "UserSingleSelect", "UserMultiSelect", "HeadingLabel", "NormalLabel", "FinePrintLabel"}

// customFieldTarget: one item is one fields_to_add entry of POST
// /integrations {"action":"AddCustomFields"}. form_id may be given as a
// form's name or an entity name ("customers"): PrepareWrite resolves it.
func customFieldTarget() WriteTarget {
	return WriteTarget{Entity: "custom_fields", Path: "/integrations", Kinds: []WriteKind{KindAddField},
		NaturalKey: "form_id+name", Rank: 20, Singular: "custom field", LabelBy: "name",
		Methods: []WriteMethod{{Kind: KindAddField, Method: "POST", Path: "/integrations", Definition: "FieldGrowData",
			Props:    []WriteProp{wInt("form_id"), wStr("name"), wEnum("type", fieldGrowTypes...)},
			Required: []string{"form_id", "name", "type"}}}}
}

// enumLabelTarget: one item is one enum_grow_data entry of POST
// /integrations {"action":"AutoGrowEnums"}. Instead of customfield_id a
// caller may name the field: form_id (or a form or entity name) and field.
func enumLabelTarget() WriteTarget {
	return WriteTarget{Entity: "enum_labels", Path: "/integrations", Kinds: []WriteKind{KindGrowEnum},
		Upsert: true, Rank: 25, Singular: "enum labels of custom field",
		Methods: []WriteMethod{{Kind: KindGrowEnum, Method: "POST", Path: "/integrations", Definition: "EnumGrowData",
			Props:    []WriteProp{wInt("customfield_id"), wList("enums", PropString)},
			Required: []string{"customfield_id", "enums"}, Local: []string{"form_id", "field"}}}}
}

func orderUnitProps() []WriteProp {
	return []WriteProp{wInt("id"), wStr("name"), wNum("multiplier"), wBool("active"), wInt("minimum_order_quantity"),
		{Name: "packaging_option", Type: PropObject, Props: []WriteProp{wInt("inner"), wInt("outer"), wInt("pallet")}}}
}

func customFieldsProp() WriteProp {
	return WriteProp{Name: "custom_fields", Type: PropArray, Items: PropObject, Custom: true,
		Props: []WriteProp{wInt("id"), wStr("name"), wStr("value")}}
}

// fileProps are PUT's and PATCH's links of uploaded files; the spec leaves
// transaction_id unexplained and no record carries it.
func fileProps() []WriteProp {
	return []WriteProp{wInt("transaction_id"), wList("files", PropString)}
}

func productTarget() WriteTarget {
	post := []WriteProp{wStr("code"), wStr("name"), wBool("active"), wObjects("order_units", orderUnitProps()...), customFieldsProp()}
	upd := append(withID(post), fileProps()...)
	return WriteTarget{Entity: "products", Path: "/products", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace},
		NaturalKey: "code", Rank: 30, Singular: "product", LabelBy: "code", CustomFields: true,
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/products", Definition: "ProductPost", Props: post, Required: []string{"name"}},
			// A PUT without a name would leave a product that cannot be shown.
			{Kind: KindReplace, Method: "PUT", Path: "/products", Definition: "ProductPut", Props: upd, Required: []string{"id", "name"}, Key: idKey},
			// The spec: code is "required if you do not specify id".
			{Kind: KindUpdate, Method: "PATCH", Path: "/products", Definition: "ProductPatch", Props: upd, Required: []string{"id"},
				Alternatives: alts("id", "code"), Key: idKey},
		}}
}

func customerTarget() WriteTarget {
	post := []WriteProp{wStr("code"), wStr("name"), wBool("active"),
		{Name: "location", Type: PropObject, Props: []WriteProp{wNum("latitude"), wNum("longitude"), wNum("accuracy"), wBool("is_approximate")}},
		wNum("default_discount"), wInt("price_list_id"), wStr("price_list_name"), wList("assigned_users", PropInteger),
		wInt("default_warehouse_id"), customFieldsProp()}
	upd := append(withID(post), fileProps()...)
	return WriteTarget{Entity: "customers", Path: "/customers", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace},
		NaturalKey: "code", Rank: 40, Singular: "customer", LabelBy: "code", CustomFields: true,
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/customers", Definition: "CustomerPost", Props: post, Required: []string{"name"}},
			{Kind: KindReplace, Method: "PUT", Path: "/customers", Definition: "CustomerPut", Props: upd, Required: []string{"id", "name"}, Key: idKey},
			// The spec's text lets code stand in for id here as for
			// products; the simulator keys customer PATCHes by id only, and
			// a record read by reader always has its id.
			{Kind: KindUpdate, Method: "PATCH", Path: "/customers", Definition: "CustomerPatch", Props: upd, Required: []string{"id"}, Key: idKey},
		}}
}

// contactTarget: contacts name their customer by code only. ContactPost
// lists an id, but a new contact's id is the server's.
func contactTarget() WriteTarget {
	props := []WriteProp{wStr("name"), wText("surname"), wStr("customer_code"), wText("title"), wText("company"),
		wText("website"), wText("work_number"), wText("mobile_number"), wText("email"), wText("job_title"),
		wText("notes"), wBool("active"), wText("address")}
	return WriteTarget{Entity: "contacts", Path: "/contacts", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace},
		Rank: 50, Singular: "contact",
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/contacts", Definition: "ContactPost", Props: props, Required: []string{"name", "customer_code"}},
			{Kind: KindReplace, Method: "PUT", Path: "/contacts", Definition: "ContactPut", Props: withID(props), Required: []string{"id", "name", "customer_code"}, Key: idKey},
			{Kind: KindUpdate, Method: "PATCH", Path: "/contacts", Definition: "ContactPatch", Props: withID(props), Required: []string{"id"}, Key: idKey},
		}}
}

// priceTarget: POST /prices sets the price at (product, order unit, price
// list); create and update are the same upsert.
func priceTarget() WriteTarget {
	props := []WriteProp{wNum("price"), wInt("price_list_id"), wStr("price_list_name"), wInt("product_id"), wStr("product_code"),
		wInt("order_unit_id"), wStr("order_unit_name"), wInt("tax_rate_id")}
	m := WriteMethod{Method: "POST", Path: "/prices", Definition: "OrderUnitPricePost", Props: props,
		Required:     []string{"product_id", "order_unit_id", "price_list_id", "price"},
		Alternatives: alts("product_id", "product_code", "order_unit_id", "order_unit_name", "price_list_id", "price_list_name"),
		Key:          []string{"product_id", "order_unit_id", "price_list_id"}}
	create, update := m, m
	create.Kind, update.Kind = KindCreate, KindUpdate
	return WriteTarget{Entity: "prices", Path: "/prices", Kinds: []WriteKind{KindCreate, KindUpdate},
		Upsert: true, Rank: 50, Singular: "price", Methods: []WriteMethod{create, update}}
}

// stockLevelTarget: POST /stocklevels sets the level at (product, order
// unit, warehouse); an empty level deletes it, which PrepareWrite sends
// only for KindDelete.
func stockLevelTarget() WriteTarget {
	props := []WriteProp{wInt("product_id"), wStr("product_code"), wInt("order_unit_id"), wStr("order_unit_name"),
		wInt("warehouse_id"), wStr("warehouse_name"), wNum("level"), wStr("label")}
	m := WriteMethod{Method: "POST", Path: "/stocklevels", Definition: "StockLevelPost", Props: props,
		Required:     []string{"product_id", "order_unit_id"},
		Alternatives: alts("product_id", "product_code", "order_unit_id", "order_unit_name", "warehouse_id", "warehouse_name"),
		Key:          []string{"product_id", "order_unit_id", "warehouse_id"}}
	create, update, del := m, m, m
	create.Kind, update.Kind, del.Kind = KindCreate, KindUpdate, KindDelete
	return WriteTarget{Entity: "stock_levels", Path: "/stocklevels", Kinds: []WriteKind{KindCreate, KindUpdate, KindDelete},
		Upsert: true, Rank: 50, Singular: "stock level", Methods: []WriteMethod{create, update, del}}
}

func visitFrequencyTarget() WriteTarget {
	props := []WriteProp{wInt("customer_id"), wStr("customer_code"), wInt("user_id"), wStr("user_name"),
		wInt("cycle"), wInt("frequency"),
		// The spec gives period no enum; its description names the values.
		wEnum("period", "week", "month", "year")}
	// The spec requires both the id and the code (or user name); either
	// names the customer or user.
	a := alts("customer_id", "customer_code", "customer_code", "customer_id", "user_id", "user_name", "user_name", "user_id")
	req := []string{"customer_id", "customer_code", "user_id", "user_name", "cycle", "frequency", "period"}
	return WriteTarget{Entity: "visit_frequencies", Path: "/visitfrequencies", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace},
		Rank: 50, Singular: "visit frequency",
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/visitfrequencies", Definition: "VisitFrequencyPost", Props: props, Required: req, Alternatives: a},
			{Kind: KindReplace, Method: "PUT", Path: "/visitfrequencies", Definition: "VisitFrequencyPut", Props: withID(props),
				Required: append([]string{"id"}, req...), Alternatives: a, Key: idKey},
			{Kind: KindUpdate, Method: "PATCH", Path: "/visitfrequencies", Definition: "VisitFrequencyPatch", Props: withID(props), Required: []string{"id"}, Key: idKey},
		}}
}

func scheduledVisitTarget() WriteTarget {
	props := []WriteProp{wText("comment"), wDate("due_date"), wInt("customer_id"), wStr("customer_code"), wText("reminder_offset"),
		wInt("assigned_user_id"), wStr("assigned_user_name"), wBool("all_day"), wDate("end_time")}
	a := alts("customer_id", "customer_code", "customer_code", "customer_id",
		"assigned_user_id", "assigned_user_name", "assigned_user_name", "assigned_user_id")
	req := []string{"due_date", "assigned_user_id", "assigned_user_name", "customer_id", "customer_code"}
	return WriteTarget{Entity: "scheduled_visits", Path: "/scheduledvisits", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace, KindDelete},
		Rank: 50, Singular: "scheduled visit",
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/scheduledvisits", Definition: "ScheduledVisitPost", Props: props, Required: req, Alternatives: a},
			{Kind: KindReplace, Method: "PUT", Path: "/scheduledvisits", Definition: "ScheduledVisitPut", Props: withID(props),
				Required: append([]string{"id"}, req...), Alternatives: a, Key: idKey},
			{Kind: KindUpdate, Method: "PATCH", Path: "/scheduledvisits", Definition: "ScheduledVisitPatch", Props: withID(props), Required: []string{"id"}, Key: idKey},
			{Kind: KindDelete, Method: "DELETE", Path: "/scheduledvisits", Definition: "ScheduledVisitDelete", Props: []WriteProp{wInt("id")},
				Required: []string{"id"}, Key: idKey, BareKey: "id"},
		}}
}

func taskTarget() WriteTarget {
	props := []WriteProp{wStr("description"), wDate("due_date"), wInt("customer_id"), wStr("customer_code"), wText("reminder_offset"),
		wDate("completed_date"), wInt("assigned_user_id"), wStr("assigned_user_name"), wBool("anytime")}
	a := alts("assigned_user_id", "assigned_user_name", "assigned_user_name", "assigned_user_id")
	req := []string{"description", "due_date", "assigned_user_id", "assigned_user_name", "anytime"}
	return WriteTarget{Entity: "tasks", Path: "/tasks", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace, KindDelete},
		Rank: 50, Singular: "task",
		Methods: []WriteMethod{
			{Kind: KindCreate, Method: "POST", Path: "/tasks", Definition: "TaskPost", Props: props, Required: req, Alternatives: a},
			{Kind: KindReplace, Method: "PUT", Path: "/tasks", Definition: "TaskPut", Props: withID(props),
				Required: append([]string{"id"}, req...), Alternatives: a, Key: idKey},
			{Kind: KindUpdate, Method: "PATCH", Path: "/tasks", Definition: "TaskPatch", Props: withID(props), Required: []string{"id"}, Key: idKey},
			{Kind: KindDelete, Method: "DELETE", Path: "/tasks", Definition: "TaskDelete", Props: []WriteProp{wInt("id")},
				Required: []string{"id"}, Key: idKey, BareKey: "id"},
		}}
}

func customerCommentTarget() WriteTarget {
	return WriteTarget{Entity: "customer_comments", Path: "/customercomments", Kinds: []WriteKind{KindCreate},
		Rank: 50, Singular: "customer comment",
		Methods: []WriteMethod{{Kind: KindCreate, Method: "POST", Path: "/customercomments", Definition: "CustomerCommentPost",
			Props:    []WriteProp{wStr("comment"), wInt("customer_id"), wStr("customer_code"), wDate("date")},
			Required: []string{"comment", "customer_id", "customer_code"}, Alternatives: alts("customer_id", "customer_code", "customer_code", "customer_id")}}}
}

// invoiceWriteStatuses is the vocabulary invoice status is written in; it
// reads in another (FACTS.md errata).
var invoiceWriteStatuses = []string{"Paid", "NotSpecified", "OutStanding", "Deleted", "Void"}

// invoiceReadStatus maps read-only spellings of status to the write
// vocabulary ("" = cannot be written).
var invoiceReadStatus = map[string]string{"Outstanding": "OutStanding", "Draft": "", "Authorized": "", "Delivered": ""}

func invoiceTarget() WriteTarget {
	item := WriteProp{Name: "items", Type: PropArray, Items: PropObject,
		Props:    []WriteProp{wInt("product_id"), wStr("product_code"), wNum("quantity"), wNum("tax_amount"), wNum("value")},
		Required: []string{"product_id", "quantity"}, Alternatives: alts("product_id", "product_code")}
	props := []WriteProp{wDate("date"), wInt("customer_id"), wStr("customer_code"), wText("reference"),
		wEnum("status", invoiceWriteStatuses...), wDate("due_date"), wStr("external_id"),
		wEnum("tax_inclusion", "Included", "Excluded"), wNum("tax"), wNum("total"), wNum("outstanding_balance"),
		wStr("currency_code"), wNum("currency_rate_to_base"), item}
	upd := withID(props)
	patch := slices.DeleteFunc(slices.Clone(upd), func(p WriteProp) bool { return p.Name == "tax" })
	cust := alts("customer_id", "customer_code")
	var ms []WriteMethod
	for _, ext := range []bool{false, true} {
		path, key, need := "/invoices", "id", []string(nil)
		if ext {
			path, key, need = "/invoicesbyexternalid", "external_id", []string{"external_id"}
		}
		delDef, delProp := "InvoiceDelete", wInt("id")
		if ext {
			delDef, delProp = "InvoiceExternalDelete", wStr("external_id")
		}
		putReq := []string{"id", "date", "customer_id"}
		patchReq := []string{"id"}
		if ext {
			putReq = []string{"external_id", "date", "customer_id"}
			patchReq = []string{"external_id"}
		}
		ms = append(ms,
			WriteMethod{Kind: KindCreate, Method: "POST", Path: path, ByExternalID: ext, Definition: "InvoicePost", Props: props,
				Required: append(need, "date", "customer_id"), Alternatives: cust},
			WriteMethod{Kind: KindReplace, Method: "PUT", Path: path, ByExternalID: ext, Definition: "InvoicePut", Props: upd,
				Required: putReq, Alternatives: cust, Key: []string{key}},
			WriteMethod{Kind: KindUpdate, Method: "PATCH", Path: path, ByExternalID: ext, Definition: "InvoicePatch", Props: patch,
				Required: patchReq, Key: []string{key}},
			WriteMethod{Kind: KindDelete, Method: "DELETE", Path: path, ByExternalID: ext, Definition: delDef, Props: []WriteProp{delProp},
				Required: []string{key}, Key: []string{key}, BareKey: key},
		)
	}
	return WriteTarget{Entity: "invoices", Path: "/invoices", Kinds: []WriteKind{KindCreate, KindUpdate, KindReplace, KindDelete},
		NaturalKey: "external_id", Rank: 60, Singular: "invoice", LabelBy: "external_id", Methods: ms}
}

// transactionTarget: orders, quotes and credit requests are only created.
// Their custom field values go in forms: [{id: <form id>, custom_fields}].
func transactionTarget(entity, path, base, singular string, rank int) WriteTarget {
	item := WriteProp{Name: "items", Type: PropArray, Items: PropObject,
		Props: []WriteProp{wInt("product_id"), wStr("product_code"), wStr("unit_name"), wStr("comment"), wNum("multiplier"),
			wNum("quantity"), wNum("price"), wNum("list_price"), wNum("unit_price"), wInt("tax_rate_id"), wNum("tax_rate_value")},
		// The spec requires nothing of an item; one without a product or a
		// quantity cannot be an order line.
		Required: []string{"product_id", "quantity"}, Alternatives: alts("product_id", "product_code")}
	forms := WriteProp{Name: "forms", Type: PropArray, Items: PropObject, Custom: true,
		Props: []WriteProp{wInt("id"), {Name: "custom_fields", Type: PropArray, Items: PropObject,
			Props: []WriteProp{wInt("id"), wStr("value")}, Required: []string{"id"}}}}
	props := []WriteProp{wDate("date"), wInt("customer_id"), wInt("user_id"), wNum("discount")}
	if entity == "orders" {
		props = append(props, wInt("quote_id"))
	}
	props = append(props, wBool("prices_include_vat"), wInt("warehouse_id"), wInt("transaction_id"), wStr("currency_code"),
		wNum("currency_rate_to_base"), item, forms)
	return WriteTarget{Entity: entity, Path: path, Kinds: []WriteKind{KindCreate}, Rank: rank, Singular: singular, CustomFields: true,
		Methods: []WriteMethod{{Kind: KindCreate, Method: "POST", Path: path, Definition: base + "Post", Props: props,
			Required: []string{"customer_id", "date", "user_id", "items"}}}}
}
