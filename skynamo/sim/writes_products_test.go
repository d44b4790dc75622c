package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteProducts(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("products"))
	w := write(t, base, "POST", "products", `[{"code":"NEW_001","name":"Amasi 2L","order_units":[
		{"name":"Each","multiplier":1},{"name":"Crate (6)","multiplier":6,"packaging_option":{"inner":3,"outer":6,"pallet":240}}],
		"custom_fields":[{"id":301,"value":"Umoya"},{"id":302,"value":"2000"}]},
		{"name":"No Code"}]`).write(t, 200)
	if len(w.Data) != 2 || w.Data[0]["code"] != "NEW_001" || w.Data[0]["row_version"] == nil || w.Data[1]["code"] == nil {
		t.Fatalf("data %v", w.Data)
	}
	if n := len(s.Records("products")); n != before+2 {
		t.Fatalf("%d products, want %d", n, before+2)
	}
	id := int64(w.Data[0]["id"].(float64))
	body := string(get(t, base, "products/"+itoa(id)).body)
	for _, want := range []string{`"name":"Crate (6)","multiplier":6`, `"pallet":240`, `{"id":301,"name":"Brand","value":"Umoya"}`,
		`{"id":303,"name":"Barcode","value":""}`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET after POST lacks %s: %s", want, body)
		}
	}
	units := s.product(t, id)["order_units"].([]any)
	if len(units) != 2 || units[0].(map[string]any)["id"] == units[1].(map[string]any)["id"] {
		t.Fatalf("units %v", units)
	}
	each := units[0].(map[string]any)["id"]
	other := string(get(t, base, "products/"+itoa(int64(w.Data[1]["id"].(float64)))).body)
	if !strings.Contains(other, `"name":"Each"`) {
		t.Errorf("a product POSTed without units has no Each unit: %s", other)
	}

	// PATCH by code: a unit named as one the product has changes it, a new
	// name adds one; the others stay.
	write(t, base, "PATCH", "products", `[{"code":"NEW_001","active":false,"order_units":[{"name":"Each","minimum_order_quantity":2},{"name":"Pallet","multiplier":240}],
		"custom_fields":[{"id":302,"value":""}]}]`).write(t, 200)
	p := s.product(t, id)
	units = p["order_units"].([]any)
	if p["active"] != false || len(units) != 3 || units[0].(map[string]any)["id"] != each ||
		units[0].(map[string]any)["minimum_order_quantity"].(json.Number).String() != "2" {
		t.Fatalf("after PATCH: %v", p)
	}
	body = string(get(t, base, "products/"+itoa(id)).body)
	if !strings.Contains(body, `{"id":302,"name":"Pack Size (ml)","value":""}`) || !strings.Contains(body, `"value":"Umoya"`) {
		t.Errorf("PATCH custom fields: %s", body)
	}
	// The new unit takes stock levels by name.
	write(t, base, "POST", "stocklevels", `[{"product_code":"NEW_001","order_unit_name":"Pallet","level":3}]`).write(t, 200)

	// PUT replaces: the unit list is the item's, unsent fields unset, a new code.
	write(t, base, "PUT", "products", `[{"id":`+itoa(id)+`,"code":"NEW_002","name":"Amasi 2L","order_units":[{"id":`+each.(json.Number).String()+`,"name":"Single"}]}]`).write(t, 200)
	p = s.product(t, id)
	units = p["order_units"].([]any)
	if p["code"] != "NEW_002" || p["active"] != true || len(units) != 1 || units[0].(map[string]any)["name"] != "Single" || units[0].(map[string]any)["id"] != each {
		t.Fatalf("after PUT: %v", p)
	}
	if body = string(get(t, base, "products/"+itoa(id)).body); !strings.Contains(body, `{"id":301,"name":"Brand","value":""}`) {
		t.Errorf("PUT kept an unsent field: %s", body)
	}
}

func TestWriteProductValidation(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("products"))
	existing := s.Records("products")[0]["code"].(string)
	body := `[` +
		`{"name":"a","code":"` + existing + `"},` + // 0 duplicate code
		`{"name":"b","custom_fields":[{"id":101,"value":"x"}]},` + // 1 a customer field
		`{"name":"c","custom_fields":[{"id":302,"value":"big"}]},` + // 2 not a number
		`{"name":"d","custom_fields":[{"id":301,"value":"Nike"}]},` + // 3 bad label
		`{"name":"e","order_units":[{"name":"Each"},{"name":"Each"}]},` + // 4 unit twice
		`{"name":"f","order_units":[{"multiplier":2}]},` + // 5 unit without a name
		`{"name":"g","order_units":[{"name":"Box","multiplier":0}]},` + // 6 bad multiplier
		`{"name":"h","code":"X1"},` + // 7 fine
		`{"name":"i","code":"X1"},` + // 8 code taken in this request
		`{"code":"X2"},` + // 9 no name
		`{"name":"k","order_units":[{"id":1,"name":"Each"}]}` + // 10 a new product has no unit 1
		`]`
	w := write(t, base, "POST", "products", body).write(t, 400)
	want := map[int]string{0: "already used", 1: "no custom field with id 101", 2: `"big" is not a number`,
		3: `"Nike" is not one of`, 4: `"Each" is given twice`, 5: "needs a name", 6: "more than 0",
		8: "another product in this request", 9: "name is required", 10: "no order unit with id 1"}
	if len(w.Errors) != len(want) {
		t.Errorf("errors %+v", w.Errors)
	}
	for _, e := range w.Errors {
		if !strings.Contains(strings.Join(e.Detail, ";"), want[e.Index]) {
			t.Errorf("item %d: %v, want %q", e.Index, e.Detail, want[e.Index])
		}
	}
	if n := len(s.Records("products")); n != before {
		t.Fatalf("rejected request saved products")
	}
	w = write(t, base, "PATCH", "products", `[{"code":"NOPE","name":"x"},{"name":"x"},{"id":1,"name":"x"}]`).write(t, 400)
	for i, sub := range []string{`no product with code "NOPE"`, "id or code is required", "no product with id 1"} {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("PATCH error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
}

// product is product id as Records reads it.
func (s *Server) product(t *testing.T, id int64) map[string]any {
	t.Helper()
	for _, p := range s.Records("products") {
		if idOf(t, p) == id {
			return p
		}
	}
	t.Fatalf("no product %d", id)
	return nil
}
