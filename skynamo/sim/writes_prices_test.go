package sim

import (
	"fmt"
	"strings"
	"testing"
)

func TestWritePrices(t *testing.T) {
	s, base := startServer(t, smallOptions())
	var pr map[string]any
	for _, r := range s.Records("prices") {
		if fmt.Sprint(r["price_list_id"]) == "1" {
			pr = r
			break
		}
	}
	code, unit := pr["product_code"].(string), pr["order_unit_name"].(string)
	find := func(list string) []map[string]any {
		var out []map[string]any
		for _, r := range s.Records("prices") {
			if r["product_code"] == code && r["order_unit_name"] == unit && fmt.Sprint(r["price_list_id"]) == list {
				out = append(out, r)
			}
		}
		return out
	}
	before := len(s.Records("prices"))
	// Upsert by code and name; then by ids onto a list it may lack.
	write(t, base, "POST", "prices", `[{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":1,"price":99.5},`+
		`{"product_id":`+fmt.Sprint(pr["product_id"])+`,"order_unit_id":`+fmt.Sprint(pr["order_unit_id"])+`,"price_list_name":"Standard 2023","price":12}]`).write(t, 200)
	got := find("1")
	if len(got) != 1 || fmt.Sprint(got[0]["price"]) != "99.5" || got[0]["last_modified_time"] == pr["last_modified_time"] {
		t.Fatalf("updated price: %v (was %v)", got, pr)
	}
	old := find("5")
	if len(old) != 1 || fmt.Sprint(old[0]["price"]) != "12" || old[0]["price_list_name"] != "Standard 2023" || fmt.Sprint(old[0]["tax_rate_id"]) != fmt.Sprint(pr["tax_rate_id"]) {
		t.Fatalf("price on list 5: %v", old)
	}
	if n := len(s.Records("prices")); n != before && n != before+1 {
		t.Fatalf("%d prices, had %d", n, before)
	}
	// The same key again is an update, not a second price.
	n := len(s.Records("prices"))
	write(t, base, "POST", "prices", `[{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":5,"price":13,"tax_rate_id":1}]`).write(t, 200)
	if len(s.Records("prices")) != n || fmt.Sprint(find("5")[0]["price"]) != "13" {
		t.Fatalf("second upsert: %v", find("5"))
	}
	w := write(t, base, "POST", "prices", `[{"product_code":"NOPE","order_unit_name":"Each","price_list_id":1,"price":1},`+
		`{"product_code":"`+code+`","order_unit_name":"Crate","price_list_id":1,"price":1},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":99,"price":1},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_name":"Nope","price":1},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":1},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":1,"price":1,"tax_rate_id":77},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":1,"price":"1"},`+
		`{"product_code":"`+code+`","order_unit_name":"`+unit+`","price_list_id":1,"price":1,"last_modified_time":"2026-01-01T00:00:00Z"}]`).write(t, 400)
	want := []string{`no product with code "NOPE"`, `no order unit named "Crate"`, "no price list with id 99", `no price list named "Nope"`,
		"price is required", "no tax rate with id 77", "price must be a number", `unknown property "last_modified_time"`}
	if len(w.Errors) != len(want) {
		t.Fatalf("errors %+v", w.Errors)
	}
	for i, sub := range want {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
}
