package skynamo

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestSplitArrayAgreesWithEncodingJSON(t *testing.T) {
	inputs := []string{
		`[]`,
		` [ ] `,
		`[1]`,
		`[{"a":1},{"b":[1,2,{"c":"]"}]}]`,
		`[ "x\"y" , "\\" , "\\\"" , null , true , -1.5e3 ]`,
		"[\n{\"name\": \"Brackets ]} and braces {[ in a string\"},\n{\"nested\": {\"deep\": [[[]]]}}\n]\n",
		`[{"unicode":"caf\u00e9 ☕","empty":{},"list":[]}]`,
	}
	for _, in := range inputs {
		var want []json.RawMessage
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("bad test input %s: %v", in, err)
		}
		got, err := splitArray([]byte(in))
		if err != nil {
			t.Errorf("splitArray(%s): %v", in, err)
			continue
		}
		if !slices.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
			t.Errorf("splitArray(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitArrayRejectsBrokenStructure(t *testing.T) {
	for _, in := range []string{
		``, `{}`, `[`, `[1`, `[1,`, `[1 2]`, `[{"a":1]`, `[{"a":"x}]`, `["x\"]`, `[1]]`, `[1] x`, `[,]`, `[{]}`,
	} {
		if got, err := splitArray([]byte(in)); err == nil {
			t.Errorf("splitArray(%q) = %q, want an error", in, got)
		}
	}
}

func TestParseEnvelope(t *testing.T) {
	body := `{"data":[{"id":3,"s":"a,b"},{"id":4}],"page":{"page_number":2,"page_size":2,"total_item_count":9,"filtered_item_count":5}}`
	env, err := parseEnvelope([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Data) != 2 || string(env.Data[0]) != `{"id":3,"s":"a,b"}` || env.Page == nil ||
		*env.Page != (pageInfo{PageNumber: 2, PageSize: 2, TotalItemCount: 9, FilteredItemCount: 5}) {
		t.Errorf("got %q %+v", env.Data, env.Page)
	}
	if _, err := parseEnvelope([]byte(`{"data":[{"id":3},`)); err == nil {
		t.Error("a cut-off answer parsed")
	}
}

func TestSyncKeysAcceptVersionAlias(t *testing.T) {
	records := []json.RawMessage{
		json.RawMessage(`{"id": 30, "name": "c", "row_version": 120}`),
		json.RawMessage(`{"id": 10, "name": "a", "version": 500}`), // the 2023 API's name
		json.RawMessage(`{"name": "{\"id\": 99}", "id": 20, "row_version": null, "version": "77"}`),
	}
	if got := maxRowVersion(records); got != 500 {
		t.Errorf("maxRowVersion = %d, want 500 (from version)", got)
	}
	if got := readSyncKeys(records[2]).rowVersion(); got != 77 {
		t.Errorf("null row_version with version \"77\" read as %d", got)
	}
	merged := mergeByID(records, []json.RawMessage{
		json.RawMessage(`{"id": 20, "version": 600}`),
		json.RawMessage(`{"id": 15, "version": 601}`),
	})
	var ids []string
	for _, r := range merged {
		ids = append(ids, idText(r))
	}
	if want := []string{"10", "15", "20", "30"}; !slices.Equal(ids, want) {
		t.Errorf("merged ids %v, want %v", ids, want)
	}
	if string(merged[2]) != `{"id": 20, "version": 600}` {
		t.Errorf("id 20 was not replaced: %s", merged[2])
	}
	if idText(records[2]) != "20" {
		t.Error("mergeByID changed the cached slice")
	}
}
