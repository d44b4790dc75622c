package sim

import (
	"fmt"
	"strings"
	"testing"
)

func TestWriteStockLevels(t *testing.T) {
	s, base := startServer(t, smallOptions())
	p := s.Records("products")[0]
	code := p["code"].(string)
	before := len(s.Records("stocklevels"))
	write(t, base, "POST", "stocklevels", `[{"product_code":"`+code+`","order_unit_name":"Each","warehouse_name":"Durban Depot","level":7,"label":"Low"},`+
		`{"product_code":"`+code+`","order_unit_name":"Each","level":123}]`).write(t, 200)
	var durban, dflt map[string]any
	for _, r := range s.Records("stocklevels") {
		if r["product_code"] == code && r["order_unit_name"] == "Each" {
			switch fmt.Sprint(r["warehouse_id"]) {
			case "3":
				durban = r
			case "<nil>":
				dflt = r
			}
		}
	}
	if durban == nil || fmt.Sprint(durban["level"]) != "7" || dflt == nil || fmt.Sprint(dflt["level"]) != "123" {
		t.Fatalf("durban %v, default %v", durban, dflt)
	}
	n := len(s.Records("stocklevels"))
	if n < before || n > before+2 {
		t.Fatalf("%d stock levels after upserts, had %d", n, before)
	}
	write(t, base, "POST", "stocklevels", `[{"product_code":"`+code+`","order_unit_name":"Each","warehouse_id":3,"level":""}]`).write(t, 200)
	if len(s.Records("stocklevels")) != n-1 {
		t.Fatalf("empty level did not delete")
	}
	w := write(t, base, "POST", "stocklevels", `[{"product_code":"NOPE","order_unit_name":"Each","level":1},{"product_code":"`+code+`","order_unit_name":"Crate","level":1},{"product_code":"`+code+`","order_unit_name":"Each","warehouse_id":77,"level":1},{"product_code":"`+code+`","level":1}]`).write(t, 400)
	for i, sub := range []string{`no product with code "NOPE"`, `no order unit named "Crate"`, "no warehouse with id 77", "order_unit_id or order_unit_name is required"} {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
}
