package bindings

import (
	"fmt"
	"testing"

	"skynamo/skynamo"
)

// newTestWriter builds the writer module over read, with what it would
// print on the host's stderr going to the test log.
func newTestWriter(t *testing.T, read *skynamo.Reader) *Writer {
	logf := func(format string, args ...any) { t.Log(fmt.Sprintf(format, args...)) }
	return NewWriter(StaticWriter(read, skynamo.NewWriter(read, logf)), WriterOptions{Logf: logf})
}
