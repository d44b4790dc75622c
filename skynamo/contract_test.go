package skynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// specPath is the published spec, kept beside the project (not in it).
var specPath = filepath.Join("..", "..", "shared", "skynamo-api", "swagger.json")

type swaggerSpec struct {
	Paths       map[string]map[string]swaggerOperation `json:"paths"`
	Definitions map[string]json.RawMessage             `json:"definitions"`
	Parameters  map[string]swaggerParameter            `json:"parameters"`
}

type swaggerOperation struct {
	Parameters []swaggerParameter `json:"parameters"`
	Responses  map[string]struct {
		Schema struct {
			Properties struct {
				Data struct {
					Items struct {
						Ref string `json:"$ref"`
					} `json:"items"`
				} `json:"data"`
			} `json:"properties"`
		} `json:"schema"`
	} `json:"responses"`
}

type swaggerParameter struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func loadSpec(t *testing.T) swaggerSpec {
	t.Helper()
	data, err := os.ReadFile(specPath)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" { // a test may read the environment; the package may not
			t.Fatalf("%s is missing; CI must check the entity table against the spec", specPath)
		}
		t.Skipf("%s not found; skipping the contract test", specPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var spec swaggerSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatalf("%s: %v", specPath, err)
	}
	return spec
}

// resolve follows a "#/parameters/X" reference.
func (s swaggerSpec) resolve(p swaggerParameter) (swaggerParameter, string) {
	if p.Ref == "" {
		return p, ""
	}
	name := strings.TrimPrefix(p.Ref, "#/parameters/")
	return s.Parameters[name], name
}

// definitionProperties reads a definition's property names in the spec's
// order, which a map would lose.
func definitionProperties(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var def struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(def.Properties))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// filterFields reads the "Available filter parameters" list of a Filters*
// parameter's description ("- customer_id?" is listed as customer_id).
func filterFields(description string) []string {
	_, list, ok := strings.Cut(description, "Available filter parameters</i>:")
	if !ok {
		return nil
	}
	if end := strings.Index(list, "<br><br>"); end >= 0 {
		list = list[:end]
	}
	if end := strings.Index(list, "<i>"); end >= 0 {
		list = list[:end]
	}
	var fields []string
	item := regexp.MustCompile(`^-\s*([A-Za-z0-9_]+)`)
	for _, part := range strings.Split(list, "<br>") {
		if m := item.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
			fields = append(fields, m[1])
		}
	}
	return fields
}

func TestEntitiesMatchSpec(t *testing.T) {
	spec := loadSpec(t)
	for _, e := range Entities() {
		t.Run(e.Name, func(t *testing.T) {
			get, ok := spec.Paths[e.Path]["get"]
			if !ok {
				t.Fatalf("the spec has no GET %s", e.Path)
			}
			ref := get.Responses["200"].Schema.Properties.Data.Items.Ref
			if got := strings.TrimPrefix(ref, "#/definitions/"); got != e.Definition {
				t.Errorf("GET %s lists %q records, the table says %q", e.Path, got, e.Definition)
			}
			raw, ok := spec.Definitions[e.Definition]
			if !ok {
				t.Fatalf("the spec has no definition %s", e.Definition)
			}
			if props := definitionProperties(t, raw); !slices.Equal(props, e.Properties) {
				t.Errorf("properties\n got  %q\n spec %q", e.Properties, props)
			}

			var specFilters []string
			flagsParam := ""
			for _, p := range get.Parameters {
				param, name := spec.resolve(p)
				switch param.Name {
				case "filters":
					specFilters = filterFields(param.Description)
				case "flags":
					flagsParam = name
				}
			}
			if !slices.Equal(specFilters, e.Filters) {
				t.Errorf("filters\n got  %q\n spec %q", e.Filters, specFilters)
			}
			for _, f := range e.ErrataFilters {
				if slices.Contains(specFilters, f) {
					t.Errorf("errata filter %q is in the spec now; move it to Filters", f)
				}
			}
			for _, flag := range e.Flags {
				if !strings.Contains(spec.Parameters[flagsParam].Description, flag) {
					t.Errorf("flag %q is not offered by GET %s (%s)", flag, e.Path, flagsParam)
				}
			}
			for _, k := range e.Key {
				if !slices.Contains(e.Properties, k) {
					t.Errorf("key %q is not a property", k)
				}
			}
			if e.Kind == Versioned && (!slices.Contains(e.Properties, "row_version") || !e.Filterable("row_version")) {
				t.Errorf("a versioned entity needs a filterable row_version")
			}
		})
	}
}

func TestLookupEntity(t *testing.T) {
	if e, err := LookupEntity("customer_comments"); err != nil || e.Path != "/customercomments" {
		t.Fatalf("customer_comments: %v %v", e, err)
	}
	tests := map[string]string{
		"customer":       `did you mean "customers"`,
		"stocklevels":    `did you mean "stock_levels"`,
		"visit_frequncy": `"visit_frequencies"`,
		"zzz":            "known entities are customers, products",
	}
	for name, want := range tests {
		_, err := LookupEntity(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LookupEntity(%q) = %v, want an error containing %q", name, err, want)
		}
	}
	seen := map[string]bool{}
	for _, e := range Entities() {
		if seen[e.Name] || seen[e.Path] {
			t.Errorf("duplicate entity %s %s", e.Name, e.Path)
		}
		seen[e.Name], seen[e.Path] = true, true
	}
}
