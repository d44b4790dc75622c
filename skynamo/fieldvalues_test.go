package skynamo

import (
	"reflect"
	"strings"
	"testing"
)

func TestFieldDecode(t *testing.T) {
	s := testSchema(t)
	customers := s.Customers()
	cases := []struct {
		field string
		wire  string
		want  any  // nil: no value
		warn  bool // a warning is expected
	}{
		{"Notes", "Call first, gate 12", "Call first, gate 12", false},
		{"Notes", "", nil, false},
		{"Credit Limit (R)", "15000", int64(15000), false},
		{"Credit Limit (R)", " -42 ", int64(-42), false},
		{"Credit Limit (R)", "1500.75", 1500.75, false},
		{"Credit Limit (R)", "1e3", 1000.0, false},
		{"Credit Limit (R)", "99999999999999999999", 1e20, false},
		{"Credit Limit (R)", "1 500,75", "1 500,75", true},
		{"Credit Limit (R)", "NaN", "NaN", true},
		{"Last Audit", "2024-05-11T10:12:13.1234567+02:00", "2024-05-11T08:12:13Z", false},
		{"Last Audit", "2024-05-11T08:12:13Z", "2024-05-11T08:12:13Z", false},
		{"Last Audit", "2024-05-11T08:12:13.5-01:30", "2024-05-11T09:42:13Z", false},
		{"Last Audit", "2024-05-11T08:12:13", "2024-05-11T08:12:13Z", false},
		{"Last Audit", "2024-05-11", "2024-05-11T00:00:00Z", false},
		{"Last Audit", "11/05/2024", "11/05/2024", true},
		{"Région", "Gauteng", "Gauteng", false},
		{"Channel", "Retail, Independent,Wholesale", []string{"Retail, Independent", "Wholesale"}, false},
		{"Channel", "Retail,Wholesale", []string{"Retail", "Wholesale"}, false},
		{"Channel", "Independent, Retail", []string{"Independent", "Retail"}, false},
		{"Channel", "Retail, Mystery, Wholesale", []string{"Retail", "Mystery", "Wholesale"}, true},
		{"Channel", " , ", nil, false},
		{"Segment", "Retail - Independent, Wholesale - Cash, Carry", []string{"Retail - Independent", "Wholesale - Cash, Carry"}, false},
		{"Segment", "Retail - Chain", []string{"Retail - Chain"}, false},
		{"Category", "Food - Dairy - Milk", "Food - Dairy - Milk", false},
		{"Delivery Address", "1 Main Rd\nSandton\nGauteng\n2196",
			map[string]any{"street": "1 Main Rd", "city": "Sandton", "state": "Gauteng", "zip": "2196"}, false},
		{"Delivery Address", "1 Main Rd\r\nSandton",
			map[string]any{"street": "1 Main Rd", "city": "Sandton", "state": "", "zip": ""}, false},
		{"Delivery Address", "a\nb\nc\nd\ne",
			map[string]any{"street": "a", "city": "b", "state": "c", "zip": "d\ne"}, true},
		{"Delivery Address", "\n\n\n", nil, false},
		{"Account Manager", "17", int64(17), false},
		{"Account Manager", "Jane", "Jane", true},
		{"Buyers", "17,18, 19", []int64{17, 18, 19}, false},
		{"Buyers", "17,x", "17,x", true},
		{"Shop Front", "https://example.com/a.jpg", nil, false},
		{"Owner Signature", "data", nil, false},
		{"Map", "data", nil, false},
		{"---", "x", nil, false},
		{"Please check", "x", nil, false},
		{"Stars", "4", "4", false}, // unknown type: kept as sent
	}
	for _, c := range cases {
		f, ok := customers.Lookup(c.field)
		if !ok {
			t.Fatalf("no field %q", c.field)
		}
		got, has, warning := f.Decode(c.wire)
		if c.want == nil {
			if has {
				t.Errorf("%s %q: got %#v, want no value", c.field, c.wire, got)
			}
		} else if !has || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: got %#v (%v), want %#v", c.field, c.wire, got, has, c.want)
		}
		if (warning != "") != c.warn {
			t.Errorf("%s %q: warning %q, want one: %v", c.field, c.wire, warning, c.warn)
		}
		if warning != "" && !strings.Contains(warning, c.field) {
			t.Errorf("warning %q does not name the field", warning)
		}
	}
}

func TestFieldSplitMultiPrefersLongestLabels(t *testing.T) {
	f := &Field{Name: "x", Type: TypeMultiEnum, Enum: []EnumValue{
		{ID: 1, Label: "A, B"}, {ID: 2, Label: "A"}, {ID: 3, Label: "B, C"}, {ID: 4, Label: "B"}, {ID: 5, Label: "1,5L"},
	}}
	f.enum = newEnumIndex(f)
	cases := []struct {
		wire      string
		labels    []string
		unmatched []string
	}{
		// Reading "A, B" first would leave "C" unknown; "A" + "B, C" reads it all.
		{"A, B, C", []string{"A", "B, C"}, nil},
		{"A, B", []string{"A, B"}, nil},
		{"1,5L, A", []string{"1,5L", "A"}, nil},
		{"Z, A, B", []string{"Z", "A, B"}, []string{"Z"}},
	}
	for _, c := range cases {
		labels, unmatched := f.SplitMulti(c.wire)
		if !reflect.DeepEqual(labels, c.labels) || !reflect.DeepEqual(unmatched, c.unmatched) {
			t.Errorf("SplitMulti(%q) = %q, %q; want %q, %q", c.wire, labels, unmatched, c.labels, c.unmatched)
		}
	}
	noEnums := &Field{Type: TypeMultiEnum}
	if labels, _ := noEnums.SplitMulti("a, b,c"); !reflect.DeepEqual(labels, []string{"a", "b", "c"}) {
		t.Errorf("without known labels: %q", labels)
	}
}

func TestFieldLabelsHierarchy(t *testing.T) {
	f, _ := testSchema(t).Customers().Lookup("Segment")
	want := []string{"Retail", "Retail - Independent", "Retail - Chain", "Wholesale", "Wholesale - Cash, Carry"}
	if got := f.Labels(); !reflect.DeepEqual(got, want) {
		t.Errorf("Labels() = %q, want %q", got, want)
	}
	cyclic := &Field{Enum: []EnumValue{{ID: 1, Label: "a", ParentID: 2}, {ID: 2, Label: "b", ParentID: 1}}}
	cyclic.enum = newEnumIndex(cyclic) // must end despite the cycle
	if len(cyclic.Labels()) != 2 {
		t.Error("cyclic hierarchy lost labels")
	}
}

func TestFieldNormalizeDateTimeRejects(t *testing.T) {
	for _, in := range []string{"", "yesterday", "2024-13-01", "2024-05-11T25:00:00Z"} {
		if got, err := NormalizeDateTime(in); err == nil {
			t.Errorf("NormalizeDateTime(%q) = %q, want an error", in, got)
		}
	}
}
