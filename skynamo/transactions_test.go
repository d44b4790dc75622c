package skynamo

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func decodeAllJSON(t *testing.T, fs *FieldSet, records ...string) []Record {
	t.Helper()
	raw := make([]json.RawMessage, len(records))
	for i, r := range records {
		raw[i] = json.RawMessage(r)
	}
	recs, err := DecodeRecords(raw, fs)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestTransactionJoin(t *testing.T) {
	s := testSchema(t)
	orders := s.Transactions(FormTypeOrder)
	txs := decodeAllJSON(t, orders,
		`{"id": 1, "interaction_id": 10, "total_amount": 99.5}`, // complete, two order forms
		`{"id": 2, "interaction_id": 20}`,                       // a completed form not synced yet
		`{"id": 3, "interaction_id": 30}`,                       // interaction not synced, its form is
		`{"id": 4}`,                                             // created through the API: nothing to join
		`{"id": 5, "interaction_id": 50}`,                       // an inactive order form
	)
	interactions := decodeAllJSON(t, nil,
		`{"id": 10, "user_id": 7, "user_name": "Jane", "completed_form_ids": [100, 101, 102]}`,
		`{"id": 20, "user_id": 8, "user_name": "Joe", "completed_form_ids": [200, 201]}`,
		`{"id": 50, "user_id": 7, "user_name": "Jane", "completed_form_ids": [500]}`,
	)
	forms, err := DecodeCompletedForms([]json.RawMessage{
		json.RawMessage(`{"id": 100, "interaction_id": 10, "form_id": 100, "custom_fields": [
			{"id": 50, "value": "Deliver before 10"}, {"id": 51, "value": "PO-1"}]}`),
		json.RawMessage(`{"id": 101, "interaction_id": 10, "form_id": 101, "custom_fields": [
			{"id": 60, "value": "Gate code 12"}, {"id": 61, "value": "2024-05-11T10:00:00+02:00"}]}`),
		json.RawMessage(`{"id": 102, "interaction_id": 10, "form_id": 200, "custom_fields": [{"id": 90, "value": "0.5"}]}`),
		json.RawMessage(`{"id": 200, "interaction_id": 20, "form_id": 100, "custom_fields": [{"id": 51, "value": "PO-2"}]}`),
		json.RawMessage(`{"id": 300, "interaction_id": 30, "user_id": 9, "user_name": "Ann", "form_id": 100,
			"custom_fields": [{"id": 51, "value": "PO-3"}]}`),
		json.RawMessage(`{"id": 500, "interaction_id": 50, "form_id": 102, "custom_fields": [{"id": 70, "value": "old"}]}`),
	}, s)
	if err != nil {
		t.Fatal(err)
	}

	if n := JoinTransactions("orders", txs, interactions, forms, orders); n != 2 {
		t.Errorf("incomplete = %d, want 2 (orders 2 and 3)", n)
	}
	want := []struct {
		user   any
		custom map[string]any
		warn   string
	}{
		{json.Number("7"), map[string]any{
			"Notes": "Deliver before 10", "PO Number": "PO-1", // form 100
			"Notes #60": "Gate code 12", "Delivery Date": "2024-05-11T08:00:00Z", // form 101: Notes shared
		}, ""},
		{json.Number("8"), map[string]any{"PO Number": "PO-2"}, "completed form 201"},
		{json.Number("9"), map[string]any{"PO Number": "PO-3"}, "interaction 30"},
		{nil, map[string]any{}, ""},
		{json.Number("7"), map[string]any{}, "inactive form"},
	}
	for i, w := range want {
		tx := txs[i]
		if tx.Props["user_id"] != w.user {
			t.Errorf("order %d: user_id = %#v, want %#v", i+1, tx.Props["user_id"], w.user)
		}
		if !reflect.DeepEqual(tx.Custom, w.custom) {
			t.Errorf("order %d: Custom = %#v, want %#v", i+1, tx.Custom, w.custom)
		}
		warnings := strings.Join(tx.Warnings, "; ")
		if (w.warn == "") != (warnings == "") || !strings.Contains(warnings, w.warn) {
			t.Errorf("order %d: warnings %q, want one containing %q", i+1, warnings, w.warn)
		}
		if tx.Fields != orders {
			t.Errorf("order %d: Fields not set to the order set", i+1)
		}
	}
	if txs[0].Props["user_name"] != "Jane" || txs[0].Props["total_amount"] != json.Number("99.5") {
		t.Errorf("order 1 props: %#v", txs[0].Props)
	}
	if f, ok := orders.Lookup("notes_60"); !ok || txs[0].Custom[f.Key] != "Gate code 12" {
		t.Error("the identifier of the shared name should find form 101's value")
	}
}

// Quotes and credit requests carry no interaction_id: their interaction is
// the one whose quote_id (credit_request_id) names them.
func TestTransactionJoinFollowsInteractionLink(t *testing.T) {
	s := testSchema(t)
	quotes := s.Transactions(FormTypeQuote)
	txs := decodeAllJSON(t, quotes, `{"id": 7, "total_amount": 10}`, `{"id": 8}`)
	interactions := decodeAllJSON(t, nil,
		`{"id": 70, "user_id": 3, "user_name": "Sipho", "quote_id": 7, "completed_form_ids": []}`,
		`{"id": 71, "user_id": 4, "user_name": "Not a quote", "order_id": 8, "completed_form_ids": []}`,
	)
	if n := JoinTransactions("quotes", txs, interactions, nil, quotes); n != 0 {
		t.Errorf("incomplete = %d, want 0", n)
	}
	if got := txs[0].Props["user_name"]; got != "Sipho" {
		t.Errorf("quote 7: user_name = %#v, want the rep of interaction 70", got)
	}
	if got, ok := txs[1].Props["user_name"]; ok {
		t.Errorf("quote 8 took user_name %#v from an order's interaction", got)
	}
}
