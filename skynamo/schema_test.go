package skynamo

import (
	"reflect"
	"testing"
)

// formDefinitionsJSON is a hand-written GET /formdefinitions?flags=show_enums
// answer with every field type, names that need folding, a display name
// shared by two order forms, an inactive order form and the internal forms.
const formDefinitionsJSON = `[
 {"id": -1, "name": "Customer", "type": "Customer", "active": true, "custom_fields": [
   {"id": 1, "name": "Credit Limit (R)", "type": "Number Field", "required": true},
   {"id": 2, "name": "Région", "type": "Single Value Enumeration Field",
    "enumeration_values": [{"id": 10, "label": "Gauteng"}, {"id": 11, "label": "Western Cape"}]},
   {"id": 3, "name": "Channel", "type": "Multi Value Enumeration Field",
    "enumeration_values": [{"id": 20, "label": "Retail"}, {"id": 21, "label": "Retail, Independent"},
                           {"id": 22, "label": "Wholesale"}, {"id": 23, "label": "Independent"}]},
   {"id": 4, "name": "Delivery Address", "type": "Address Field"},
   {"id": 5, "name": "Last Audit", "type": "Date Time Field"},
   {"id": 6, "name": "Account Manager", "type": "Single Value Lookup Entity Field"},
   {"id": 7, "name": "Buyers", "type": "Multi Value Lookup Entity Field"},
   {"id": 8, "name": "Shop Front", "type": "Images Field"},
   {"id": 9, "name": "Segment", "type": "Multi Value Hierarchical Enumeration Field",
    "enumeration_values": [{"id": 30, "label": "Retail"}, {"id": 31, "label": "Independent", "parent_id": 30},
                           {"id": 32, "label": "Chain", "parent_id": 30}, {"id": 33, "label": "Wholesale"},
                           {"id": 34, "label": "Cash, Carry", "parent_id": 33}]},
   {"id": 12, "name": "Category", "type": "Single Value Hierarchical Enumeration Field",
    "enumeration_values": [{"id": 40, "label": "Food"}, {"id": 41, "label": "Dairy", "parent_id": 40},
                           {"id": 42, "label": "Milk", "parent_id": 41}]},
   {"id": 13, "name": "2nd Rep", "type": "Text Field"},
   {"id": 14, "name": "Notes", "type": "Text Field"},
   {"id": 15, "name": "Stars", "type": "Rating Field"},
   {"id": 16, "name": "Owner Signature", "type": "Signature Field"},
   {"id": 17, "name": "Map", "type": "Sketch Field"},
   {"id": 18, "name": "---", "type": "Divider Field"},
   {"id": 19, "name": "Please check", "type": "Label Field"}]},
 {"id": -3, "name": "Product", "type": "Product", "active": true, "custom_fields": [
   {"id": 45, "name": "Pack Size", "type": "Number Field"}]},
 {"id": 100, "name": "Order Details", "type": "Order", "active": true, "custom_fields": [
   {"id": 51, "name": "PO Number", "type": "Text Field"},
   {"id": 50, "name": "Notes", "type": "Text Field"}]},
 {"id": 101, "name": "Delivery Info", "type": "Order", "active": true, "custom_fields": [
   {"id": 60, "name": "Notes", "type": "Text Field"},
   {"id": 61, "name": "Delivery Date", "type": "Date Time Field"}]},
 {"id": 102, "name": "Old Order Form", "type": "Order", "active": false, "custom_fields": [
   {"id": 70, "name": "Legacy", "type": "Text Field"}]},
 {"id": 103, "name": "Quote Extras", "type": "Quote", "active": true, "custom_fields": [
   {"id": 80, "name": "Valid Until", "type": "Date Time Field"}]},
 {"id": 200, "name": "Store Audit", "type": "Custom", "custom_fields": [
   {"id": 90, "name": "Shelf Share", "type": "Number Field"}]},
 {"id": 201, "name": "Retired Survey", "type": "Custom", "active": false, "custom_fields": []},
 {"id": 300, "name": "Dropbox", "type": "Custom", "active": true, "custom_fields": [
   {"id": 95, "name": "File", "type": "Text Field"}]},
 {"id": 301, "name": "SkynamoServices", "type": "Custom", "active": true, "custom_fields": []}
]`

func testSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := ParseSchemaJSON([]byte(formDefinitionsJSON))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func formIDs(forms []*Form) []int64 {
	var ids []int64
	for _, f := range forms {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestSchemaForms(t *testing.T) {
	s := testSchema(t)
	if got, want := formIDs(s.Forms), []int64{-3, -1, 100, 101, 102, 103, 200, 201}; !reflect.DeepEqual(got, want) {
		t.Errorf("forms = %v, want %v (Dropbox and SkynamoServices skipped, sorted by id)", got, want)
	}
	if f := s.Form(200); f == nil || !f.Active {
		t.Errorf("form 200 without `active` should count as active: %+v", f)
	}
	if got := formIDs(s.CustomForms()); !reflect.DeepEqual(got, []int64{200}) {
		t.Errorf("custom forms = %v, want [200]", got)
	}
	if got := formIDs(s.Transactions(FormTypeOrder).Forms); !reflect.DeepEqual(got, []int64{100, 101}) {
		t.Errorf("order forms = %v, want the active ones [100 101]", got)
	}
	if s.Transactions("Custom") != nil {
		t.Error("Transactions of a non-transaction type should be nil")
	}
	if f := s.Form(-1).Fields[1]; f.Required || f.Enum[1] != (EnumValue{ID: 11, Label: "Western Cape"}) {
		t.Errorf("field 2 parsed as %+v", f)
	}
	if !s.Form(-1).Fields[0].Required {
		t.Error("field 1 should be required")
	}
}

func TestSchemaForEntity(t *testing.T) {
	s := testSchema(t)
	cases := []struct {
		entity string
		forms  []int64
		ok     bool
	}{
		{"customers", []int64{-1}, true},
		{"products", []int64{-3}, true},
		{"orders", []int64{100, 101}, true},
		{"quotes", []int64{103}, true},
		{"credit_requests", nil, true},
		{"tasks", nil, false},
	}
	for _, c := range cases {
		fs, ok := s.ForEntity(c.entity)
		if ok != c.ok {
			t.Errorf("ForEntity(%q) ok = %v", c.entity, ok)
			continue
		}
		if ok && !reflect.DeepEqual(formIDs(fs.Forms), c.forms) {
			t.Errorf("ForEntity(%q) forms = %v, want %v", c.entity, formIDs(fs.Forms), c.forms)
		}
	}
}

func TestSchemaEmpty(t *testing.T) {
	s, err := ParseSchema(nil)
	if err != nil {
		t.Fatal(err)
	}
	if fs := s.Customers(); fs == nil || len(fs.Fields) != 0 {
		t.Errorf("customers of an empty schema = %+v, want an empty set", fs)
	}
	if _, ok := s.Customers().Lookup("x"); ok {
		t.Error("lookup in an empty set found something")
	}
}

func TestSchemaRejectsBadInput(t *testing.T) {
	for _, in := range []string{`{}`, `[{"id": "x"}]`, `[{"id": 1}, {"id": 1}]`} {
		if _, err := ParseSchemaJSON([]byte(in)); err == nil {
			t.Errorf("ParseSchemaJSON(%s) succeeded", in)
		}
	}
}
