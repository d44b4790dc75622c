package mail

import "fmt"

// fmtAll prints v with every verb a careless log line might use.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %d %q", v, v, v, v, v, v)
}
