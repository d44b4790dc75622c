package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// writeSim is a small simulated instance with what the write tests need:
// its schema, and records as reader hands them to scripts.
type writeSim struct {
	env    *simEnv
	schema *Schema
}

func newWriteSim(t *testing.T) *writeSim {
	t.Helper()
	env := newSimEnv(t, sim.Options{Seed: 7, Customers: 12, Products: 6, Users: 4, Orders: 10,
		Now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}, nil)
	raw, _, err := env.client.ListAll(context.Background(), "/formdefinitions", ListQuery{Flags: []string{"show_nulls", "show_enums"}})
	if err != nil {
		t.Fatal(err)
	}
	schema, err := ParseSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &writeSim{env: env, schema: schema}
}

// record is record i of a collection as a script sees it: the standard
// properties, and custom = the decoded custom field values.
func (ws *writeSim) record(t *testing.T, entity string, i int) map[string]any {
	t.Helper()
	e, err := LookupEntity(entity)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := ws.env.client.ListAll(context.Background(), e.Path, ListQuery{Flags: []string{"show_nulls"}})
	if err != nil {
		t.Fatal(err)
	}
	if i >= len(raw) {
		t.Fatalf("%s has %d records, not %d", entity, len(raw), i+1)
	}
	fs, _ := ws.schema.ForEntity(entity)
	rec, err := DecodeRecord(raw[i], fs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for k, v := range rec.Props {
		out[k] = v
	}
	if rec.Custom != nil {
		out["custom"] = rec.Custom
	}
	return out
}

// send posts one prepared op as the apply would (alone in its request).
func (ws *writeSim) send(op WriteOp) ([]byte, error) {
	body := "[" + string(op.Item) + "]"
	switch op.Entity {
	case "custom_fields":
		body = `{"action":"AddCustomFields","fields_to_add":` + body + `}`
	case "enum_labels":
		body = `{"action":"AutoGrowEnums","enum_grow_data":` + body + `}`
	}
	return ws.env.client.Send(context.Background(), op.Method, op.Path, nil, []byte(body))
}

// validWrites are writes of every kind of every target that must be
// accepted as prepared; recs supplies records read from the instance.
func validWrites(t *testing.T, ws *writeSim) []WriteRequest {
	cust := ws.record(t, "customers", 0)
	prod := ws.record(t, "products", 0)
	tax := ws.record(t, "tax_rates", 0)
	wh := ws.record(t, "warehouses", 0)
	pl := ws.record(t, "price_lists", 0)
	// Renamed by the writes below; creates name the first ones.
	whRenamed := ws.record(t, "warehouses", 1)
	plRenamed := ws.record(t, "price_lists", 1)
	contact := ws.record(t, "contacts", 0)
	price := ws.record(t, "prices", 0)
	stock := ws.record(t, "stock_levels", 0)
	vf := ws.record(t, "visit_frequencies", 0)
	sv := ws.record(t, "scheduled_visits", 0)
	sv2 := ws.record(t, "scheduled_visits", 1)
	task := ws.record(t, "tasks", 0)
	task2 := ws.record(t, "tasks", 1)
	inv := ws.record(t, "invoices", 0)
	inv2 := ws.record(t, "invoices", 1)
	user := ws.record(t, "users", 0)
	code := cust["code"].(string)
	pcode := prod["code"].(string)
	unit := prod["order_units"].([]any)[0].(map[string]any)["name"].(string)
	uid := user["id"]
	uname := user["user_name"].(string)
	var invExt map[string]any
	for i := 0; invExt == nil; i++ {
		r := ws.record(t, "invoices", i)
		if !absent(r["external_id"]) && r["id"] != inv["id"] && r["id"] != inv2["id"] {
			invExt = r
		}
	}
	n := func(s string) json.Number { return json.Number(s) }
	return []WriteRequest{
		{Kind: KindCreate, Entity: "tax_rates", Values: map[string]any{"name": "VAT 16% (T02)", "rate": n("16"), "active": true}},
		{Kind: KindUpdate, Entity: "tax_rates", Record: tax, Values: map[string]any{"rate": 15.5, "name": "VAT 15.5%"}},
		{Kind: KindReplace, Entity: "tax_rates", Record: tax, Values: whole(tax, map[string]any{"name": "Zero", "rate": int64(0)})},
		{Kind: KindCreate, Entity: "warehouses", Values: map[string]any{"name": "Durban DC", "order_email": "dc@example.com"}},
		{Kind: KindUpdate, Entity: "warehouses", Record: whRenamed, Values: map[string]any{"quote_email": Clear, "active": false}},
		{Kind: KindReplace, Entity: "warehouses", Record: whRenamed, Values: whole(whRenamed, map[string]any{"name": "Main", "order_email": Clear})},
		{Kind: KindCreate, Entity: "price_lists", Values: map[string]any{"name": "Export", "currency_code": "USD", "prices_include_vat": false}},
		{Kind: KindUpdate, Entity: "price_lists", Record: plRenamed, Values: map[string]any{"name": "Retail 2025"}},
		{Kind: KindReplace, Entity: "price_lists", Record: plRenamed, Values: whole(plRenamed, map[string]any{"name": "Retail", "active": true})},
		{Kind: KindAddField, Entity: "custom_fields", Values: map[string]any{"form_id": "customers", "name": "Region Code", "type": "SingleSelect"}},
		{Kind: KindAddField, Entity: "custom_fields", Values: map[string]any{"form_id": "Order Details", "name": "Route", "type": "Text"}},
		{Kind: KindGrowEnum, Entity: "enum_labels", Values: map[string]any{"form_id": "customers", "field": "Customer Type", "enums": []any{"Franchise"}}},
		{Kind: KindGrowEnum, Entity: "enum_labels", Values: map[string]any{"customfield_id": int64(109), "enums": []any{"Free State - Bloemfontein"}}},
		{Kind: KindCreate, Entity: "products", Values: map[string]any{"code": "NEW-P1", "name": "Rooibos 1l",
			"order_units": []any{map[string]any{"name": "Each", "multiplier": int64(1)}, map[string]any{"name": "Case", "multiplier": 12.0,
				"packaging_option": map[string]any{"inner": int64(6)}}},
			"custom": map[string]any{"Brand": "Umoya", "pack_size_ml": int64(1000), "Launch Date": "2025-02-01"}}},
		{Kind: KindUpdate, Entity: "products", Record: prod, Values: map[string]any{"name": "Renamed", "custom": map[string]any{"Barcode": "6001234567890"}}},
		{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": pcode}, Values: map[string]any{"active": false}},
		{Kind: KindReplace, Entity: "products", Record: prod, Values: whole(prod, map[string]any{"name": "Whole"})},
		{Kind: KindCreate, Entity: "customers", Values: map[string]any{"code": "NEW-C1", "name": "Spaza One",
			"location": map[string]any{"latitude": -26.2, "longitude": 28.04}, "assigned_users": []any{uid},
			"price_list_name": pl["name"],
			"custom": map[string]any{"Customer Type": "Retail, Independent", "Trading Days": []any{"Monday", "Sunday, Public Holidays"},
				"Delivery Address":     map[string]any{"street": "1 Main Rd", "city": "Soweto", "zip": "1804"},
				"Key Account Managers": []any{uid}, "2nd Rep": uid, "Account Opened": "2024-05-11T10:12:13+02:00",
				"Sales Area": "Gauteng - Pretoria", "Brands Stocked": []string{"Snacks - Biltong", "Beverages - Juice"},
				"credit_limit_r": 7500.5}}},
		{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"name": "Renamed Customer",
			"custom": map[string]any{"Notes": Clear, "Région": "Limpopo", "Credit Limit (R)": json.Number("12000")}}},
		{Kind: KindReplace, Entity: "customers", Record: cust, Values: whole(cust, map[string]any{"name": "Replaced",
			"custom": whole(cust["custom"].(map[string]any), map[string]any{"Customer Type": "Wholesale"})})},
		{Kind: KindCreate, Entity: "contacts", Values: map[string]any{"name": "Thandi", "surname": "Nkosi", "customer_code": code, "email": "t@example.com"}},
		{Kind: KindUpdate, Entity: "contacts", Record: contact, Values: map[string]any{"notes": "call first", "title": Clear}},
		{Kind: KindReplace, Entity: "contacts", Record: contact, Values: whole(contact, map[string]any{"name": "Sam", "customer_code": code})},
		{Kind: KindCreate, Entity: "prices", Values: map[string]any{"product_code": pcode, "order_unit_name": unit, "price_list_name": pl["name"], "price": 19.99}},
		{Kind: KindUpdate, Entity: "prices", Record: price, Values: map[string]any{"price": int64(25)}},
		{Kind: KindCreate, Entity: "stock_levels", Values: map[string]any{"product_code": pcode, "order_unit_name": unit, "warehouse_name": wh["name"], "level": 40.0}},
		{Kind: KindUpdate, Entity: "stock_levels", Record: stock, Values: map[string]any{"level": json.Number("12")}},
		{Kind: KindUpdate, Entity: "stock_levels", Record: map[string]any{"product_code": pcode, "order_unit_name": unit}, Values: map[string]any{"label": "Low"}},
		{Kind: KindDelete, Entity: "stock_levels", Record: stock},
		{Kind: KindCreate, Entity: "visit_frequencies", Values: map[string]any{"customer_code": code, "user_name": uname, "cycle": int64(2), "frequency": int64(1), "period": "week"}},
		{Kind: KindUpdate, Entity: "visit_frequencies", Record: vf, Values: map[string]any{"period": "month"}},
		{Kind: KindReplace, Entity: "visit_frequencies", Record: vf, Values: whole(vf, map[string]any{"customer_id": cust["id"], "user_id": uid, "cycle": int64(1), "frequency": int64(2), "period": "year"})},
		{Kind: KindCreate, Entity: "scheduled_visits", Values: map[string]any{"customer_code": code, "assigned_user_name": uname, "due_date": "2025-03-05T09:00:00", "end_time": "2025-03-05T10:00:00", "all_day": false}},
		{Kind: KindUpdate, Entity: "scheduled_visits", Record: sv, Values: map[string]any{"comment": "bring samples"}},
		{Kind: KindReplace, Entity: "scheduled_visits", Record: sv, Values: whole(sv, map[string]any{"customer_id": cust["id"], "assigned_user_id": uid, "due_date": "2025-03-06", "end_time": "2025-03-06T10:00:00"})},
		{Kind: KindDelete, Entity: "scheduled_visits", Record: sv2},
		{Kind: KindCreate, Entity: "tasks", Values: map[string]any{"description": "Call back", "due_date": "2025-03-07T12:00:00+02:00", "assigned_user_name": uname, "anytime": true, "customer_code": code}},
		{Kind: KindUpdate, Entity: "tasks", Record: task, Values: map[string]any{"completed_date": "2025-03-01 10:00:00"}},
		{Kind: KindReplace, Entity: "tasks", Record: task, Values: whole(task, map[string]any{"description": "Redo", "due_date": "2025-03-08", "assigned_user_id": uid, "anytime": false})},
		{Kind: KindDelete, Entity: "tasks", Record: task2},
		{Kind: KindCreate, Entity: "customer_comments", Values: map[string]any{"comment": "Happy with service", "customer_code": code}},
		{Kind: KindCreate, Entity: "invoices", Values: map[string]any{"external_id": "ERP-INV-9", "date": "2025-02-28", "customer_code": code,
			"status": "Outstanding", "items": []any{map[string]any{"product_code": pcode, "quantity": int64(3), "value": 30.5}}}},
		{Kind: KindCreate, Entity: "invoices", Values: map[string]any{"date": "2025-02-28", "customer_id": cust["id"], "total": 10.0, "tax_inclusion": "Included"}},
		{Kind: KindUpdate, Entity: "invoices", Record: inv, Values: map[string]any{"status": "Paid", "outstanding_balance": int64(0)}},
		{Kind: KindUpdate, Entity: "invoices", Record: map[string]any{"external_id": invExt["external_id"]}, Values: map[string]any{"reference": "R-1"}},
		{Kind: KindReplace, Entity: "invoices", Record: inv, Values: whole(inv, map[string]any{"date": "2025-01-31", "customer_code": code, "tax": 1.5})},
		{Kind: KindDelete, Entity: "invoices", Record: inv2},
		{Kind: KindDelete, Entity: "invoices", Record: invExt, ByExternalID: true},
		{Kind: KindCreate, Entity: "quotes", Values: map[string]any{"customer_id": cust["id"], "user_id": uid, "date": "2025-03-01T08:00:00Z",
			"items":  []any{map[string]any{"product_code": pcode, "quantity": int64(2), "unit_price": 9.5}},
			"custom": map[string]any{"Probability (%)": int64(60), "Valid Until": "2025-04-01"}}},
		{Kind: KindCreate, Entity: "orders", Values: map[string]any{"customer_id": cust["id"], "user_id": uid, "date": "2025-03-01T08:00:00Z",
			"items":  []any{map[string]any{"product_code": pcode, "quantity": int64(2), "unit_price": 9.5, "comment": "urgent"}},
			"custom": map[string]any{"Payment Terms": "60 Days, EOM", "PO Number": "PO-1"}}},
		{Kind: KindCreate, Entity: "credit_requests", Values: map[string]any{"customer_id": cust["id"], "user_id": uid, "date": "2025-03-01T08:00:00Z",
			"items": []any{map[string]any{"product_id": prod["id"], "quantity": int64(1), "unit_price": 9.5}}}},
	}
}

// TestPreparedWritesAcceptedBySim proves the bodies PrepareWrite builds are
// what the server takes, for every target and kind.
func TestPreparedWritesAcceptedBySim(t *testing.T) {
	ws := newWriteSim(t)
	reqs := validWrites(t, ws)
	covered := map[string]bool{}
	for i, req := range reqs {
		name := req.Entity + " " + string(req.Kind)
		covered[name] = true
		op, probs := PrepareWrite(req, ws.schema)
		if len(probs) > 0 {
			t.Errorf("%d %s: problems %v", i, name, probs)
			continue
		}
		if _, err := ws.send(op); err != nil {
			t.Errorf("%d %s (%s): %s %s %s: %v", i, name, op.Label, op.Method, op.Path, op.Item, err)
		}
	}
	for _, tg := range WriteTargets() {
		for _, k := range tg.Kinds {
			if !covered[tg.Entity+" "+string(k)] {
				t.Errorf("no valid %s %s is tried against the simulator", tg.Entity, k)
			}
		}
	}
}

// TestInvalidWritesCaughtBeforeSim: what the simulator rejects, PrepareWrite
// rejects first, so a bad item never reaches the server.
func TestInvalidWritesCaughtBeforeSim(t *testing.T) {
	ws := newWriteSim(t)
	cust := ws.record(t, "customers", 0)
	prod := ws.record(t, "products", 0)
	stock := ws.record(t, "stock_levels", 0)
	bad := []struct {
		req  WriteRequest
		item string // what a careless client would have sent
	}{
		{WriteRequest{Kind: KindCreate, Entity: "customers", Values: map[string]any{"name": "No Type"}}, `{"name":"No Type"}`},
		{WriteRequest{Kind: KindCreate, Entity: "customers", Values: map[string]any{"name": "X", "custom": map[string]any{"Customer Type": "Retail"}}},
			`{"name":"X","custom_fields":[{"id":102,"value":"Retail"}]}`},
		{WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"custom": map[string]any{"Credit Limit (R)": "lots"}}},
			`{"id":` + valueText(cust["id"]) + `,"custom_fields":[{"id":101,"value":"lots"}]}`},
		{WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"row_version": int64(5)}},
			`{"id":` + valueText(cust["id"]) + `,"row_version":5}`},
		{WriteRequest{Kind: KindUpdate, Entity: "customers", Record: cust, Values: map[string]any{"nmae": "x"}},
			`{"id":` + valueText(cust["id"]) + `,"nmae":"x"}`},
		{WriteRequest{Kind: KindUpdate, Entity: "products", Record: prod, Values: map[string]any{"active": "yes"}},
			`{"id":` + valueText(prod["id"]) + `,"active":"yes"}`},
		{WriteRequest{Kind: KindUpdate, Entity: "stock_levels", Record: stock, Values: map[string]any{"level": ""}},
			`{"product_id":` + valueText(stock["product_id"]) + `,"order_unit_id":` + valueText(stock["order_unit_id"]) + `}`},
		{WriteRequest{Kind: KindCreate, Entity: "visit_frequencies", Values: map[string]any{"customer_id": cust["id"], "user_id": int64(1), "cycle": int64(1), "frequency": int64(1), "period": "weeks"}},
			`{"customer_id":` + valueText(cust["id"]) + `,"user_id":1,"cycle":1,"frequency":1,"period":"weeks"}`},
		{WriteRequest{Kind: KindUpdate, Entity: "invoices", Record: map[string]any{"id": int64(1)}, Values: map[string]any{"status": "Draft"}},
			`{"id":1,"status":"Draft"}`},
		{WriteRequest{Kind: KindCreate, Entity: "orders", Values: map[string]any{"customer_id": cust["id"], "user_id": int64(1), "date": "2025-03-01", "items": []any{}}},
			`{"customer_id":` + valueText(cust["id"]) + `,"user_id":1,"date":"2025-03-01","items":[]}`},
	}
	for i, c := range bad {
		if _, probs := PrepareWrite(c.req, ws.schema); len(probs) == 0 {
			t.Errorf("%d %s %s: no problem found", i, c.req.Entity, c.req.Kind)
		}
		op, _ := PrepareWrite(c.req, ws.schema)
		_, err := ws.send(WriteOp{Entity: op.Entity, Method: op.Method, Path: op.Path, Item: json.RawMessage(c.item)})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
			t.Errorf("%d %s %s: the simulator answered %v to %s, want a 400 (the case proves nothing)", i, c.req.Entity, c.req.Kind, err, c.item)
		} else if !strings.Contains(string(apiErr.Body), "errors") {
			t.Logf("%d: %s", i, apiErr.Body)
		}
	}
}

// whole is a record read, with some values changed: what a script passes
// to replace after reading a record and editing it.
func whole(rec, changes map[string]any) map[string]any {
	out := make(map[string]any, len(rec)+len(changes))
	for k, v := range rec {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}
