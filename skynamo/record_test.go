package skynamo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const customerJSON = `{
  "id": 9007199254740993, "code": "C001", "name": "Spaza \"Corner\" Shop", "active": true,
  "location": {"latitude": -26.1234567, "longitude": 28.0123456, "is_approximate": false},
  "default_discount": 2.50, "price_list_name": null, "row_version": 123456789012,
  "assigned_users": [{"id": 4, "name": "Jane"}],
  "custom_fields": [
    {"id": 1, "name": "Credit Limit (R)", "value": "15000"},
    {"id": 2, "name": "Région", "value": "Gauteng"},
    {"id": 3, "name": "Channel", "value": "Retail, Independent, Wholesale"},
    {"id": 4, "name": "Delivery Address", "value": "1 Main Rd\nSandton\nGauteng\n2196"},
    {"id": 5, "name": "Last Audit", "value": "2024-05-11T10:12:13.1234567+02:00"},
    {"id": 7, "name": "Buyers", "value": "17,18"},
    {"id": 8, "name": "Shop Front", "value": "https://example.com/x.jpg"},
    {"id": 14, "name": "Notes", "value": ""},
    {"id": 999, "name": "Added Later", "value": "surprise"}
  ]
}`

func TestRecordDecode(t *testing.T) {
	rec, err := DecodeRecord(json.RawMessage(customerJSON), testSchema(t).Customers())
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Props["id"]; got != json.Number("9007199254740993") {
		t.Errorf("id = %#v, want the exact json.Number", got)
	}
	if got := rec.Props["default_discount"]; got != json.Number("2.50") {
		t.Errorf("default_discount = %#v, want the text as sent", got)
	}
	if v, ok := rec.Props["price_list_name"]; !ok || v != nil {
		t.Errorf("a null property should be present with nil, got %#v, %v", v, ok)
	}
	if _, ok := rec.Props["custom_fields"]; ok {
		t.Error("custom_fields should be moved out of Props")
	}
	if got := rec.Props["location"].(map[string]any)["latitude"]; got != json.Number("-26.1234567") {
		t.Errorf("nested number = %#v", got)
	}
	if got := rec.Props["name"]; got != `Spaza "Corner" Shop` {
		t.Errorf("name = %#v", got)
	}
	want := map[string]any{
		"Credit Limit (R)": int64(15000),
		"Région":           "Gauteng",
		"Channel":          []string{"Retail, Independent", "Wholesale"},
		"Delivery Address": map[string]any{"street": "1 Main Rd", "city": "Sandton", "state": "Gauteng", "zip": "2196"},
		"Last Audit":       "2024-05-11T08:12:13Z",
		"Buyers":           []int64{17, 18},
		"Added Later":      "surprise",
	}
	if !reflect.DeepEqual(rec.Custom, want) {
		t.Errorf("Custom =\n%#v\nwant\n%#v", rec.Custom, want)
	}
	if len(rec.Warnings) != 1 || !strings.Contains(rec.Warnings[0], "Added Later") {
		t.Errorf("Warnings = %q, want one about the unknown field", rec.Warnings)
	}
}

func TestRecordDecodeWithoutSchema(t *testing.T) {
	rec, err := DecodeRecord(json.RawMessage(customerJSON), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Custom["Credit Limit (R)"] != "15000" || rec.Custom["Added Later"] != "surprise" || len(rec.Warnings) != 0 {
		t.Errorf("without a schema values stay text, quietly: %#v %q", rec.Custom, rec.Warnings)
	}
}

func TestRecordDecodeRecordsParallel(t *testing.T) {
	fs := testSchema(t).Customers()
	raw := make([]json.RawMessage, 3*decodeChunk+7)
	for i := range raw {
		raw[i] = json.RawMessage(fmt.Sprintf(`{"id": %d, "custom_fields": [{"id": 1, "value": "%d"}]}`, i, i*10))
	}
	recs, err := DecodeRecords(raw, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if rec.Props["id"] != json.Number(fmt.Sprint(i)) || rec.Custom["Credit Limit (R)"] != int64(i*10) || rec.Fields != fs {
			t.Fatalf("record %d decoded as %+v", i, rec)
		}
	}

	raw[decodeChunk+3] = json.RawMessage(`{"id": 1,}`)
	raw[2*decodeChunk+3] = json.RawMessage(`[]`)
	if _, err := DecodeRecords(raw, fs); err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("record %d:", decodeChunk+3)) {
		t.Errorf("error = %v, want the first bad record named", err)
	}
}

func TestRecordDecodeCompletedForms(t *testing.T) {
	raw := []json.RawMessage{
		json.RawMessage(`{"id": 1, "form_id": 200, "custom_fields": [{"id": 90, "value": "0.25"}]}`),
		json.RawMessage(`{"id": 2, "form_id": 101, "custom_fields": [{"id": 60, "value": "Leave at gate"}]}`),
		json.RawMessage(`{"id": 3, "form_id": 555, "custom_fields": [{"id": 1, "name": "X", "value": "y"}]}`),
	}
	s := testSchema(t)
	recs, err := DecodeCompletedForms(raw, s)
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Custom["Shelf Share"] != 0.25 || recs[0].Fields != s.FormFields(200) {
		t.Errorf("form 200: %+v", recs[0])
	}
	if recs[1].Custom["Notes"] != "Leave at gate" {
		t.Errorf("form 101: %+v", recs[1])
	}
	if recs[2].Custom["X"] != "y" || len(recs[2].Warnings) != 1 {
		t.Errorf("unknown form: %+v", recs[2])
	}
}

// jsonSamples exercise the record parser against encoding/json.
var jsonSamples = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-12.5e+3`, `1E2`, `9007199254740993`,
	`"plain"`, `""`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d x"`,
	`"\udc00"`, "\"caf\xc3\xa9\"", "\"bad \xff byte\"", "\"\xe2\x82\"",
	` { "a" : [ 1 , { "b" : null } , "c" ] , "a2":{} } `,
	`{"dup": 1, "dup": 2}`, `[[[[[]]]]]`, `{"k\u0041y": "v"}`,
}

var badJSONSamples = []string{
	``, ` `, `{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
	`"abc`, "\"a\nb\"", `"\x"`, `"\u12"`, `tru`, `nul`, `{} {}`, `{a:1}`, `[1]]`, `NaN`,
	strings.Repeat("[", maxJSONDepth+2) + strings.Repeat("]", maxJSONDepth+2),
}

// decodeStd is what DecodeRecords promises to match: encoding/json with UseNumber.
func decodeStd(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func TestRecordJSONParserMatchesEncodingJSON(t *testing.T) {
	var p jsonParser
	for _, in := range jsonSamples {
		want, err := decodeStd([]byte(in))
		if err != nil {
			t.Fatalf("sample %q is not valid JSON: %v", in, err)
		}
		got, err := p.parse([]byte(in))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parse(%q) = %#v, %v; want %#v", in, got, err, want)
		}
	}
	for _, in := range badJSONSamples {
		if got, err := p.parse([]byte(in)); err == nil {
			t.Errorf("parse(%q) = %#v, want an error", in, got)
		}
	}
}

func FuzzRecordJSONParser(f *testing.F) {
	for _, s := range append(jsonSamples, badJSONSamples...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := decodeStd(data)
		var p jsonParser
		got, gerr := p.parse(data)
		if werr != nil {
			if gerr == nil {
				t.Fatalf("parse(%q) accepted invalid JSON: %v", data, werr)
			}
			return
		}
		if gerr != nil {
			// Our depth limit is lower than encoding/json's.
			if strings.Contains(gerr.Error(), "nested too deeply") {
				return
			}
			t.Fatalf("parse(%q) failed: %v", data, gerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parse(%q) = %#v, want %#v", data, got, want)
		}
	})
}

func BenchmarkRecordDecode100k(b *testing.B) {
	fs := testSchema(b).Customers()
	raw := make([]json.RawMessage, 100000)
	for i := range raw {
		raw[i] = json.RawMessage(strings.Replace(customerJSON, "9007199254740993", fmt.Sprint(i), 1))
	}
	b.ResetTimer()
	for range b.N {
		if _, err := DecodeRecords(raw, fs); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVersionReadsAsRowVersion(t *testing.T) {
	rec, err := DecodeRecord(json.RawMessage(`{"id": 1, "version": 9007199254740993}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Props["row_version"] != json.Number("9007199254740993") {
		t.Errorf("row_version = %#v, want the exact version", rec.Props["row_version"])
	}
}

// A projection keeps only the custom fields it names, and the properties.
func TestDecodeProjected(t *testing.T) {
	s := testSchema(t)
	fs := s.Customers()
	raw := []json.RawMessage{json.RawMessage(`{"id": 1, "code": "C1", "name": "Acme", "row_version": 7,
		"custom_fields": [{"id": 1, "name": "Credit Limit (R)", "value": "500"}, {"id": 2, "name": "Other", "value": "x"}]}`)}
	var keep string
	for _, f := range fs.Fields {
		keep = f.Key
		break
	}
	recs, err := DecodeProjected(raw, fs, &Projection{Props: []string{"code", "row_version"}, CustomKeys: []string{keep}})
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if len(r.Props) != 2 || r.Props["code"] != "C1" || r.Props["row_version"] != json.Number("7") {
		t.Errorf("props %#v, want code and row_version only", r.Props)
	}
	for k := range r.Custom {
		if k != keep {
			t.Errorf("custom %q kept; only %q was asked for", k, keep)
		}
	}
}
