package skynamo

import (
	"reflect"
	"strings"
	"testing"
)

func TestFieldIdentifier(t *testing.T) {
	cases := map[string]string{
		"Credit Limit (R)":   "credit_limit_r",
		"Région":             "region",
		"Re\u0301gion":       "region", // NFD: e + combining acute
		"2nd Rep":            "_2nd_rep",
		"  Straße & Co.  ":   "strasse_co",
		"Łódź Œuvre":         "lodz_oeuvre",
		"ÆØÅ æøå":            "aeoa_aeoa",
		"a--b__c":            "a_b_c",
		"__x__":              "x",
		"Price×2":            "price_2",
		"価格":                 "",
		"":                   "",
		"ALLCAPS":            "allcaps",
		"already_an_ident_1": "already_an_ident_1",
	}
	for in, want := range cases {
		if got := Identifier(in); got != want {
			t.Errorf("Identifier(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFieldLegacyIdentifier(t *testing.T) {
	cases := []struct {
		form, field int64
		name, want  string
	}{
		{0, 1, "Credit Limit (R)", "c1_Credit_Limit__R_"},
		{0, 2, "Région", "c2_R_gion"},
		{101, 60, "Notes", "f101_c60_Notes"},
		{-1, 4, "x", "f_1_c4_x"},
	}
	for _, c := range cases {
		if got := LegacyIdentifier(c.form, c.field, c.name); got != c.want {
			t.Errorf("LegacyIdentifier(%d, %d, %q) = %q, want %q", c.form, c.field, c.name, got, c.want)
		}
	}
}

func TestFieldSetLookup(t *testing.T) {
	s := testSchema(t)
	customers, orders := s.Customers(), s.Transactions(FormTypeOrder)
	cases := []struct {
		fs          *FieldSet
		name        string
		form, field int64 // 0, 0: not found
	}{
		{customers, "Credit Limit (R)", -1, 1},
		{customers, "credit_limit_r", -1, 1},
		{customers, "region", -1, 2},
		{customers, "Région", -1, 2},
		{customers, "_2nd_rep", -1, 13},
		{customers, "field_18", -1, 18}, // "---" has no letters
		{customers, "Credit_Limit_R", 0, 0},
		{customers, "c1_Credit_Limit__R_", -1, 1},
		{customers, "c2_R_gion", -1, 2},
		{customers, "c2_Old_Name", -1, 2}, // the ids decide: renamed fields keep working
		{customers, "c2", -1, 2},
		{customers, "f_1_c1_Credit_Limit__R_", -1, 1},
		{customers, "f-1_c1_x", -1, 1},
		{customers, "c999_Nope", 0, 0},
		{customers, "c1x", 0, 0},
		// The same display name on two order forms.
		{orders, "Notes", 100, 50},
		{orders, "Notes #60", 101, 60},
		{orders, "notes_50", 100, 50},
		{orders, "notes_60", 101, 60},
		{orders, "notes", 0, 0},
		{orders, "po_number", 100, 51},
		{orders, "f101_c60_Notes", 101, 60},
		{orders, "f100_c60_Notes", 0, 0},
		{orders, "c60_Notes", 101, 60},
		{orders, "Legacy", 0, 0}, // inactive form
	}
	for _, c := range cases {
		f, ok := c.fs.Lookup(c.name)
		if c.field == 0 {
			if ok {
				t.Errorf("%s: Lookup(%q) found field %d, want none", c.fs.Kind, c.name, f.ID)
			}
			continue
		}
		if !ok || f.FormID != c.form || f.ID != c.field {
			t.Errorf("%s: Lookup(%q) = %+v, %v; want form %d field %d", c.fs.Kind, c.name, f, ok, c.form, c.field)
		}
	}
}

func TestFieldSetDuplicateNames(t *testing.T) {
	orders := testSchema(t).Transactions(FormTypeOrder)
	var got [][3]string
	for _, f := range orders.Fields {
		got = append(got, [3]string{f.Name, f.Ident, f.Key})
	}
	want := [][3]string{
		{"PO Number", "po_number", "PO Number"},
		{"Notes", "notes_50", "Notes"},
		{"Notes", "notes_60", "Notes #60"},
		{"Delivery Date", "delivery_date", "Delivery Date"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order fields (name, ident, key) =\n%v\nwant\n%v", got, want)
	}
	// On its own form the name is not shared, so nothing is suffixed.
	if f, _ := testSchema(t).FormFields(101).Lookup("notes"); f == nil || f.Key != "Notes" {
		t.Errorf("form 101 alone: notes = %+v", f)
	}
}

func TestFieldSetIdentifierCollisionAfterSuffix(t *testing.T) {
	s, err := ParseSchemaJSON([]byte(`[{"id": -1, "name": "Customer", "custom_fields": [
		{"id": 12, "name": "Notes", "type": "Text Field"},
		{"id": 13, "name": "notes!", "type": "Text Field"},
		{"id": 14, "name": "Notes 12", "type": "Text Field"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range s.Customers().Fields {
		if seen[f.Ident] {
			t.Errorf("identifier %q given twice", f.Ident)
		}
		seen[f.Ident] = true
		if g, ok := s.Customers().Lookup(f.Ident); !ok || g.ID != f.ID {
			t.Errorf("Lookup(%q) = %+v, want field %d", f.Ident, g, f.ID)
		}
	}
}

func TestFieldSetSuggest(t *testing.T) {
	customers := testSchema(t).Customers()
	cases := map[string][]string{
		"credit_limt":  {"credit_limit_r"},
		"Regon":        {"region", "Région"},
		"NOTE":         {"Notes", "notes"},
		"zzzzzzzzzzzz": nil,
	}
	for in, want := range cases {
		got := customers.Suggest(in)
		if len(got) > 3 {
			t.Errorf("Suggest(%q) gave %d names", in, len(got))
		}
		for i, w := range want {
			if i >= len(got) || got[i] != w {
				t.Errorf("Suggest(%q) = %q, want it to start with %q", in, got, want)
				break
			}
		}
		if want == nil && got != nil {
			t.Errorf("Suggest(%q) = %q, want nothing", in, got)
		}
	}
}

func TestFieldEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"région", "region", 1}}
	for _, c := range cases {
		if d := editDistance([]rune(c.a), []rune(c.b)); d != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"run", "run", 0}, {"run", "rnu", 1}, {"run", "ru", 1},
		{"kitten", "sitting", 3}, {"", "abc", 3}, {"café", "cafe", 1},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b)); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

func TestTypoOf(t *testing.T) {
	props := []string{"id", "code", "name", "status", "currency", "currency_code", "total_amount", "customer_id", "user_name", "custom", "date", "items", "active", "discount", "tax", "users", "notes", "external_id", "files"}
	for query, want := range map[string]string{
		"nmae":         "name",
		"Name":         "name",
		"staus":        "status",
		"curency":      "currency",
		"totl_amount":  "total_amount",
		"currency_cod": "currency_code", // the last letter lost
		"Code":         "code",
		"ocde":         "code",
		// A script's own keys: a prefix, an extension, a singular of a
		// plural or a different word is not a typo.
		"total":       "",
		"rep":         "",
		"region":      "",
		"week":        "",
		"name":        "",
		"customer":    "",
		"dates":       "",
		"ids":         "",
		"item":        "",
		"names":       "",
		"actives":     "",
		"discounts":   "",
		"Names":       "",
		"nam":         "",
		"data":        "",
		"mode":        "",
		"tag":         "",
		"idx":         "",
		"id_":         "",
		"user":        "",
		"note":        "",
		"inactive":    "",
		"is_active":   "",
		"custmer_idd": "", // two slips: rarer than a key of one's own
		"internal_id": "",
		"miles":       "",
		"rcurrency":   "",
	} {
		if got := strings.Join(TypoOf(query, props), ","); got != want {
			t.Errorf("TypoOf(%q) = %q, want %q", query, got, want)
		}
	}
}
