package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestIntegrationsAddFieldsAndGrowEnums(t *testing.T) {
	_, base := startServer(t, smallOptions())
	w := write(t, base, "POST", "integrations", `{"action":"AddCustomFields","fields_to_add":[
		{"form_id":-1,"name":"ERP Segment","type":"SingleSelect"},{"form_id":-3,"name":"Shelf Life (days)","type":"Number"},
		{"form_id":-1,"name":"Zones","type":"NestedMultiSelect"}]}`)
	if w.status != 200 || !strings.Contains(string(w.body), `"fields_added":[{"id":`) {
		t.Fatalf("AddCustomFields: %d %s", w.status, w.body)
	}
	forms := string(get(t, base, "formdefinitions?flags=show_enums").body)
	for _, want := range []string{`"name":"ERP Segment","required":false,"type":"Single Value Enumeration Field","enumeration_values":[]`,
		`"name":"Shelf Life (days)","required":false,"type":"Number Field"`, `"type":"Multi Value Hierarchical Enumeration Field"`} {
		if !strings.Contains(forms, want) {
			t.Errorf("form definitions lack %s", want)
		}
	}
	seg := fieldID(t, base, -1, "ERP Segment")
	zones := fieldID(t, base, -1, "Zones")
	shelf := fieldID(t, base, -3, "Shelf Life (days)")
	// Every customer shows the new field unset.
	if body := string(get(t, base, "customers?page_size=1").body); !strings.Contains(body, `{"id":`+itoa(seg)+`,"name":"ERP Segment","value":""}`) {
		t.Errorf("customers lack the new field: %s", body)
	}
	cust := func(fields string) reply {
		return write(t, base, "POST", "customers", `[{"name":"n","custom_fields":[{"id":102,"value":"Wholesale"}`+fields+`]}]`)
	}
	if r := cust(`,{"id":` + itoa(seg) + `,"value":"Gold"}`); r.status != 400 {
		t.Fatalf("a label not grown yet: %d %s", r.status, r.body)
	}
	write(t, base, "POST", "integrations", `{"action":"AutoGrowEnums","enum_grow_data":[{"customfield_id":`+itoa(seg)+`,"enums":["Gold","Silver"]},
		{"customfield_id":`+itoa(zones)+`,"enums":["North - Polokwane","North - Mokopane"]}]}`).write(t, 200)
	// Growing again is idempotent.
	write(t, base, "POST", "integrations", `{"action":"AutoGrowEnums","enum_grow_data":[{"customfield_id":`+itoa(seg)+`,"enums":["Gold"]}]}`).write(t, 200)
	w2 := cust(`,{"id":`+itoa(seg)+`,"value":"Gold"},{"id":`+itoa(zones)+`,"value":"North - Polokwane,North - Mokopane"}`).write(t, 200)
	id := int64(w2.Data[0]["id"].(float64))
	if body := string(get(t, base, "customers/"+itoa(id)).body); !strings.Contains(body, `"name":"ERP Segment","value":"Gold"`) {
		t.Errorf("customer after grow: %s", body)
	}
	forms = string(get(t, base, "formdefinitions/-1?flags=show_enums").body)
	if strings.Count(forms, `"label":"Gold"`) != 1 || strings.Count(forms, `"label":"North"`) != 1 {
		t.Errorf("grown enums: %s", forms)
	}
	write(t, base, "POST", "products", `[{"name":"p","custom_fields":[{"id":`+itoa(shelf)+`,"value":"21"}]}]`).write(t, 200)

	// Bad requests change nothing.
	r := write(t, base, "POST", "integrations", `{"action":"AddCustomFields","fields_to_add":[{"form_id":-1,"name":"Fine","type":"Text"},
		{"form_id":-1,"name":"ERP Segment","type":"Text"},{"form_id":77,"name":"x","type":"Text"}]}`)
	if r.status != 400 || !strings.Contains(string(r.body), "already has a field") || !strings.Contains(string(r.body), "no form with id 77") {
		t.Errorf("bad AddCustomFields: %d %s", r.status, r.body)
	}
	if r := write(t, base, "POST", "integrations", `{"action":"AddCustomFields","fields_to_add":[{"form_id":-1,"name":"y","type":"Colour"}]}`); r.status != 400 || !strings.Contains(string(r.body), "Colour") {
		t.Errorf("bad type: %d %s", r.status, r.body)
	}
	ew := write(t, base, "POST", "integrations", `{"action":"AutoGrowEnums","enum_grow_data":[{"customfield_id":101,"enums":["x"]},
		{"customfield_id":`+itoa(zones)+`,"enums":["Flat"]},{"customfield_id":9999,"enums":["x"]}]}`).write(t, 400)
	if len(ew.Errors) != 3 || !strings.Contains(ew.Errors[0].Detail[0], "not an enumeration") || !strings.Contains(ew.Errors[1].Detail[0], "Parent - Child") {
		t.Errorf("bad AutoGrowEnums: %+v", ew.Errors)
	}
	if strings.Contains(string(get(t, base, "formdefinitions/-1").body), `"Fine"`) {
		t.Errorf("a rejected request added a field")
	}
	if r := write(t, base, "POST", "integrations", `[{"action":"ImportNow"}]`); r.status != 400 {
		t.Errorf("array body: %d", r.status)
	}
}

// fieldID is the id of the field named name on form formID.
func fieldID(t *testing.T, base string, formID int64, name string) int64 {
	t.Helper()
	var f struct {
		CustomFields []struct {
			ID   int64
			Name string
		} `json:"custom_fields"`
	}
	decodeJSON(t, get(t, base, "formdefinitions/"+itoa(formID)).body, &f)
	for _, c := range f.CustomFields {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("form %d has no field %q", formID, name)
	return 0
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}
