package skynamo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Form ids and form types that give a form definition its meaning (FACTS.md,
// "Custom fields and forms").
const (
	CustomerFormID = -1 // the form holding customer custom fields
	ProductFormID  = -3 // the form holding product custom fields

	FormTypeOrder         = "Order"
	FormTypeQuote         = "Quote"
	FormTypeCreditRequest = "CreditRequest"
)

// internalForms are form definitions Skynamo uses for itself; the older SDK
// skipped them and users never saw their fields.
var internalForms = map[string]bool{"Dropbox": true, "SkynamoServices": true}

// Schema is the set of custom fields of an instance, parsed from
// GET /formdefinitions?flags=show_enums. It is read-only once parsed, so one
// Schema and its FieldSets can be shared by any number of goroutines.
type Schema struct {
	Forms []*Form // sorted by id

	byID     map[int64]*Form
	formSets map[int64]*FieldSet  // one per form, for completed forms and customers/products
	txSets   map[string]*FieldSet // by transaction form type
}

// Form is one form definition.
type Form struct {
	ID     int64
	Name   string
	Type   string
	Active bool
	// Fields in the order the definition lists them. Their Ident and Key
	// are empty: those belong to a FieldSet's copies (Schema.FormFields).
	Fields []*Field
}

// Field is one custom field as seen from a FieldSet: Ident and Key depend on
// which other fields share the set, so every FieldSet holds its own copies.
type Field struct {
	FormID   int64
	ID       int64
	Name     string // display name, free text
	Type     string // wire type, e.g. "Multi Value Enumeration Field"
	Required bool
	Enum     []EnumValue // only with flags=show_enums

	// Ident is the identifier-safe name (see IdentifierRule); unique in its FieldSet.
	Ident string
	// Key is the name under which Record.Custom holds this field's value: the
	// display name, or "Name #<fieldId>" for the second and later fields of a
	// FieldSet sharing a display name.
	Key string

	enum *enumIndex // full labels and the split order, shared by all copies
}

// EnumValue is one choice of an enumeration field. ParentID is 0 for a
// top-level choice of a hierarchical field and for flat enumerations.
type EnumValue struct {
	ID       int64
	Label    string
	ParentID int64
}

// wireForm mirrors the FormDefinition wire shape; ids are int64 because the
// spec says integer and form ids are negative for the built-in forms.
type wireForm struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Active       *bool  `json:"active"`
	CustomFields []struct {
		ID                int64  `json:"id"`
		Name              string `json:"name"`
		Type              string `json:"type"`
		Required          bool   `json:"required"`
		EnumerationValues []struct {
			ID       int64  `json:"id"`
			Label    string `json:"label"`
			ParentID *int64 `json:"parent_id"`
		} `json:"enumeration_values"`
	} `json:"custom_fields"`
}

// ParseSchema builds a Schema from raw form definition records. Forms named
// Dropbox or SkynamoServices are skipped. A form without `active` counts as
// active, because without show_nulls the API omits properties that are null.
func ParseSchema(raw []json.RawMessage) (*Schema, error) {
	s := &Schema{byID: map[int64]*Form{}}
	for i, r := range raw {
		var w wireForm
		if err := json.Unmarshal(r, &w); err != nil {
			return nil, fmt.Errorf("form definition %d: %w", i, err)
		}
		if internalForms[w.Name] {
			continue
		}
		if _, dup := s.byID[w.ID]; dup {
			return nil, fmt.Errorf("form definition %d appears twice", w.ID)
		}
		f := &Form{ID: w.ID, Name: w.Name, Type: w.Type, Active: w.Active == nil || *w.Active}
		for _, wf := range w.CustomFields {
			fd := &Field{FormID: w.ID, ID: wf.ID, Name: wf.Name, Type: wf.Type, Required: wf.Required}
			for _, e := range wf.EnumerationValues {
				ev := EnumValue{ID: e.ID, Label: e.Label}
				if e.ParentID != nil {
					ev.ParentID = *e.ParentID
				}
				fd.Enum = append(fd.Enum, ev)
			}
			fd.enum = newEnumIndex(fd)
			f.Fields = append(f.Fields, fd)
		}
		s.Forms = append(s.Forms, f)
		s.byID[f.ID] = f
	}
	sort.Slice(s.Forms, func(i, j int) bool { return s.Forms[i].ID < s.Forms[j].ID })
	s.buildFieldSets()
	return s, nil
}

// ParseSchemaJSON parses a whole JSON array of form definitions, as kept in
// a cache file or a test fixture.
func ParseSchemaJSON(data []byte) (*Schema, error) {
	var raw []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("form definitions: %w", err)
	}
	return ParseSchema(raw)
}

func (s *Schema) buildFieldSets() {
	s.formSets = map[int64]*FieldSet{}
	for _, f := range s.Forms {
		s.formSets[f.ID] = newFieldSet(fmt.Sprintf("form %d (%s)", f.ID, f.Name), []*Form{f})
	}
	s.txSets = map[string]*FieldSet{}
	for _, typ := range []string{FormTypeOrder, FormTypeQuote, FormTypeCreditRequest} {
		var forms []*Form
		for _, f := range s.Forms {
			if f.Type == typ && f.Active {
				forms = append(forms, f)
			}
		}
		fs := newFieldSet(typ+" forms", forms)
		fs.FormType = typ
		s.txSets[typ] = fs
	}
}

// Form returns the form definition with the given id, or nil.
func (s *Schema) Form(id int64) *Form { return s.byID[id] }

// FormFields returns the FieldSet of one form (a completed form's fields),
// or nil when the form is unknown or internal.
func (s *Schema) FormFields(formID int64) *FieldSet { return s.formSets[formID] }

// CompletedFormFields returns the FieldSet of a completed form record, by
// its form_id; nil when the form is unknown.
func (s *Schema) CompletedFormFields(props map[string]any) *FieldSet {
	formID, ok := IntProp(props, "form_id")
	if !ok {
		return nil
	}
	return s.FormFields(formID)
}

// Customers returns the fields of customers (form -1); an empty set when the
// instance has none.
func (s *Schema) Customers() *FieldSet { return s.setOrEmpty(CustomerFormID, "customer fields") }

// Products returns the fields of products (form -3).
func (s *Schema) Products() *FieldSet { return s.setOrEmpty(ProductFormID, "product fields") }

func (s *Schema) setOrEmpty(formID int64, kind string) *FieldSet {
	if fs := s.formSets[formID]; fs != nil {
		return fs
	}
	return newFieldSet(kind, nil)
}

// Transactions returns the fields of all active forms of one transaction
// type (FormTypeOrder, FormTypeQuote or FormTypeCreditRequest), or nil for
// another type.
func (s *Schema) Transactions(formType string) *FieldSet { return s.txSets[formType] }

// CustomForms returns the active forms whose results are completed forms:
// every active form other than the customer, product and transaction forms.
func (s *Schema) CustomForms() []*Form {
	var out []*Form
	for _, f := range s.Forms {
		if !f.Active || f.ID == CustomerFormID || f.ID == ProductFormID || TransactionFormType(f.Type) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// TransactionFormType reports whether a form type holds transaction fields.
func TransactionFormType(formType string) bool {
	return formType == FormTypeOrder || formType == FormTypeQuote || formType == FormTypeCreditRequest
}

// EntityFormType maps a transaction entity name to the type of its forms:
// "orders" -> "Order", "quotes" -> "Quote", "credit_requests" -> "CreditRequest".
func EntityFormType(entity string) (string, bool) {
	switch entity {
	case "orders":
		return FormTypeOrder, true
	case "quotes":
		return FormTypeQuote, true
	case "credit_requests":
		return FormTypeCreditRequest, true
	}
	return "", false
}

// ForEntity returns the FieldSet shared by all records of an entity
// (customers, products, orders, quotes, credit_requests). Completed forms
// have one FieldSet per form: use FormFields or DecodeCompletedForms.
func (s *Schema) ForEntity(entity string) (*FieldSet, bool) {
	switch entity {
	case "customers":
		return s.Customers(), true
	case "products":
		return s.Products(), true
	}
	if typ, ok := EntityFormType(entity); ok {
		return s.Transactions(typ), true
	}
	return nil, false
}
