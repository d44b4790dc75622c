package skynamo

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"skynamo/skynamo/sim"
)

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {20257, "20,257"}, {1234567, "1,234,567"}, {-4500, "-4,500"}} {
		if got := Thousands(tc.n); got != tc.want {
			t.Errorf("Thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// The per-pull line groups its counts like the progress lines beside it.
func TestPullLineGroupsThousands(t *testing.T) {
	env := newSimEnv(t, sim.Options{Customers: 1200}, nil)
	var lines []string
	syncer := env.syncerWith(t, http.DefaultTransport, SyncOptions{Logf: func(format string, args ...any) {
		lines = append(lines, fmt.Sprintf(format, args...))
	}})
	if _, err := syncer.Sync(context.Background(), "customers", true); err != nil {
		t.Fatal(err)
	}
	// Received counts the pages read again to check the pull, so it may
	// pass 1,200; the line then says why.
	joined := strings.Join(lines, "\n")
	if !regexp.MustCompile(`customers: full pull, 1,\d\d\d records received, 1,200 cached( \(\d+ read twice to check the pull\))?, `).MatchString(joined) {
		t.Errorf("pull line: %q", joined)
	}
}
