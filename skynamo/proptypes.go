package skynamo

// LuaProp is one standard property of a record as a Lua script sees it,
// typed in lua-language-server's annotation language, so `skynamo types`
// can write it as a ---@field line. The types follow the spec
// (swagger.json; proptypes_contract_test.go checks them) with the client's
// own reading on top: integers and long numbers are "integer", other
// numbers "number", enums a union of their literal labels, nested objects
// the class of their definition, arrays "T[]".
type LuaProp struct {
	Name string
	Type string
	// DateTime marks text holding an ISO 8601 date-time with an offset.
	DateTime bool
	// Joined marks a property the client adds to the definition's own:
	// orders, quotes and credit requests get their rep from their
	// interaction (JoinTransactions).
	Joined bool
}

// LuaDefinition is the Lua-facing shape of one spec definition: an
// entity's records or something nested in them (order items, order units,
// a location). custom_fields is listed only for form definitions, where it
// is the form's list of field definitions (CustomFieldsArePlain); elsewhere
// the reader turns it into a record's custom table, whose fields depend on
// the instance.
type LuaDefinition struct {
	Name  string // the spec definition's name, also the class name
	Props []LuaProp
}

// LuaDefinitions lists every entity's definition, each followed by the
// definitions nested in it. Each call builds a new slice.
func LuaDefinitions() []LuaDefinition { return luaDefinitionTable() }

// LuaDefinitionOf finds one definition by name.
func LuaDefinitionOf(name string) (LuaDefinition, bool) {
	for _, d := range LuaDefinitions() {
		if d.Name == name {
			return d, true
		}
	}
	return LuaDefinition{}, false
}

// EntityCustomFields reports whether records of entity carry a custom
// table: customers, products, the transactions and completed forms.
func EntityCustomFields(entity string) bool {
	return hasCustomFields(entity) || entity == "completed_forms"
}

// luaDefinitionTable is the table as derived from the spec, property order
// kept. It is built by a function so no caller can change another's copy.
func luaDefinitionTable() []LuaDefinition {
	return []LuaDefinition{
		{Name: "Customer", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "code", Type: "string"},
			{Name: "name", Type: "string"},
			{Name: "active", Type: "boolean"},
			{Name: "location", Type: "Location"},
			{Name: "price_list_id", Type: "integer"},
			{Name: "price_list_name", Type: "string"},
			{Name: "assigned_users", Type: "integer[]"},
			{Name: "default_discount", Type: "number"},
			{Name: "default_warehouse_id", Type: "integer"},
			{Name: "default_warehouse_name", Type: "string"}, // errata: the spec says integer
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "create_date", Type: "string", DateTime: true},
			{Name: "files", Type: "string[]"},
		}},
		{Name: "Location", Props: []LuaProp{
			{Name: "latitude", Type: "number"},
			{Name: "longitude", Type: "number"},
			{Name: "accuracy", Type: "number"},
			{Name: "is_approximate", Type: "boolean"},
		}},
		{Name: "Product", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "row_version", Type: "integer"},
			{Name: "code", Type: "string"},
			{Name: "name", Type: "string"},
			{Name: "active", Type: "boolean"},
			{Name: "order_units", Type: "OrderUnit[]"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "files", Type: "string[]"},
		}},
		{Name: "OrderUnit", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "multiplier", Type: "number"},
			{Name: "active", Type: "boolean"},
			{Name: "minimum_order_quantity", Type: "integer"},
			{Name: "packaging_option", Type: "PackagingOption"},
		}},
		{Name: "PackagingOption", Props: []LuaProp{
			{Name: "inner", Type: "integer"},
			{Name: "outer", Type: "integer"},
			{Name: "pallet", Type: "integer"},
		}},
		{Name: "Invoice", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "reference", Type: "string"},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "status", Type: `"Draft"|"Authorized"|"Delivered"|"Outstanding"|"Paid"|"Deleted"`},
			{Name: "due_date", Type: "string", DateTime: true},
			{Name: "external_id", Type: "string"},
			{Name: "tax_inclusion", Type: `"Included"|"Excluded"`},
			{Name: "tax", Type: "number"},
			{Name: "total", Type: "number"},
			{Name: "outstanding_balance", Type: "number"},
			{Name: "currency_code", Type: "string"},
			{Name: "currency_rate_to_base", Type: "number"},
			{Name: "items", Type: "InvoiceItem[]"},
		}},
		{Name: "InvoiceItem", Props: []LuaProp{
			{Name: "product_id", Type: "integer"},
			{Name: "product_code", Type: "string"},
			{Name: "quantity", Type: "number"},
			{Name: "tax_amount", Type: "number"},
			{Name: "value", Type: "number"},
		}},
		{Name: "VisitFrequency", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "user_id", Type: "integer"},
			{Name: "user_name", Type: "string"},
			{Name: "cycle", Type: "integer"},
			{Name: "frequency", Type: "integer"},
			{Name: "period", Type: "string"},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
		}},
		{Name: "Contact", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "surname", Type: "string"},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "title", Type: "string"},
			{Name: "company", Type: "string"},
			{Name: "website", Type: "string"},
			{Name: "work_number", Type: "string"},
			{Name: "mobile_number", Type: "string"},
			{Name: "email", Type: "string"},
			{Name: "job_title", Type: "string"},
			{Name: "notes", Type: "string"},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "create_date", Type: "string", DateTime: true},
			{Name: "active", Type: "boolean"},
			{Name: "address", Type: "string"},
		}},
		{Name: "Task", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "description", Type: "string"},
			{Name: "create_date", Type: "string", DateTime: true},
			{Name: "due_date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "reminder_offset", Type: "string"},
			{Name: "completed_date", Type: "string", DateTime: true},
			{Name: "assigned_user_id", Type: "integer"},
			{Name: "assigned_user_name", Type: "string"},
			{Name: "creator_user_id", Type: "integer"},
			{Name: "creator_user_name", Type: "string"},
			{Name: "anytime", Type: "boolean"},
		}},
		{Name: "ScheduledVisit", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "comment", Type: "string"},
			{Name: "create_date", Type: "string", DateTime: true},
			{Name: "due_date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "reminder_offset", Type: "string"},
			{Name: "completer_visit_id", Type: "integer"},
			{Name: "completed_date", Type: "string", DateTime: true},
			{Name: "assigned_user_id", Type: "integer"},
			{Name: "assigned_user_name", Type: "string"},
			{Name: "creator_user_id", Type: "integer"},
			{Name: "creator_user_name", Type: "string"},
			{Name: "all_day", Type: "boolean"},
			{Name: "end_time", Type: "string", DateTime: true},
		}},
		{Name: "CustomerComment", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "comment", Type: "string"},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "row_version", Type: "integer"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "user_id", Type: "integer"},
			{Name: "user_name", Type: "string"},
		}},
		{Name: "Order", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "reference", Type: "string"},
			{Name: "interaction_id", Type: "integer"},
			{Name: "discount", Type: "number"},
			{Name: "discount_amount", Type: "number"},
			{Name: "total_amount", Type: "number"},
			{Name: "prices_include_vat", Type: "boolean"},
			{Name: "warehouse_id", Type: "integer"},
			{Name: "warehouse_name", Type: "string"},
			{Name: "email_recipients", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "currency_code", Type: "string"},
			{Name: "currency_rate_to_base", Type: "number"},
			{Name: "items", Type: "OrderItem[]"},
			{Name: "user_id", Type: "integer", Joined: true},
			{Name: "user_name", Type: "string", Joined: true},
		}},
		{Name: "OrderItem", Props: []LuaProp{
			{Name: "quantity", Type: "number"},
			{Name: "unit_price", Type: "number"},
			{Name: "list_price", Type: "number"},
			{Name: "order_unit_name", Type: "string"},
			{Name: "product_code", Type: "string"},
			{Name: "product_name", Type: "string"},
			{Name: "comment", Type: "string"},
			{Name: "cost", Type: "number"},
			{Name: "tax_rate_value", Type: "number"},
			{Name: "tax_rate_id", Type: "integer"},
		}},
		{Name: "Quote", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "reference", Type: "string"},
			{Name: "discount", Type: "number"},
			{Name: "discount_amount", Type: "number"},
			{Name: "total_amount", Type: "number"},
			{Name: "prices_include_vat", Type: "boolean"},
			{Name: "warehouse_id", Type: "integer"},
			{Name: "warehouse_name", Type: "string"},
			{Name: "email_recipients", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "currency_code", Type: "string"},
			{Name: "currency_rate_to_base", Type: "number"},
			{Name: "items", Type: "QuoteItem[]"},
			{Name: "user_id", Type: "integer", Joined: true},
			{Name: "user_name", Type: "string", Joined: true},
		}},
		{Name: "QuoteItem", Props: []LuaProp{
			{Name: "quantity", Type: "number"},
			{Name: "unit_price", Type: "number"},
			{Name: "comment", Type: "string"},
			{Name: "list_price", Type: "number"},
			{Name: "order_unit_name", Type: "string"},
			{Name: "product_code", Type: "string"},
			{Name: "product_name", Type: "string"},
			{Name: "cost", Type: "number"},
			{Name: "tax_rate_value", Type: "number"},
			{Name: "tax_rate_id", Type: "integer"},
		}},
		{Name: "CreditRequest", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "reference", Type: "string"},
			{Name: "discount", Type: "number"},
			{Name: "discount_amount", Type: "number"},
			{Name: "total_amount", Type: "number"},
			{Name: "prices_include_vat", Type: "boolean"},
			{Name: "warehouse_id", Type: "integer"},
			{Name: "warehouse_name", Type: "string"},
			{Name: "email_recipients", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "currency_code", Type: "string"},
			{Name: "currency_rate_to_base", Type: "number"},
			{Name: "items", Type: "CreditRequestItem[]"},
			{Name: "user_id", Type: "integer", Joined: true},
			{Name: "user_name", Type: "string", Joined: true},
		}},
		{Name: "CreditRequestItem", Props: []LuaProp{
			{Name: "quantity", Type: "number"},
			{Name: "unit_price", Type: "number"},
			{Name: "comment", Type: "string"},
			{Name: "list_price", Type: "number"},
			{Name: "order_unit_name", Type: "string"},
			{Name: "product_code", Type: "string"},
			{Name: "product_name", Type: "string"},
			{Name: "cost", Type: "number"},
			{Name: "tax_rate_value", Type: "number"},
			{Name: "tax_rate_id", Type: "integer"},
		}},
		{Name: "Interaction", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "comment", Type: "string"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "end_time", Type: "string", DateTime: true},
			{Name: "is_visit", Type: "boolean"},
			{Name: "location", Type: "Location"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "user_id", Type: "integer"},
			{Name: "user_name", Type: "string"},
			{Name: "credit_request_id", Type: "integer"},
			{Name: "order_id", Type: "integer"},
			{Name: "email_id", Type: "integer"},
			{Name: "quote_id", Type: "integer"},
			{Name: "product_numbers_survey_id", Type: "integer"},
			{Name: "stocktake_id", Type: "integer"},
			{Name: "completed_form_ids", Type: "integer[]"},
		}},
		{Name: "CompletedForm", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "date", Type: "string", DateTime: true},
			{Name: "customer_id", Type: "integer"},
			{Name: "customer_code", Type: "string"},
			{Name: "customer_name", Type: "string"},
			{Name: "user_id", Type: "integer"},
			{Name: "user_name", Type: "string"},
			{Name: "interaction_id", Type: "integer"},
			{Name: "form_id", Type: "integer"},
			{Name: "form_name", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
		}},
		{Name: "User", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "user_name", Type: "string"},
			{Name: "display_name", Type: "string"},
			{Name: "email", Type: "string"},
			{Name: "active", Type: "boolean"},
			{Name: "access", Type: "string"},
		}},
		{Name: "StockLevel", Props: []LuaProp{
			{Name: "product_id", Type: "integer"},
			{Name: "product_code", Type: "string"},
			{Name: "product_name", Type: "string"},
			{Name: "order_unit_id", Type: "integer"},
			{Name: "order_unit_name", Type: "string"},
			{Name: "warehouse_id", Type: "integer"},
			{Name: "warehouse_name", Type: "string"},
			{Name: "level", Type: "number"},
			{Name: "label", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
		}},
		{Name: "FormDefinition", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "type", Type: "string"},
			{Name: "recipients", Type: "string"},
			{Name: "users", Type: "integer[]"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "active", Type: "boolean"},
			{Name: "custom_fields", Type: "FormDefinitionCustomField[]"},
		}},
		{Name: "FormDefinitionCustomField", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "required", Type: "boolean"},
			{Name: "type", Type: "string"},
			{Name: "enumeration_values", Type: "FormDefinitionCustomFieldEnumerator[]"},
		}},
		{Name: "FormDefinitionCustomFieldEnumerator", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "label", Type: "string"},
			{Name: "parent_id", Type: "integer"},
			{Name: "comment", Type: "CustomFieldEnumeratorComment"},
		}},
		{Name: "CustomFieldEnumeratorComment", Props: []LuaProp{
			{Name: "required", Type: "boolean"},
			{Name: "required_custom_field_id", Type: "integer"},
		}},
		{Name: "TaxRate", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "rate", Type: "number"},
			{Name: "active", Type: "boolean"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
		}},
		{Name: "Warehouse", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "order_email", Type: "string"},
			{Name: "credit_request_email", Type: "string"},
			{Name: "quote_email", Type: "string"},
			{Name: "active", Type: "boolean"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
		}},
		{Name: "PriceList", Props: []LuaProp{
			{Name: "id", Type: "integer"},
			{Name: "name", Type: "string"},
			{Name: "active", Type: "boolean"},
			{Name: "prices_include_vat", Type: "boolean"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "currency_code", Type: "string"},
			{Name: "currency_rate_to_base", Type: "number"},
		}},
		{Name: "OrderUnitPrice", Props: []LuaProp{
			{Name: "price", Type: "number"},
			{Name: "price_list_id", Type: "integer"},
			{Name: "price_list_name", Type: "string"},
			{Name: "product_id", Type: "integer"},
			{Name: "product_code", Type: "string"},
			{Name: "product_name", Type: "string"},
			{Name: "order_unit_id", Type: "integer"},
			{Name: "order_unit_name", Type: "string"},
			{Name: "last_modified_time", Type: "string", DateTime: true},
			{Name: "tax_rate_id", Type: "integer"},
		}},
	}
}
