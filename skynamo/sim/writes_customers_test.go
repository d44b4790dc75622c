package sim

import (
	"strings"
	"testing"
)

func TestWriteCustomers(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("customers"))
	w := write(t, base, "POST", "customers", `[{"code":"NEW001","name":"Café Nouveau","price_list_id":2,"default_warehouse_id":1,
		"assigned_users":[101],"location":{"latitude":-26.1,"longitude":28.0},
		"custom_fields":[{"id":102,"value":"Retail, Independent"},{"id":106,"value":"Monday,Sunday, Public Holidays"},{"id":101,"value":"2500.5"}]}]`).write(t, 200)
	if len(w.Data) != 1 || w.Data[0]["code"] != "NEW001" || w.Data[0]["row_version"] == nil {
		t.Fatalf("data %v", w.Data)
	}
	id := int64(w.Data[0]["id"].(float64))
	if n := len(s.Records("customers")); n != before+1 {
		t.Fatalf("%d customers, want %d", n, before+1)
	}
	body := string(get(t, base, "customers/"+itoa(id)).body)
	for _, want := range []string{`"price_list_name":"Wholesale"`, `"default_warehouse_name":"Johannesburg DC"`,
		`{"id":106,"name":"Trading Days","value":"Monday,Sunday, Public Holidays"}`, `"value":"Retail, Independent"`,
		`"create_date":"`, `"latitude":-26.1`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET after POST lacks %s: %s", want, body)
		}
	}

	// PATCH changes only what it names; an explicit "" clears a field.
	write(t, base, "PATCH", "customers", `[{"id":`+itoa(id)+`,"active":false,"custom_fields":[{"id":101,"value":""}]}]`).write(t, 200)
	body = string(get(t, base, "customers/"+itoa(id)).body)
	for _, want := range []string{`"active":false`, `"name":"Café Nouveau"`, `{"id":101,"name":"Credit Limit (R)","value":""}`,
		`"value":"Monday,Sunday, Public Holidays"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET after PATCH lacks %s: %s", want, body)
		}
	}

	// PUT replaces: unsent custom fields are unset.
	write(t, base, "PUT", "customers", `[{"id":`+itoa(id)+`,"name":"Renamed","custom_fields":[{"id":102,"value":"Wholesale"}]}]`).write(t, 200)
	body = string(get(t, base, "customers/"+itoa(id)).body)
	if !strings.Contains(body, `"value":"Wholesale"`) || !strings.Contains(body, `{"id":106,"name":"Trading Days","value":""}`) || strings.Contains(body, "NEW001") {
		t.Errorf("GET after PUT: %s", body)
	}

	// customers/{id} takes no writes.
	if r := write(t, base, "PATCH", "customers/"+itoa(id), `[]`); r.status != 403 {
		t.Errorf("PATCH customers/{id}: %d", r.status)
	}
}

func TestWriteCustomerValidation(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("customers"))
	existing := s.Records("customers")[0]["code"].(string)
	ok := `{"id":102,"value":"Wholesale"}`
	body := `[` +
		`{"name":"a","code":"` + existing + `","custom_fields":[` + ok + `]},` + // 0 duplicate code
		`{"name":"b","custom_fields":[` + ok + `,{"id":999,"value":"x"}]},` + // 1 unknown field
		`{"name":"c","custom_fields":[` + ok + `,{"id":101,"value":"lots"}]},` + // 2 not a number
		`{"name":"d","custom_fields":[{"id":102,"value":"Retail"}]},` + // 3 bad single label
		`{"name":"e","custom_fields":[` + ok + `,{"id":106,"value":"Monday,Sunday"}]},` + // 4 bad multi label
		`{"name":"f"},` + // 5 required custom field missing
		`{"name":"g","colour":"red","custom_fields":[` + ok + `]},` + // 6 unknown property
		`{"name":"h","active":"yes","custom_fields":[` + ok + `]},` + // 7 type
		`{"name":"i","code":"DUP","custom_fields":[` + ok + `]},` + // 8 fine
		`{"name":"j","code":"DUP","custom_fields":[` + ok + `]},` + // 9 code taken in this request
		`{"name":"k","custom_fields":[{"id":102,"value":5}]},` + // 10 value not a string
		`{"name":"l","price_list_id":99,"custom_fields":[` + ok + `]}` + // 11 unknown price list
		`]`
	w := write(t, base, "POST", "customers", body).write(t, 400)
	want := map[int]string{0: "already used", 1: "no custom field with id 999", 2: `"lots" is not a number`,
		3: `"Retail" is not one of`, 4: `"Sunday" is not one of`, 5: "custom field 102 (Customer Type) is required",
		6: `unknown property "colour"`, 7: "active must be true or false", 9: "another customer in this request",
		10: "must be a string", 11: "no price list with id 99"}
	if len(w.Errors) != len(want) {
		t.Errorf("errors %+v", w.Errors)
	}
	for _, e := range w.Errors {
		if !strings.Contains(strings.Join(e.Detail, ";"), want[e.Index]) {
			t.Errorf("item %d: %v, want %q", e.Index, e.Detail, want[e.Index])
		}
	}
	if n := len(s.Records("customers")); n != before {
		t.Fatalf("rejected request saved customers")
	}
	id := itoa(idOf(t, s.Records("customers")[1]))
	w = write(t, base, "PATCH", "customers", `[{"id":`+id+`,"code":"`+existing+`"},{"id":`+id+`,"custom_fields":[{"id":102,"value":""}]},{"id":`+id+`,"row_version":3},{"id":`+id+`,"name":null}]`).write(t, 400)
	for i, sub := range []string{"already used", "cannot be cleared", "read-only", "must not be null"} {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("PATCH error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
	w = write(t, base, "PUT", "customers", `[{"id":`+id+`,"name":"x"}]`).write(t, 400)
	if !strings.Contains(w.Errors[0].Detail[0], "required") {
		t.Errorf("PUT without the required field: %+v", w.Errors)
	}
}

func TestSplitLabels(t *testing.T) {
	labels := []string{"Sunday, Public Holidays", "Monday", "Sunday"}
	for _, c := range []struct{ v, bad string }{
		{"Monday,Sunday, Public Holidays", ""}, {"Sunday, Public Holidays,Sunday", ""}, {"Sunday", ""},
		{"Monday,Tuesday", "Tuesday"}, {"Monday,", "Monday,"}, {",Monday", ",Monday"},
	} {
		if _, bad := splitLabels(c.v, labels); bad != c.bad {
			t.Errorf("%q: bad %q, want %q", c.v, bad, c.bad)
		}
	}
}
