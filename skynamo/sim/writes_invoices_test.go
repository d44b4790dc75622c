package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteInvoices(t *testing.T) {
	s, base := startServer(t, smallOptions())
	cust := s.Records("customers")[0]["code"].(string)
	prod := s.Records("products")[0]
	pcode, pid := prod["code"].(string), itoa(idOf(t, prod))
	var top int64
	for _, r := range s.Records("invoices") {
		top = max(top, mustInt(t, r["row_version"]))
	}
	w := write(t, base, "POST", "invoices", `[{"date":"2026-03-02T09:30:00+02:00","customer_code":"`+cust+`","external_id":"ERP-X1","status":"OutStanding",
		"total":115,"tax":15,"items":[{"product_code":"`+pcode+`","quantity":2,"value":100,"tax_amount":15}]}]`).write(t, 200)
	if len(w.Data) != 1 || w.Data[0]["row_version"] == nil {
		t.Fatalf("data %v", w.Data)
	}
	id := int64(w.Data[0]["id"].(float64))
	newer := pullAll(t, base, "invoices", filterQuery("greater_than(row_version,"+itoa(top)+")"))
	if len(newer) != 1 || idOf(t, newer[0]) != id || newer[0]["status"] != "Outstanding" || newer[0]["customer_code"] != cust {
		t.Fatalf("row_version pull after POST: %v", newer)
	}
	body := string(get(t, base, "invoicesbyexternalid/ERP-X1").body)
	for _, want := range []string{`"product_id":` + pid, `"quantity":2`, `"currency_code":"`, `"date":"2026-03-02T09:30:00`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET by external id lacks %s: %s", want, body)
		}
	}

	// PATCH by id, then by external id; a renamed external id moves the index.
	write(t, base, "PATCH", "invoices", `[{"id":`+itoa(id)+`,"status":"Paid","outstanding_balance":0}]`).write(t, 200)
	write(t, base, "PATCH", "invoicesbyexternalid", `[{"external_id":"ERP-X1","reference":"INV-X1"}]`).write(t, 200)
	body = string(get(t, base, "invoices/"+itoa(id)).body)
	if !strings.Contains(body, `"status":"Paid"`) || !strings.Contains(body, `"reference":"INV-X1"`) {
		t.Fatalf("after PATCHes: %s", body)
	}
	write(t, base, "PUT", "invoices", `[{"id":`+itoa(id)+`,"date":"2026-03-03T00:00:00+02:00","customer_code":"`+cust+`","external_id":"ERP-X2"}]`).write(t, 200)
	if r := get(t, base, "invoicesbyexternalid/ERP-X1"); r.status != 404 {
		t.Errorf("old external id still found: %d", r.status)
	}
	body = string(get(t, base, "invoicesbyexternalid/ERP-X2").body)
	if strings.Contains(body, `"reference"`) || !strings.Contains(body, `"items":[]`) || !strings.Contains(body, `"currency_code"`) {
		t.Errorf("PUT replaces the whole invoice: %s", body)
	}
	write(t, base, "PUT", "invoicesbyexternalid", `[{"external_id":"ERP-X2","date":"2026-03-03T00:00:00+02:00","customer_code":"`+cust+`","reference":"R"}]`).write(t, 200)
	if body := string(get(t, base, "invoices/"+itoa(id)).body); !strings.Contains(body, `"external_id":"ERP-X2"`) || !strings.Contains(body, `"reference":"R"`) {
		t.Errorf("PUT by external id: %s", body)
	}

	// DELETE takes bare keys.
	w = write(t, base, "POST", "invoicesbyexternalid", `[{"external_id":"ERP-X3","date":"2026-03-04","customer_code":"`+cust+`"}]`).write(t, 200)
	id3 := int64(w.Data[0]["id"].(float64))
	write(t, base, "DELETE", "invoicesbyexternalid", `["ERP-X2"]`).write(t, 200)
	write(t, base, "DELETE", "invoices", `[`+itoa(id3)+`]`).write(t, 200)
	for _, p := range []string{"invoices/" + itoa(id), "invoices/" + itoa(id3), "invoicesbyexternalid/ERP-X3"} {
		if r := get(t, base, p); r.status != 404 {
			t.Errorf("deleted %s: %d", p, r.status)
		}
	}
	w = write(t, base, "DELETE", "invoices", `[`+itoa(id3)+`,{"id":1},"7"]`).write(t, 400)
	if len(w.Errors) != 3 || !strings.Contains(w.Errors[1].Detail[0], "integer id") {
		t.Errorf("DELETE errors %+v", w.Errors)
	}
}

func TestWriteInvoiceValidation(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("invoices"))
	inv := s.Records("invoices")[0]
	ext := inv["external_id"].(string)
	cust := `"date":"2026-03-02","customer_id":` + itoa(idOf(t, s.Records("customers")[0]))
	body := `[` +
		`{` + cust + `,"status":"Outstanding"},` + // 0 read vocabulary
		`{` + cust + `,"status":"Void"},` + // 1 no read counterpart
		`{` + cust + `,"external_id":"` + ext + `"},` + // 2 external id taken
		`{` + cust + `,"external_id":"NEW"},` + // 3 fine
		`{` + cust + `,"external_id":"NEW"},` + // 4 taken in this request
		`{` + cust + `,"items":[{"quantity":1}]},` + // 5 no product
		`{` + cust + `,"items":[{"product_id":999999999,"quantity":1},{"product_code":"NOPE"}]},` + // 6 unknown product, no quantity
		`{"date":"2026-03-02","customer_code":"NOPE"},` + // 7 unknown customer
		`{"date":"2026-03-02"},` + // 8 no customer
		`{` + cust + `,"items":[{"product_id":1,"quantity":1,"colour":"red"}]},` + // 9 unknown item property
		`{` + cust + `,"tax_inclusion":"Maybe"}` + // 10 enum
		`]`
	w := write(t, base, "POST", "invoices", body).write(t, 400)
	want := map[int]string{0: "Outstanding is how it reads; write OutStanding", 1: `status "Void" cannot be written; the allowed values are Paid, OutStanding, Deleted`,
		2: "already used by invoice", 4: "another invoice in this request", 5: "items[0]: product_id or product_code is required",
		6: "items[1]: quantity is required", 7: `no customer with code "NOPE"`, 8: "customer_id or customer_code is required",
		9: `unknown property "colour"`, 10: "must be one of Included, Excluded"}
	if len(w.Errors) != len(want) {
		t.Errorf("errors %+v", w.Errors)
	}
	for _, e := range w.Errors {
		if !strings.Contains(strings.Join(e.Detail, ";"), want[e.Index]) {
			t.Errorf("item %d: %v, want %q", e.Index, e.Detail, want[e.Index])
		}
	}
	if e := w.Errors[5]; e.Index == 6 && !strings.Contains(strings.Join(e.Detail, ";"), "items[0]: no product with id 999999999") {
		t.Errorf("item 6: %v", e.Detail)
	}
	if n := len(s.Records("invoices")); n != before {
		t.Fatalf("rejected request saved invoices")
	}
	w = write(t, base, "PATCH", "invoicesbyexternalid", `[{"external_id":"NOPE","total":1},{"total":1},{"external_id":"`+ext+`","id":1,"total":1},{"external_id":"`+ext+`","tax":1}]`).write(t, 400)
	for i, sub := range []string{`no invoice with external id "NOPE"`, "external_id is required", "not 1", "read-only"} {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("PATCH error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
	var got map[string]any
	_ = json.Unmarshal(get(t, base, "invoicesbyexternalid/"+ext).body, &got)
	if got["total"] == json.Number("1") {
		t.Fatal("rejected PATCH applied")
	}
}
