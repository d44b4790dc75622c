package skynamo

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func prepSchema(t *testing.T) *Schema {
	t.Helper()
	s, err := ParseSchemaJSON([]byte(`[
	{"id":-1,"name":"Customer","type":"Static","custom_fields":[
		{"id":1,"name":"Customer Type","type":"Single Value Enumeration Field","required":true,"enumeration_values":[{"id":10,"label":"Retail"},{"id":11,"label":"Wholesale"}]},
		{"id":2,"name":"Région","type":"Text Field"},
		{"id":3,"name":"Credit Limit (R)","type":"Number Field"},
		{"id":4,"name":"Area","type":"Multi Value Hierarchical Enumeration Field","enumeration_values":[{"id":30,"label":"Gauteng"},{"id":31,"label":"Pretoria","parent_id":30}]}]},
	{"id":-3,"name":"Product","type":"Static","custom_fields":[{"id":301,"name":"Brand","type":"Single Value Enumeration Field","enumeration_values":[{"id":40,"label":"Umoya"}]}]},
	{"id":11,"name":"Order Details","type":"Order","custom_fields":[
		{"id":201,"name":"Payment Terms","type":"Single Value Enumeration Field","required":true,"enumeration_values":[{"id":50,"label":"COD"}]},
		{"id":202,"name":"PO Number","type":"Text Field"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrepareWriteBodies pins the wire items, labels and keys of every
// target: bodies are deterministic, so these are golden.
func TestPrepareWriteBodies(t *testing.T) {
	schema := prepSchema(t)
	n := func(s string) json.Number { return json.Number(s) }
	cust := map[string]any{"id": n("17"), "code": "C001", "name": "Acme", "row_version": n("99"), "customer_name": "x",
		"custom": map[string]any{"Customer Type": "Retail", "Région": "North"}}
	tests := []struct {
		name             string
		req              WriteRequest
		method, path     string
		item, label, key string
		natural          string
		changes          []Change
	}{
		{"customer create", WriteRequest{Kind: KindCreate, Entity: "customers", Values: map[string]any{"name": "New", "code": "C9", "active": true,
			"custom": map[string]any{"customer_type": "Wholesale", "Area": []any{"Gauteng - Pretoria"}, "Région": ""}}},
			"POST", "/customers", `{"code":"C9","name":"New","active":true,"custom_fields":[{"id":1,"value":"Wholesale"},{"id":4,"value":"Gauteng - Pretoria"}]}`,
			`new customer code "C9"`, "customers:code=C9", "C9", nil},
		{"customer update from a read record", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust,
			Values: map[string]any{"name": "Acme Ltd", "default_discount": nil, "custom": map[string]any{"Région": Clear, "Credit Limit (R)": int64(5000)}}},
			"PATCH", "/customers", `{"id":17,"name":"Acme Ltd","custom_fields":[{"id":2,"value":""},{"id":3,"value":"5000"}]}`,
			`customer code "C001"`, "customers:id=17", "",
			[]Change{{"name", "Acme", "Acme Ltd"}, {"custom.Credit Limit (R)", "", "5000"}, {"custom.Région", "North", ""}}},
		{"customer by id only", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: map[string]any{"id": int64(5)}, Values: map[string]any{"active": false}},
			"PATCH", "/customers", `{"id":5,"active":false}`, "customer id 5", "customers:id=5", "", []Change{{"active", "", "false"}}},
		{"product by code", WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": "P1"}, Values: map[string]any{"name": "Tea",
			"order_units": []any{map[string]any{"name": "Case", "multiplier": int64(12)}}}},
			"PATCH", "/products", `{"code":"P1","name":"Tea","order_units":[{"name":"Case","multiplier":12}]}`, `product code "P1"`, "products:code=P1", "", nil},
		{"tax rate rename", WriteRequest{Kind: KindUpdate, Entity: "tax_rates", Record: map[string]any{"id": n("3"), "name": "VAT 15% (T01)", "rate": n("15")},
			Values: map[string]any{"rate": 16.0}},
			"PATCH", "/taxrates", `{"id":3,"rate":16}`, `tax rate "VAT 15% (T01)"`, "tax_rates:id=3", "", []Change{{"rate", "15", "16"}}},
		{"tax rate create", WriteRequest{Kind: KindCreate, Entity: "tax_rates", Values: map[string]any{"name": "Zero (T0)", "rate": int64(0)}},
			"POST", "/taxrates", `{"name":"Zero (T0)","rate":0}`, `new tax rate "Zero (T0)"`, "tax_rates:name=Zero (T0)", "Zero (T0)", nil},
		{"stock level upsert", WriteRequest{Kind: KindCreate, Entity: "stock_levels", Values: map[string]any{"product_code": "P001", "order_unit_name": "Each", "level": int64(4)}},
			"POST", "/stocklevels", `{"product_code":"P001","order_unit_name":"Each","level":4}`, "stock level P001/Each", "stock_levels:product_code=P001,order_unit_name=Each", "", nil},
		{"stock level delete", WriteRequest{Kind: KindDelete, Entity: "stock_levels", Record: map[string]any{"product_id": n("1"), "product_code": "P001",
			"order_unit_id": n("2"), "order_unit_name": "Each", "warehouse_id": n("4"), "warehouse_name": "Main", "level": n("3")}},
			"POST", "/stocklevels", `{"product_id":1,"order_unit_id":2,"warehouse_id":4,"level":""}`, "stock level P001/Each/Main",
			"stock_levels:product_id=1,order_unit_id=2,warehouse_id=4", "", nil},
		{"price", WriteRequest{Kind: KindUpdate, Entity: "prices", Record: map[string]any{"product_code": "P1", "order_unit_name": "Each", "price_list_name": "Retail", "price": n("2")},
			Values: map[string]any{"price": n("2.5")}},
			"POST", "/prices", `{"price":2.5,"price_list_name":"Retail","product_code":"P1","order_unit_name":"Each"}`, "price P1/Each/Retail",
			"prices:product_code=P1,order_unit_name=Each,price_list_name=Retail", "", []Change{{"price", "2", "2.5"}}},
		{"task delete", WriteRequest{Kind: KindDelete, Entity: "tasks", Record: map[string]any{"id": n("5"), "description": "x"}},
			"DELETE", "/tasks", `5`, "task id 5", "tasks:id=5", "", nil},
		{"invoice create by external id", WriteRequest{Kind: KindCreate, Entity: "invoices", Values: map[string]any{"external_id": "INV-1", "date": "2025-01-02",
			"customer_code": "C001", "status": "Outstanding", "items": []any{map[string]any{"product_code": "P1", "quantity": int64(2)}}}},
			"POST", "/invoicesbyexternalid", `{"date":"2025-01-02T00:00:00","customer_code":"C001","status":"OutStanding","external_id":"INV-1","items":[{"product_code":"P1","quantity":2}]}`,
			`new invoice external id "INV-1"`, "invoices:external_id=INV-1", "INV-1", nil},
		{"invoice delete by external id", WriteRequest{Kind: KindDelete, Entity: "invoices", Record: map[string]any{"id": n("8"), "external_id": "INV-1"}, ByExternalID: true},
			"DELETE", "/invoicesbyexternalid", `"INV-1"`, `invoice external id "INV-1"`, "invoices:external_id=INV-1", "", nil},
		{"invoice delete by id", WriteRequest{Kind: KindDelete, Entity: "invoices", Record: map[string]any{"id": n("8"), "external_id": "INV-1"}},
			"DELETE", "/invoices", `8`, `invoice external id "INV-1"`, "invoices:id=8", "", nil},
		{"order", WriteRequest{Kind: KindCreate, Entity: "orders", Values: map[string]any{"customer_id": int64(17), "user_id": int64(2), "date": "2025-03-01T08:00:00Z",
			"items": []any{map[string]any{"product_id": int64(3), "quantity": 1.5}}, "custom": map[string]any{"Payment Terms": "COD"}}},
			"POST", "/orders", `{"date":"2025-03-01T08:00:00Z","customer_id":17,"user_id":2,"items":[{"product_id":3,"quantity":1.5}],"forms":[{"id":11,"custom_fields":[{"id":201,"value":"COD"}]}]}`,
			"new order for customer id 17", "", "", nil},
		{"contact replace", WriteRequest{Kind: KindReplace, Entity: "contacts", Values: map[string]any{"id": int64(4), "name": "Sam", "customer_code": "C1", "email": Clear},
			Record: map[string]any{"id": int64(4), "name": "Sally", "customer_code": "C1", "email": "s@example.com", "row_version": n("9")}},
			"PUT", "/contacts", `{"id":4,"name":"Sam","customer_code":"C1","email":""}`, "contact id 4", "contacts:id=4", "",
			[]Change{{"email", "s@example.com", ""}, {"name", "Sally", "Sam"}}},
		{"add field", WriteRequest{Kind: KindAddField, Entity: "custom_fields", Values: map[string]any{"form_id": "customers", "name": "Region", "type": "Text"}},
			"POST", "/integrations", `{"form_id":-1,"name":"Region","type":"Text"}`, `custom field "Region" on form -1`, "custom_fields:-1/Region", "-1/Region", nil},
		{"grow enum by name", WriteRequest{Kind: KindGrowEnum, Entity: "enum_labels", Values: map[string]any{"form_id": int64(-1), "field": "customer_type", "enums": []any{"Franchise"}}},
			"POST", "/integrations", `{"customfield_id":1,"enums":["Franchise"]}`, `enum labels of custom field "Customer Type" (id 1)`, "enum_labels:1", "",
			[]Change{{"custom.Customer Type", "Retail; Wholesale", "Retail; Wholesale; Franchise"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op, probs := PrepareWrite(tc.req, schema)
			if len(probs) > 0 {
				t.Fatalf("problems: %v", probs)
			}
			if op.Method != tc.method || op.Path != tc.path {
				t.Errorf("%s %s, want %s %s", op.Method, op.Path, tc.method, tc.path)
			}
			if string(op.Item) != tc.item {
				t.Errorf("item\n got  %s\n want %s", op.Item, tc.item)
			}
			if op.Label != tc.label || op.RecordKey != tc.key || op.NaturalKey != tc.natural {
				t.Errorf("label %q key %q natural %q, want %q %q %q", op.Label, op.RecordKey, op.NaturalKey, tc.label, tc.key, tc.natural)
			}
			if tc.changes != nil && !reflect.DeepEqual(op.Changes, tc.changes) {
				t.Errorf("changes\n got  %v\n want %v", op.Changes, tc.changes)
			}
			if !json.Valid(op.Item) {
				t.Errorf("invalid JSON %s", op.Item)
			}
			again, _ := PrepareWrite(tc.req, schema)
			if string(again.Item) != string(op.Item) {
				t.Errorf("not deterministic: %s then %s", op.Item, again.Item)
			}
		})
	}
}

// TestPrepareWriteProblems covers every kind of problem; each case lists
// the problems expected (property: part of the message), all of them.
func TestPrepareWriteProblems(t *testing.T) {
	schema := prepSchema(t)
	cust := map[string]any{"id": int64(17), "code": "C001", "name": "Acme"}
	tests := []struct {
		name string
		req  WriteRequest
		want []string
	}{
		{"unknown entity", WriteRequest{Kind: KindCreate, Entity: "customer"}, []string{`: did you mean "customers"`}},
		{"kind the entity lacks", WriteRequest{Kind: KindUpdate, Entity: "customer_comments", Record: map[string]any{"id": int64(1)}},
			[]string{`: customer_comments cannot be written with "update": the API offers create`}},
		{"unknown property", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"nmae": "x"}},
			[]string{`nmae: unknown property "nmae"; did you mean "name"?`}},
		{"wrong types", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{
			"default_discount": "5", "name": int64(3), "active": "true", "assigned_users": "1,2", "default_warehouse_id": 2.5}},
			[]string{`active: must be true or false, not the text "true"`, `assigned_users: must be a list`,
				`default_discount: must be a number, not the text "5" (convert it with tonumber)`,
				`default_warehouse_id: must be a whole number, not 2.5`, `name: must be text, not the number 3 (convert it with tostring)`}},
		{"read-only", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{
			"row_version": int64(3), "default_warehouse_name": "Main", "create_date": "2024-01-01"}},
			[]string{"create_date: is read-only: the server sets it", "default_warehouse_name: is read-only: CustomerPatch does not take it",
				"row_version: is read-only: the server sets it"}},
		{"tax in an invoice patch", WriteRequest{Kind: KindUpdate, Entity: "invoices", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"tax": 1.5}},
			[]string{"tax: is read-only in an update"}},
		{"id on create", WriteRequest{Kind: KindCreate, Entity: "tax_rates", Values: map[string]any{"id": int64(1), "name": "x"}},
			[]string{"id: is read-only: the server assigns ids"}},
		{"required and alternatives", WriteRequest{Kind: KindCreate, Entity: "tasks", Values: map[string]any{"description": "", "anytime": true}},
			[]string{"assigned_user_id: required property missing (or give assigned_user_name)", "description: required property missing",
				"due_date: required property missing"}},
		{"replace without the record", WriteRequest{Kind: KindReplace, Entity: "contacts", Values: map[string]any{"id": int64(4), "name": "Sam", "customer_code": "C1"}},
			[]string{"replace resets every property it does not send, so it needs the record as it is now to check what would be lost: pass a record read with reader, or use update to change only some properties"}},
		{"replace leaving values out", WriteRequest{Kind: KindReplace, Entity: "contacts", Values: map[string]any{"id": int64(4), "name": "Sam", "email": "", "customer_code": "C7"},
			Record: map[string]any{"id": int64(4), "customer_code": "C7", "name": "Sally", "email": "s@example.com", "mobile_number": "082", "title": ""}},
			[]string{"replace would empty mobile_number, email, which the record has and the write leaves out: give them (writer.CLEAR to empty one on purpose) or use update to change only some properties"}},
		{"replace needs the key", WriteRequest{Kind: KindReplace, Entity: "warehouses", Values: map[string]any{"name": "Main"}},
			[]string{"id: the values has no id: a warehouse replace needs the warehouse's id"}},
		{"update needs the key", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: map[string]any{"code": "C1"}, Values: map[string]any{"name": "x"}},
			[]string{"id: the record has no id"}},
		{"enum", WriteRequest{Kind: KindUpdate, Entity: "visit_frequencies", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"period": "weeks"}},
			[]string{`period: "weeks" is not allowed; did you mean "week"? (allowed: week, month, year)`}},
		{"invoice status read vocabulary", WriteRequest{Kind: KindUpdate, Entity: "invoices", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"status": "Draft"}},
			[]string{`status: "Draft" is how an invoice reads, but it cannot be written (allowed: Paid, NotSpecified, OutStanding, Deleted, Void)`}},
		{"custom fields", WriteRequest{Kind: KindCreate, Entity: "customers", Values: map[string]any{"name": "x", "custom": map[string]any{
			"Regon": "N", "Credit Limit (R)": "lots", "Area": []any{"Gauteng"}}}},
			[]string{`custom.Area: "Gauteng" is not one of its labels`, `custom.Credit Limit (R): "lots" is not a number`,
				`custom.Customer Type: required custom field missing (one of: Retail; Wholesale)`,
				`custom.Regon: unknown custom field "Regon" of customers; did you mean "region" or "Région"?`}},
		{"custom not a table", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"custom": "Region=N"}},
			[]string{`custom: must be a table of custom field values by name, not the text "Region=N"`}},
		{"custom_fields given directly", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"custom_fields": []any{}}},
			[]string{"custom_fields: is filled from custom"}},
		{"clear refused", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{
			"name": Clear, "default_discount": Clear, "custom": map[string]any{"Customer Type": Clear}}},
			[]string{"custom.Customer Type: is a required custom field and cannot be cleared", "default_discount: cannot be cleared: a number has no empty value",
				"name: cannot be cleared: it is required"}},
		{"stock level without level", WriteRequest{Kind: KindUpdate, Entity: "stock_levels",
			Record: map[string]any{"product_code": "P1", "order_unit_name": "Each"}, Values: map[string]any{"level": ""}},
			[]string{"level: is missing: to delete a stock level use delete"}},
		{"stock level cleared", WriteRequest{Kind: KindUpdate, Entity: "stock_levels",
			Record: map[string]any{"product_code": "P1", "order_unit_name": "Each"}, Values: map[string]any{"level": Clear, "label": "Low"}},
			[]string{"level: cannot be cleared: to delete a stock level use delete"}},
		{"stock level key change", WriteRequest{Kind: KindUpdate, Entity: "stock_levels",
			Record: map[string]any{"product_code": "P1", "order_unit_name": "Each"}, Values: map[string]any{"product_code": "P2", "level": int64(1)}},
			[]string{"product_code: product_code names the stock level and cannot be changed here"}},
		{"product code by code", WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": "P1"}, Values: map[string]any{"code": "P2"}},
			[]string{"code: code names the product and cannot be changed here"}},
		{"nested", WriteRequest{Kind: KindCreate, Entity: "invoices", Values: map[string]any{"date": "2025-01-01", "customer_id": int64(1),
			"items": []any{map[string]any{"product_id": int64(1), "quantity": int64(1)}, map[string]any{"product_code": "P", "quantity": "2"}, map[string]any{"quantity": int64(1), "qty": int64(1)}}}},
			[]string{`items[2].quantity: must be a number, not the text "2" (convert it with tonumber)`, `items[3].product_id: required property missing (or give product_code)`,
				`items[3].qty: unknown property "qty"`}},
		{"object", WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"location": map[string]any{"latitud": 1.0, "longitude": "2"}}},
			[]string{`location.latitud: unknown property "latitud"; did you mean "latitude"?`, `location.longitude: must be a number, not the text "2"`}},
		{"bad date", WriteRequest{Kind: KindUpdate, Entity: "tasks", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"due_date": "tomorrow"}},
			[]string{`due_date: "tomorrow" is not a date-time`}},
		{"delete with values", WriteRequest{Kind: KindDelete, Entity: "tasks", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"description": "x"}},
			[]string{": a delete takes only the record, not values (description)"}},
		{"all day with end", WriteRequest{Kind: KindUpdate, Entity: "scheduled_visits", Record: map[string]any{"id": int64(1)},
			Values: map[string]any{"all_day": true, "end_time": "2025-01-01T10:00:00"}},
			[]string{"all_day: is true but end_time is given"}},
		{"order without items", WriteRequest{Kind: KindCreate, Entity: "orders", Values: map[string]any{"customer_id": int64(1), "user_id": int64(1),
			"date": "2025-01-01", "items": []any{}, "custom": map[string]any{"PO Number": "1"}}},
			[]string{"custom.Payment Terms: required custom field missing (one of: COD)", "items: must hold at least one item"}},
		{"cycle", WriteRequest{Kind: KindUpdate, Entity: "visit_frequencies", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"cycle": int64(0)}},
			[]string{"cycle: must be at least 1, not 0"}},
		{"field exists", WriteRequest{Kind: KindAddField, Entity: "custom_fields", Values: map[string]any{"form_id": int64(-1), "name": "Région", "type": "Txt"}},
			[]string{`name: form -1 (Customer) already has a field named "Région"`, `type: "Txt" is not allowed; did you mean "Text"?`}},
		{"form unknown", WriteRequest{Kind: KindAddField, Entity: "custom_fields", Values: map[string]any{"form_id": "Order Detail", "name": "X", "type": "Text"}},
			[]string{`form_id: no form named "Order Detail"; did you mean "Order Details"?`}},
		{"grow a nested enum", WriteRequest{Kind: KindGrowEnum, Entity: "enum_labels", Values: map[string]any{"customfield_id": int64(4), "enums": []any{"Limpopo", " "}}},
			[]string{`enums[1]: "Limpopo": a nested field grows by "Parent - Child"`, "enums[2]: a label must not be blank"}},
		{"grow a text field", WriteRequest{Kind: KindGrowEnum, Entity: "enum_labels", Values: map[string]any{"form_id": "customers", "field": "Région", "enums": "North"}},
			[]string{`field: custom field "Région" is a Text Field, not an enumeration`}},
		{"no schema", WriteRequest{Kind: KindCreate, Entity: "customers", Values: map[string]any{"name": "x"}},
			[]string{"custom: the form definitions are needed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := schema
			if tc.name == "no schema" {
				s = nil
			}
			_, probs := PrepareWrite(tc.req, s)
			var got []string
			for _, p := range probs {
				got = append(got, p.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems\n got  %q\n want %q", got, tc.want)
			}
			for i, w := range tc.want {
				// A want starting ": " is a problem of the item as a whole.
				if !strings.Contains(": "+got[i], w) {
					t.Errorf("problem %d\n got  %q\n want %q", i, got[i], w)
				}
			}
		})
	}
}

// TestPrepareWriteAbsentNeverClears: nil and "" are never sent, so an
// empty CSV cell or a Lua nil cannot clear or delete anything.
func TestPrepareWriteAbsentNeverClears(t *testing.T) {
	schema := prepSchema(t)
	op, probs := PrepareWrite(WriteRequest{Kind: KindUpdate, Entity: "customers", Record: map[string]any{"id": int64(1)},
		Values: map[string]any{"name": "", "code": nil, "active": true, "custom": map[string]any{"Région": "", "Area": []any{}}}}, schema)
	if len(probs) > 0 || string(op.Item) != `{"id":1,"active":true}` {
		t.Errorf("item %s, problems %v", op.Item, probs)
	}
	op, probs = PrepareWrite(WriteRequest{Kind: KindUpdate, Entity: "contacts", Record: map[string]any{"id": int64(1)},
		Values: map[string]any{"notes": Clear}}, schema)
	if len(probs) > 0 || string(op.Item) != `{"id":1,"notes":""}` {
		t.Errorf("a clearable string: item %s, problems %v", op.Item, probs)
	}
}
