package skynamo

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestEncodeRoundTripsSimValues: every custom value the simulator's demo
// instance holds, decoded as the reader does, encodes back to a wire
// string that decodes to the same value.
func TestEncodeRoundTripsSimValues(t *testing.T) {
	ws := newWriteSim(t)
	types := map[string]int{}
	check := func(where string, recs []Record) {
		for _, rec := range recs {
			for key, x := range rec.Custom {
				f, ok := rec.Fields.Lookup(key)
				if !ok {
					t.Fatalf("%s: no field %q", where, key)
				}
				wire, err := f.Encode(x)
				if err != nil {
					t.Errorf("%s %q (%s): Encode(%#v): %v", where, key, f.Type, x, err)
					continue
				}
				back, ok, warn := f.Decode(wire)
				if !ok || warn != "" || !reflect.DeepEqual(back, x) {
					t.Errorf("%s %q (%s): %#v -> %q -> %#v (%v %q)", where, key, f.Type, x, wire, back, ok, warn)
				}
				types[f.Type]++
			}
		}
	}
	for _, entity := range []string{"customers", "products"} {
		e, _ := LookupEntity(entity)
		raw, _, err := ws.env.client.ListAll(context.Background(), e.Path, ListQuery{Flags: []string{"show_nulls"}})
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := ws.schema.ForEntity(entity)
		recs, err := DecodeRecords(raw, fs)
		if err != nil {
			t.Fatal(err)
		}
		check(entity, recs)
	}
	raw, _, err := ws.env.client.ListAll(context.Background(), "/completedforms", ListQuery{Flags: []string{"show_nulls"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := DecodeCompletedForms(raw, ws.schema)
	if err != nil {
		t.Fatal(err)
	}
	check("completed_forms", recs)
	for _, typ := range []string{TypeText, TypeNumber, TypeDateTime, TypeSingleEnum, TypeMultiEnum, TypeSingleHierarchical,
		TypeMultiHierarchical, TypeAddress, TypeSingleLookup, TypeMultiLookup} {
		if types[typ] == 0 {
			t.Errorf("no %s value in the demo instance was round-tripped", typ)
		}
	}
}

func testFields(t *testing.T) *FieldSet {
	t.Helper()
	schema, err := ParseSchemaJSON([]byte(`[{"id":-1,"name":"Customer","type":"Static","custom_fields":[
		{"id":1,"name":"Type","type":"Single Value Enumeration Field","enumeration_values":[{"id":10,"label":"Retail, Independent"},{"id":11,"label":"Retail"}]},
		{"id":2,"name":"Days","type":"Multi Value Enumeration Field","enumeration_values":[{"id":20,"label":"Monday"},{"id":21,"label":"Sunday, Public Holidays"}]},
		{"id":3,"name":"Area","type":"Single Value Hierarchical Enumeration Field","enumeration_values":[{"id":30,"label":"Gauteng"},{"id":31,"label":"Pretoria","parent_id":30}]},
		{"id":4,"name":"Limit","type":"Number Field"},
		{"id":5,"name":"Opened","type":"Date Time Field"},
		{"id":6,"name":"Addr","type":"Address Field"},
		{"id":7,"name":"Rep","type":"Single Value Lookup Entity Field"},
		{"id":8,"name":"Reps","type":"Multi Value Lookup Entity Field"},
		{"id":9,"name":"Note","type":"Text Field"},
		{"id":12,"name":"Photo","type":"Images Field"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Customers()
}

func TestFieldEncode(t *testing.T) {
	fs := testFields(t)
	tests := []struct {
		field string
		in    any
		want  string
		err   string
	}{
		{"Type", "Retail, Independent", "Retail, Independent", ""},
		{"Type", "Retial", "", `did you mean "Retail"`},
		{"Type", int64(3), "", "must be one label"},
		{"Days", []any{"Monday", "Sunday, Public Holidays"}, "Monday,Sunday, Public Holidays", ""},
		{"Days", []string{"Monday"}, "Monday", ""},
		{"Days", "Sunday, Public Holidays,Monday", "Sunday, Public Holidays,Monday", ""},
		{"Days", []any{"Mon"}, "", `"Mon" is not one of its labels`},
		{"Days", []any{}, "", ""},
		{"Area", "Gauteng - Pretoria", "Gauteng - Pretoria", ""},
		{"Area", "Gauteng", "", "not one of its labels"}, // a heading, not a choice
		{"Limit", int64(5000), "5000", ""},
		{"Limit", 7500.5, "7500.5", ""},
		{"Limit", json.Number("1e3"), "1e3", ""},
		{"Limit", "12", "", "convert it with tonumber"},
		{"Limit", "lots", "", `"lots" is not a number`},
		{"Limit", math.NaN(), "", "not a number"},
		{"Opened", "2024-05-11T10:12:13+02:00", "2024-05-11T08:12:13Z", ""},
		{"Opened", "2024-05-11", "2024-05-11T00:00:00", ""},
		{"Opened", "2024-05-11 10:12:13", "2024-05-11T10:12:13", ""},
		{"Opened", "yesterday", "", "not a date-time"},
		{"Addr", map[string]any{"street": "1 Main", "zip": "2196"}, "1 Main\n\n\n2196", ""},
		{"Addr", map[string]any{"stret": "1 Main"}, "", `did you mean "street"`},
		{"Addr", map[string]any{"zip": int64(2196)}, "", "convert it with tostring"},
		{"Addr", map[string]any{"city": ""}, "", ""},
		{"Rep", int64(7), "7", ""},
		{"Rep", json.Number("7"), "7", ""},
		{"Rep", "Sam", "", "user id"},
		{"Reps", []any{int64(7), json.Number("9")}, "7,9", ""},
		{"Reps", []int64{3}, "3", ""},
		{"Note", "=SUM(A1)", "=SUM(A1)", ""},
		{"Note", int64(5), "", "convert it with tostring"},
		{"Note", Clear, "", ""},
		{"Note", nil, "", ""},
		{"Photo", "x", "", "holds no value"},
	}
	for _, tc := range tests {
		f, ok := fs.Lookup(tc.field)
		if !ok {
			t.Fatalf("no field %s", tc.field)
		}
		got, err := f.Encode(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s Encode(%#v) = %q, %v; want an error with %q", tc.field, tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s Encode(%#v) = %q, %v; want %q", tc.field, tc.in, got, err, tc.want)
		}
	}
}
