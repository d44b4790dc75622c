package runtime

import (
	"strings"

	"skynamo/skynamo"
)

// closest returns the candidate nearest to s, for "did you mean" hints: a
// candidate s is a prefix of, else the closest plausible typo by the same
// measure the client uses for entity and field names. "" when nothing is
// close.
func closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, s) {
			return c
		}
	}
	if names := skynamo.SuggestNames(s, candidates, 1); len(names) > 0 {
		return names[0]
	}
	return ""
}
