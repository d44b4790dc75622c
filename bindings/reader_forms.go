package bindings

import (
	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// completedFormFields is reader.fields("completed_forms"): completed forms
// have no single field set, one per form, so this lists the fields of
// every form a completed form can be a result of (not the customer,
// product or transaction forms), each with its form's name, in the order
// the form shows them. A script flattening one form's results takes its
// columns from here.
func (m *Reader) completedFormFields(L *lua.LState) int {
	s, err := m.read(L).Schema(L.Context(), false)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(m.onError(err)))
		return 2
	}
	out := L.NewTable()
	for _, form := range s.Forms {
		fs := s.FormFields(form.ID)
		if fs == nil || form.ID == skynamo.CustomerFormID || form.ID == skynamo.ProductFormID || skynamo.TransactionFormType(form.Type) {
			continue
		}
		for _, f := range fs.Fields {
			out.Append(fieldTable(L, f, form.Name))
		}
	}
	L.Push(out)
	return 1
}

// fieldTable is one entry of reader.fields; form is the form's name, when
// the list spans several forms.
func fieldTable(L *lua.LState, f *skynamo.Field, form string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("name", lua.LString(f.Name))
	t.RawSetString("key", lua.LString(f.Key))
	t.RawSetString("ident", lua.LString(f.Ident))
	t.RawSetString("type", lua.LString(f.Type))
	t.RawSetString("id", lua.LNumber(f.ID))
	t.RawSetString("form_id", lua.LNumber(f.FormID))
	t.RawSetString("required", lua.LBool(f.Required))
	if form != "" {
		t.RawSetString("form", lua.LString(form))
	}
	if labels := f.Labels(); len(labels) > 0 {
		t.RawSetString("labels", ToLua(L, labels))
	}
	return t
}
