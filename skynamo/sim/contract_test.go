package sim

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The contract test holds the simulator to Skynamo's published OpenAPI
// description, which lives outside the repository in the shared folder.

type schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
}

type parameter struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
}

type spec struct {
	Paths map[string]map[string]struct {
		Parameters []parameter `json:"parameters"`
		Responses  map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"responses"`
	} `json:"paths"`
	Definitions map[string]*schema   `json:"definitions"`
	Parameters  map[string]parameter `json:"parameters"`
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "skynamo-api", "swagger.json")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing", path)
		}
		t.Skipf("%s not found; contract test skipped", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// inScope are the entities the simulator must serve (the read side of the
// CLI); the spec has more (deal groups, currencies, ...) that it does not.
var inScope = []string{"customers", "products", "orders", "quotes", "creditrequests", "invoices", "stocklevels",
	"prices", "pricelists", "taxrates", "warehouses", "users", "visitfrequencies", "interactions",
	"completedforms", "formdefinitions", "contacts", "tasks", "scheduledvisits", "customercomments"}

func TestContractPaths(t *testing.T) {
	sp := loadSpec(t)
	s := New(smallOptions())
	served := []string{"/invoicesbyexternalid/{ExternalID}"}
	for _, ep := range endpoints() {
		served = append(served, "/"+ep.name)
		if ep.single {
			served = append(served, "/"+ep.name+"/{id}")
		}
	}
	for _, p := range served {
		if _, ok := sp.Paths[p]["get"]; !ok {
			t.Errorf("simulator serves GET %s, which the spec lacks", p)
		}
	}
	for _, name := range inScope {
		for _, p := range []string{"/" + name, "/" + name + "/{id}"} {
			if _, ok := sp.Paths[p]["get"]; ok && !slices.Contains(served, p) {
				t.Errorf("spec has GET %s, which the simulator does not serve", p)
			}
		}
		if _, ok := s.endpoints[name]; !ok {
			t.Errorf("in-scope entity %s not served", name)
		}
	}
	// The routing must agree with the table: every served path resolves.
	for _, p := range served {
		path := "/v1" + strings.NewReplacer("{id}", "1", "{ExternalID}", "X").Replace(p)
		if _, ok := s.resolve("GET", path); !ok {
			t.Errorf("GET %s does not resolve", path)
		}
	}
}

// errata are the fields' types FACTS.md corrects.
var errata = map[string]string{"Customer.default_warehouse_name": "string"}

func TestContractRecords(t *testing.T) {
	sp := loadSpec(t)
	_, base := startServer(t, smallOptions())
	for _, ep := range endpoints() {
		op := sp.Paths["/"+ep.name]["get"]
		resp := op.Responses["200"].Schema
		if resp == nil || resp.Properties["data"] == nil || resp.Properties["page"] == nil {
			t.Errorf("%s: spec has no list envelope", ep.name)
			continue
		}
		item := resp.Properties["data"].Items
		if def := strings.TrimPrefix(item.Ref, "#/definitions/"); def != ep.definition {
			t.Errorf("%s: items are %s in the spec, %s in the simulator", ep.name, def, ep.definition)
		}
		r := get(t, base, ep.name+"?page_size=200&flags=show_nulls,show_enums")
		var env map[string]any
		d := json.NewDecoder(strings.NewReader(string(r.body)))
		d.UseNumber()
		if err := d.Decode(&env); err != nil {
			t.Fatal(err)
		}
		checkValue(t, sp, ep.name, resp, env)
		for _, rec := range pullAll(t, base, ep.name, url.Values{"flags": {"show_nulls,show_enums"}}) {
			checkValue(t, sp, ep.name, item, rec)
		}
	}
}

// checkValue fails when v has a property the schema does not define or a
// JSON type the schema does not allow. Nulls are allowed anywhere: the API
// sends them for anything unset.
func checkValue(t *testing.T, sp *spec, where string, sc *schema, v any) {
	t.Helper()
	defName := ""
	for sc.Ref != "" {
		defName = strings.TrimPrefix(sc.Ref, "#/definitions/")
		sc = sp.Definitions[defName]
	}
	if v == nil {
		return
	}
	want := sc.Type
	if want == "" && sc.Properties != nil {
		want = "object"
	}
	switch want {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %T, want an object", where, v)
			return
		}
		for k, pv := range m {
			ps := sc.Properties[k]
			if ps == nil {
				t.Errorf("%s.%s: not a property of %s in the spec", where, k, defName)
				continue
			}
			if ty, ok := errata[defName+"."+k]; ok {
				ps = &schema{Type: ty}
			}
			checkValue(t, sp, where+"."+k, ps, pv)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %T, want an array", where, v)
			return
		}
		for _, e := range a {
			checkValue(t, sp, where+"[]", sc.Items, e)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			t.Errorf("%s: %v, want an integer", where, v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			t.Errorf("%s: %v, want a number", where, v)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: %v, want a string", where, v)
		} else if sc.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				t.Errorf("%s: %q is not a date-time with offset", where, s)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %v, want a boolean", where, v)
		}
	default:
		t.Errorf("%s: spec type %q not understood", where, want)
	}
}

var filterListItem = regexp.MustCompile(`<br>-\s*([a-z_]+)`)

// specFilterFields reads the field list of a Filters* parameter's description.
func specFilterFields(desc string) []string {
	_, list, ok := strings.Cut(desc, "Available filter parameters</i>")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, "<i>Examples")
	var out []string
	for _, m := range filterListItem.FindAllStringSubmatch(list, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestContractFilters(t *testing.T) {
	sp := loadSpec(t)
	for _, ep := range endpoints() {
		var want []string
		for _, p := range sp.Paths["/"+ep.name]["get"].Parameters {
			name := strings.TrimPrefix(p.Ref, "#/parameters/")
			if strings.HasPrefix(name, "Filters") {
				want = append(want, specFilterFields(sp.Parameters[name].Description)...)
			}
		}
		// FACTS.md errata.
		switch ep.name {
		case "products":
			want = append(want, "code")
		case "invoices":
			want = append(want, "row_version")
		}
		if slices.Contains(want, "row_version") {
			want = append(want, "version")
		}
		sort.Strings(want)
		got := filterNames(&ep)
		if !slices.Equal(got, want) {
			t.Errorf("%s filters: simulator %v, spec+errata %v", ep.name, got, want)
		}
	}
}
