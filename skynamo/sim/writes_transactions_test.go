package sim

import (
	"fmt"
	"strings"
	"testing"
)

func TestWriteTransactions(t *testing.T) {
	s, base := startServer(t, smallOptions())
	cu := s.Records("customers")[0]
	cid := itoa(idOf(t, cu))
	p := s.Records("products")[0]
	pc := p["code"].(string)
	for _, tc := range []struct{ col, form, link string }{{"orders", "11", "order_id"}, {"quotes", "12", "quote_id"}, {"creditrequests", "13", "credit_request_id"}} {
		body := `[{"customer_id":` + cid + `,"date":"2026-03-02T09:30:00+02:00","user_id":101,"discount":10,
			"items":[{"product_code":"` + pc + `","quantity":2,"unit_price":50}]}]`
		w := write(t, base, "POST", tc.col, body).write(t, 200)
		id := int64(w.Data[0]["id"].(float64))
		tx := string(get(t, base, tc.col+"/"+itoa(id)).body)
		for _, want := range []string{`"total_amount":90`, `"discount_amount":10`, `"customer_id":` + cid, `"unit_price":50`, `"cost":100`} {
			if !strings.Contains(tx, want) {
				t.Errorf("%s lacks %s: %s", tc.col, want, tx)
			}
		}
		var in map[string]any
		for _, r := range s.Records("interactions") {
			if r[tc.link] != nil && fmt.Sprint(r[tc.link]) == itoa(id) {
				in = r
			}
		}
		if in == nil || fmt.Sprint(in["user_id"]) != "101" {
			t.Fatalf("%s: no interaction links it: %v", tc.col, in)
		}
		if fids := fmt.Sprint(in["completed_form_ids"]); fids != "[]" && fids != "<nil>" {
			t.Fatalf("%s: completed_form_ids %v", tc.col, in["completed_form_ids"])
		}
		if tc.col == "orders" && !strings.Contains(tx, `"interaction_id":`+itoa(idOf(t, in))) {
			t.Errorf("order lacks its interaction: %s", tx)
		}
	}
	w := write(t, base, "POST", "orders", `[{"customer_id":1,"date":"2026-03-02","user_id":101,"items":[{"product_code":"`+pc+`","quantity":1}]},
		{"customer_id":`+cid+`,"date":"2026-03-02","user_id":101,"items":[{"product_code":"NOPE","quantity":1}]},
		{"customer_id":`+cid+`,"date":"2026-03-02","user_id":101,"items":[{"product_code":"`+pc+`","quantity":1,"unit_price":1}],"forms":[{"id":12}]},
		{"customer_id":`+cid+`,"date":"2026-03-02","user_id":101,"items":[{"product_code":"`+pc+`","quantity":1,"unit_price":1}],"forms":[{"id":11,"custom_fields":[{"id":9999,"value":"x"}]}]},
		{"customer_id":`+cid+`,"date":"2026-03-02","items":[]}]`).write(t, 400)
	want := []string{"no customer with id 1", `no product with code "NOPE"`, "not a Order form", "no custom field with id 9999", "user_id is required"}
	for i, sub := range want {
		if i >= len(w.Errors) || w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors, sub)
		}
	}
}

func TestWriteCustomerComments(t *testing.T) {
	s, base := startServer(t, smallOptions())
	code := s.Records("customers")[1]["code"].(string)
	var top int64
	for _, r := range s.Records("customercomments") {
		top = max(top, mustInt(t, r["row_version"]))
	}
	w := write(t, base, "POST", "customercomments", `[{"comment":"Call back Monday","customer_code":"`+code+`"}]`).write(t, 200)
	id := int64(w.Data[0]["id"].(float64))
	newer := pullAll(t, base, "customercomments", filterQuery("greater_than(row_version,"+itoa(top)+")"))
	if len(newer) != 1 || idOf(t, newer[0]) != id || newer[0]["customer_code"] != code || newer[0]["user_id"] == nil {
		t.Fatalf("row_version pull after POST: %v", newer)
	}
	w = write(t, base, "POST", "customercomments", `[{"comment":"x","customer_code":"NOPE"},{"customer_code":"`+code+`"}]`).write(t, 400)
	for i, sub := range []string{`no customer with code "NOPE"`, "comment is required"} {
		if i >= len(w.Errors) || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors, sub)
		}
	}
}

// An order posted with its form values gets a completed form, linked from
// its interaction, holding those values: what the client's reader joins.
func TestWriteOrderWithFormValues(t *testing.T) {
	s, base := startServer(t, smallOptions())
	cid := itoa(idOf(t, s.Records("customers")[0]))
	pc := s.Records("products")[0]["code"].(string)
	body := `[{"customer_id":` + cid + `,"date":"2026-03-02T09:30:00+02:00","user_id":101,
		"items":[{"product_code":"` + pc + `","quantity":1,"unit_price":10}],
		"forms":[{"id":11,"custom_fields":[{"id":203,"value":"COD"},{"id":202,"value":"PO-77"}]}]}]`
	w := write(t, base, "POST", "orders", body).write(t, 200)
	id := itoa(int64(w.Data[0]["id"].(float64)))

	var in map[string]any
	for _, r := range s.Records("interactions") {
		if fmt.Sprint(r["order_id"]) == id {
			in = r
		}
	}
	if in == nil {
		t.Fatal("no interaction links the new order")
	}
	fids, _ := in["completed_form_ids"].([]any)
	if len(fids) != 1 {
		t.Fatalf("completed_form_ids %v, want the one form posted", in["completed_form_ids"])
	}
	var cf map[string]any
	for _, r := range s.Records("completedforms") {
		if fmt.Sprint(r["id"]) == fmt.Sprint(fids[0]) {
			cf = r
		}
	}
	if cf == nil || fmt.Sprint(cf["form_id"]) != "11" || fmt.Sprint(cf["interaction_id"]) != fmt.Sprint(in["id"]) {
		t.Fatalf("completed form %v: want form 11 linked to interaction %v", cf, in["id"])
	}
	values := map[string]string{}
	for _, f := range cf["custom_fields"].([]any) {
		m := f.(map[string]any)
		values[fmt.Sprint(m["id"])], _ = m["value"].(string)
	}
	if values["203"] != "COD" || values["202"] != "PO-77" {
		t.Errorf("completed form values %v, want Payment Terms COD and PO Number PO-77", values)
	}
}
