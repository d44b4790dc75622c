package bindings

import (
	"errors"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Requiring reader or writer must not connect: the entity functions are
// known without the API. The first call that needs it asks the source,
// and a source error reaches the host as the Go error value itself.
func TestReaderAndWriterConnectOnFirstNeed(t *testing.T) {
	noConfig := errors.New("SKYNAMO_INSTANCE_NAME is not set")
	var asked int
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("reader", NewReader(func() (*skynamo.Reader, error) { asked++; return nil, noConfig }, nil).Loader)
	L.PreloadModule("writer", NewWriter(func() (*skynamo.Reader, *skynamo.Writer, error) { asked++; return nil, nil, noConfig }, WriterOptions{}).Loader)
	if err := L.DoString(`
local reader, writer = require "reader", require "writer"
assert(type(reader.customers) == "function" and #reader.entities() > 0)
local b = writer.batch()
assert(#b == 0 and #writer.entities() > 0)
`); err != nil {
		t.Fatal(err)
	}
	if asked != 0 {
		t.Fatalf("require and the static functions connected %d times", asked)
	}
	for _, code := range []string{
		`require("reader").customers()`,
		`require("reader").fields("customers")`,
		`require("writer").batch():create("customers", {code = "C1", name = "One", custom = {x = 1}})`,
	} {
		err := L.DoString(code)
		var le *lua.ApiError
		if !errors.As(err, &le) {
			t.Fatalf("%s: %v, want a Lua error", code, err)
		}
		ud, ok := le.Object.(*lua.LUserData)
		if !ok || ud.Value != noConfig {
			t.Errorf("%s raised %v, want the source's error as a Go value", code, le.Object)
		}
	}
	if asked != 3 {
		t.Errorf("the source was asked %d times, want once per call that needed it", asked)
	}
}
