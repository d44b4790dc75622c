package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// fieldTypes maps FieldGrowData's types to the form definition types.
var fieldTypes = map[string]string{
	"Text": tText, "Number": tNumber, "SingleSelect": tSingleEnum, "MultiSelect": tMultiEnum,
	"NestedSingleSelect": tSingleHier, "NestedMultiSelect": tMultiHier, "Address": tAddress,
	"UserSingleSelect": tSingleLookup, "UserMultiSelect": tMultiLookup,
	"HeadingLabel": tLabel, "NormalLabel": tLabel, "FinePrintLabel": tLabel,
}

var integrationProps = []wprop{
	{name: "action", enum: []string{"AutoGrowEnums", "AddCustomFields", "ImportNow", "ResubmitOrderItemDocuments"}},
	{name: "enum_grow_data", t: wObjList, sub: []wprop{{name: "customfield_id", t: wInt}, {name: "enums", t: wStrList}}},
	{name: "fields_to_add", t: wObjList, sub: []wprop{{name: "form_id", t: wInt}, {name: "name"}, {name: "type", enum: sortedKeys(fieldTypes)}}},
	{name: "document_ids", t: wIntList},
}

var integrationRequest = wdef{name: "IntegrationRequest", props: integrationProps, required: []string{"action"}}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// serveIntegration answers POST /integrations. Its body is one
// IntegrationRequest object, not an array. AddCustomFields and
// AutoGrowEnums change the form definitions; a request with any bad entry
// changes nothing and answers 400 with one error per bad entry (index into
// fields_to_add or enum_grow_data). ImportNow and
// ResubmitOrderItemDocuments have nothing to act on and answer 200.
func (s *Server) serveIntegration(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		writeMessage(w, http.StatusBadRequest, "The request body must be a JSON IntegrationRequest object")
		return
	}
	it, detail := decodeItem(raw, &integrationRequest, "POST")
	if len(detail) > 0 {
		writeMessage(w, http.StatusBadRequest, "Invalid integration request: "+strings.Join(detail, "; "))
		return
	}
	action, _ := it.str("action")
	type entryErr struct {
		Index  int      `json:"index"`
		Detail []string `json:"detail"`
	}
	var errs []entryErr
	fail := func(i int, d ...string) { errs = append(errs, entryErr{i, d}) }

	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	forms := s.st.cols["formdefinitions"]
	switch action {
	case "AddCustomFields":
		list, _ := it["fields_to_add"].([]any)
		if len(list) == 0 {
			writeMessage(w, http.StatusBadRequest, "AddCustomFields needs fields_to_add")
			return
		}
		type add struct {
			form      *record
			name, typ string
		}
		var adds []add
		names := map[string]bool{} // form id + name claimed in this request
		for i, e := range list {
			m := e.(map[string]any)
			var d []string
			if m["form_id"] == nil || m["name"] == nil || m["type"] == nil {
				fail(i, "form_id, name and type are required")
				continue
			}
			fid, _ := m["form_id"].(json.Number).Int64()
			name := strings.TrimSpace(m["name"].(string))
			form := forms.byID[fid]
			if form == nil {
				d = append(d, fmt.Sprintf("no form with id %d", fid))
			}
			if name == "" {
				d = append(d, "name must not be empty")
			}
			if form != nil && name != "" {
				key := fmt.Sprint(fid, "\x00", name)
				if slices.ContainsFunc(s.formFields(fid), func(f formField) bool { return f.name == name }) {
					d = append(d, fmt.Sprintf("form %d already has a field named %q", fid, name))
				} else if names[key] {
					d = append(d, fmt.Sprintf("field %q is added to form %d twice in this request", name, fid))
				}
				names[key] = true
			}
			if d != nil {
				fail(i, d...)
				continue
			}
			adds = append(adds, add{form, name, fieldTypes[m["type"].(string)]})
		}
		if errs != nil {
			break
		}
		next := s.maxFieldID()
		var added []obj
		for _, a := range adds {
			next++
			defs := slices.Clone(mustGet(a.form, "custom_fields").([]obj))
			var enums any
			switch a.typ {
			case tSingleEnum, tMultiEnum, tSingleHier, tMultiHier:
				enums = []obj{} // grown with AutoGrowEnums
			}
			defs = append(defs, obj{{"id", next}, {"name", a.name}, {"required", false}, {"type", a.typ}, {"enumeration_values", enums}})
			a.form.props.set("custom_fields", defs)
			s.stampChange(forms, a.form)
			s.addUnsetField(a.form.id, customField{id: next, name: a.name})
			added = append(added, obj{{"id", next}, {"name", a.name}, {"form_id", a.form.id}})
		}
		body := append([]byte(`{"message":`), mustJSON(fmt.Sprintf("Successfully added %d custom fields", len(added)))...)
		body = append(body, `,"fields_added":`...)
		body = appendValue(body, added, encNulls)
		writeBody(w, http.StatusOK, append(body, '}'))
		return
	case "AutoGrowEnums":
		list, _ := it["enum_grow_data"].([]any)
		if len(list) == 0 {
			writeMessage(w, http.StatusBadRequest, "AutoGrowEnums needs enum_grow_data")
			return
		}
		type grow struct {
			form   *record
			field  int
			labels []string
		}
		var grows []grow
		for i, e := range list {
			m := e.(map[string]any)
			if m["customfield_id"] == nil {
				fail(i, "customfield_id is required")
				continue
			}
			id, _ := m["customfield_id"].(json.Number).Int64()
			form, j := s.findFieldDef(id)
			if form == nil {
				fail(i, fmt.Sprintf("no custom field with id %d", id))
				continue
			}
			def := mustGet(form, "custom_fields").([]obj)[j]
			typ := def.must("type").(string)
			if typ != tSingleEnum && typ != tMultiEnum && typ != tSingleHier && typ != tMultiHier {
				fail(i, fmt.Sprintf("field %d (%s) is a %s, not an enumeration", id, def.must("name"), typ))
				continue
			}
			var labels, d []string
			hier := typ == tSingleHier || typ == tMultiHier
			for _, l := range m["enums"].([]any) {
				l := strings.TrimSpace(l.(string))
				parent, child, nested := strings.Cut(l, " - ")
				switch {
				case l == "":
					d = append(d, "an enum label must not be empty")
				case hier && (!nested || parent == "" || child == ""):
					d = append(d, fmt.Sprintf("%q: a nested field grows by \"Parent - Child\"", l))
				case !hier && strings.Contains(l, ","):
					// A multi value joins labels by commas; the seed's labels
					// may hold one, but a grown one is kept unambiguous.
					d = append(d, fmt.Sprintf("%q: a grown label must not hold a comma", l))
				default:
					labels = append(labels, l)
				}
			}
			if d != nil {
				fail(i, d...)
				continue
			}
			grows = append(grows, grow{form, j, labels})
		}
		if errs != nil {
			break
		}
		next := s.maxEnumID()
		added := 0
		for _, g := range grows {
			defs := slices.Clone(mustGet(g.form, "custom_fields").([]obj))
			def := slices.Clone(defs[g.field])
			vals, _ := def.must("enumeration_values").([]obj)
			vals = slices.Clone(vals)
			find := func(label string, parent int64) int64 {
				for _, v := range vals {
					p, _ := v.must("parent_id").(int64)
					if v.must("label") == label && p == parent {
						return v.must("id").(int64)
					}
				}
				return 0
			}
			put := func(label string, parent int64) int64 {
				if id := find(label, parent); id != 0 {
					return id // growing is idempotent: a label it has stays
				}
				next++
				added++
				vals = append(vals, obj{{"id", next}, {"label", label}, {"parent_id", nullable(parent, parent != 0)}, {"comment", nil}})
				return next
			}
			for _, l := range g.labels {
				if parent, child, ok := strings.Cut(l, " - "); ok && (def.must("type") == tSingleHier || def.must("type") == tMultiHier) {
					put(child, put(parent, 0))
				} else {
					put(l, 0)
				}
			}
			def.set("enumeration_values", vals)
			defs[g.field] = def
			g.form.props.set("custom_fields", defs)
			s.stampChange(forms, g.form)
		}
		writeMessage(w, http.StatusOK, fmt.Sprintf("Successfully added %d enum values", added))
		return
	default:
		writeMessage(w, http.StatusOK, "Successfully executed "+action)
		return
	}
	writeBody(w, http.StatusBadRequest, mustJSON(map[string]any{
		"message": fmt.Sprintf("%d entries of the %s request are invalid; nothing was changed", len(errs), action), "errors": errs}))
}

// maxFieldID is the highest custom field id of any form; callers hold the lock.
func (s *Server) maxFieldID() int64 {
	var n int64
	for _, f := range s.st.cols["formdefinitions"].records {
		defs, _ := mustGet(f, "custom_fields").([]obj)
		for _, d := range defs {
			n = max(n, toInt64(d.must("id")))
		}
	}
	return n
}

// maxEnumID is the highest enumeration value id of any field.
func (s *Server) maxEnumID() int64 {
	var n int64
	for _, f := range s.st.cols["formdefinitions"].records {
		defs, _ := mustGet(f, "custom_fields").([]obj)
		for _, d := range defs {
			vals, _ := d.must("enumeration_values").([]obj)
			for _, v := range vals {
				n = max(n, toInt64(v.must("id")))
			}
		}
	}
	return n
}

// findFieldDef finds the form holding field id and the field's index.
func (s *Server) findFieldDef(id int64) (*record, int) {
	for _, f := range s.st.cols["formdefinitions"].records {
		defs, _ := mustGet(f, "custom_fields").([]obj)
		if j := slices.IndexFunc(defs, func(d obj) bool { return d.must("id") == id }); j >= 0 {
			return f, j
		}
	}
	return nil, -1
}

// addUnsetField shows a new customer or product field, unset, on every
// record of its form, as the API lists every field of the form. The
// records' row_versions stay: nobody edited them.
func (s *Server) addUnsetField(formID int64, f customField) {
	col := map[int64]string{formCustomer: "customers", formProduct: "products"}[formID]
	if col == "" {
		return
	}
	c := s.st.cols[col]
	for _, r := range c.records {
		cur, _ := mustGet(r, "custom_fields").([]customField)
		r.props.set("custom_fields", append(slices.Clone(cur), f))
		c.changed(r)
	}
}
