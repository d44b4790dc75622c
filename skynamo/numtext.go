package skynamo

import (
	"strconv"
	"strings"
)

// Thousands writes n with comma separators (12,400), the one way counts
// are written for people: the pull lines here and the runtime's progress
// lines and run summary, which sit next to them on stderr.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
