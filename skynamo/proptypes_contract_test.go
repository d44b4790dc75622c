package skynamo

import (
	"encoding/json"
	"strings"
	"testing"
)

// specProp is the part of a spec property that decides its Lua type.
type specProp struct {
	Type       string              `json:"type"`
	Format     string              `json:"format"`
	Ref        string              `json:"$ref"`
	Enum       []string            `json:"enum"`
	Items      *specProp           `json:"items"`
	Properties map[string]specProp `json:"properties"`
}

// luaErrata are the properties whose Lua type knowingly differs from what
// the spec says (FACTS.md, errata).
var luaErrata = map[string]string{"Customer.default_warehouse_name": "string"}

// inlineClasses names the classes of objects the spec defines inline.
var inlineClasses = map[string]string{"OrderUnit.packaging_option": "PackagingOption"}

// TestLuaPropsMatchSpec checks every Lua-facing definition against the
// spec: the same properties in the same order (custom_fields aside where
// it becomes the custom table) and the type the spec implies.
func TestLuaPropsMatchSpec(t *testing.T) {
	spec := loadSpec(t)
	ours := map[string]LuaDefinition{}
	for _, d := range LuaDefinitions() {
		if _, dup := ours[d.Name]; dup {
			t.Errorf("%s is listed twice", d.Name)
		}
		ours[d.Name] = d
	}
	for _, e := range Entities() {
		if _, ok := ours[e.Definition]; !ok {
			t.Errorf("entity %s: no Lua definition %s", e.Name, e.Definition)
		}
	}
	for _, d := range LuaDefinitions() {
		var want []string
		var props map[string]specProp
		if raw, ok := spec.Definitions[d.Name]; ok {
			want = definitionProperties(t, raw)
			var def struct {
				Properties map[string]specProp `json:"properties"`
			}
			if err := json.Unmarshal(raw, &def); err != nil {
				t.Fatal(err)
			}
			props = def.Properties
		} else if owner, prop, ok := inlineOwner(d.Name); ok {
			var def struct {
				Properties map[string]specProp `json:"properties"`
			}
			if err := json.Unmarshal(spec.Definitions[owner], &def); err != nil {
				t.Fatal(err)
			}
			props = def.Properties[prop].Properties
			for _, p := range d.Props { // inline objects have no order to keep
				if _, ok := props[p.Name]; ok {
					want = append(want, p.Name)
				}
			}
			if len(want) != len(props) {
				t.Errorf("%s: %d properties, the spec has %d", d.Name, len(want), len(props))
			}
		} else {
			t.Errorf("%s is not a spec definition", d.Name)
			continue
		}
		var got []string
		for _, p := range d.Props {
			if p.Joined {
				continue
			}
			got = append(got, p.Name)
			sp, ok := props[p.Name]
			if !ok {
				continue // reported by the name comparison below
			}
			wantType := luaTypeOf(t, spec, d.Name+"."+p.Name, sp)
			if e, ok := luaErrata[d.Name+"."+p.Name]; ok {
				wantType = e
			}
			if p.Type != wantType {
				t.Errorf("%s.%s: type %s, the spec implies %s", d.Name, p.Name, p.Type, wantType)
			}
			if dt := sp.Format == "date-time"; p.DateTime != dt {
				t.Errorf("%s.%s: DateTime = %v, the spec's format is %q", d.Name, p.Name, p.DateTime, sp.Format)
			}
			for _, class := range classesIn(p.Type) {
				if _, ok := ours[class]; !ok {
					t.Errorf("%s.%s: class %s has no Lua definition", d.Name, p.Name, class)
				}
			}
		}
		plain := false // custom_fields is an ordinary property of d
		for _, e := range Entities() {
			plain = plain || (e.Definition == d.Name && CustomFieldsArePlain(e.Name))
		}
		var specNames []string
		for _, n := range want {
			if n != "custom_fields" || plain {
				specNames = append(specNames, n)
			}
		}
		if strings.Join(got, ",") != strings.Join(specNames, ",") {
			t.Errorf("%s properties:\n got  %v\n spec %v", d.Name, got, specNames)
		}
	}
}

func inlineOwner(class string) (owner, prop string, ok bool) {
	for k, v := range inlineClasses {
		if v == class {
			owner, prop, _ = strings.Cut(k, ".")
			return owner, prop, true
		}
	}
	return "", "", false
}

// luaTypeOf is the Lua type the spec implies for one property.
func luaTypeOf(t *testing.T, spec swaggerSpec, where string, p specProp) string {
	t.Helper()
	if p.Ref != "" {
		name := strings.TrimPrefix(p.Ref, "#/definitions/")
		var def specProp
		if err := json.Unmarshal(spec.Definitions[name], &def); err != nil {
			t.Fatal(err)
		}
		if def.Type == "array" && def.Items != nil {
			return luaTypeOf(t, spec, where, *def.Items) + "[]"
		}
		return name
	}
	switch p.Type {
	case "integer":
		return "integer"
	case "number":
		if p.Format == "long" {
			return "integer"
		}
		return "number"
	case "boolean":
		return "boolean"
	case "string":
		if len(p.Enum) > 0 {
			quoted := make([]string, len(p.Enum))
			for i, e := range p.Enum {
				quoted[i] = `"` + e + `"`
			}
			return strings.Join(quoted, "|")
		}
		return "string"
	case "array":
		if p.Items != nil {
			return luaTypeOf(t, spec, where, *p.Items) + "[]"
		}
	case "object":
		if c, ok := inlineClasses[where]; ok {
			return c
		}
	}
	t.Fatalf("%s: no Lua type for %+v", where, p)
	return ""
}

// classesIn lists the class names a type mentions ("OrderItem[]" -> OrderItem).
func classesIn(typ string) []string {
	var out []string
	for _, part := range strings.Split(typ, "|") {
		part = strings.TrimSuffix(part, "[]")
		switch part {
		case "integer", "number", "string", "boolean":
			continue
		}
		if !strings.HasPrefix(part, `"`) {
			out = append(out, part)
		}
	}
	return out
}
