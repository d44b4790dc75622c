package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplHistoryKeepsLinesPrivately(t *testing.T) {
	h := NewHost(IO{}, nil)
	h.AddSecret("topsecretkey")
	path := filepath.Join(t.TempDir(), "data", replHistoryName)
	hist := openHistory(h, path)
	for _, line := range []string{"x = 1", "", "   ", "key = 'topsecretkey'", "x = 1", "print(x)"} {
		hist.add(line)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); got != "x = 1\nprint(x)\n" {
		t.Errorf("history file %q", got)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", st.Mode().Perm())
	}
	again := openHistory(h, path)
	if strings.Join(again.entries, ";") != "x = 1;print(x)" {
		t.Errorf("reloaded %q", again.entries)
	}
}

func TestReplHistoryIsCapped(t *testing.T) {
	h := NewHost(IO{}, nil)
	path := filepath.Join(t.TempDir(), replHistoryName)
	hist := openHistory(h, path)
	total := 2*replHistoryLimit + 10
	for i := range total {
		hist.add(fmt.Sprintf("x = %d", i))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) > 2*replHistoryLimit || lines[len(lines)-1] != fmt.Sprintf("x = %d", total-1) {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	again := openHistory(h, path)
	if len(again.entries) != replHistoryLimit || again.entries[0] != fmt.Sprintf("x = %d", total-replHistoryLimit) {
		t.Errorf("reloaded %d entries, first %q", len(again.entries), again.entries[0])
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("trimmed file mode %v", st.Mode().Perm())
	}
}

// An input typed over several lines is one history entry, so Up brings it
// back whole; where joining with spaces would change what it means, the
// lines stay separate entries.
func TestHistoryEntriesJoinAMultiLineInput(t *testing.T) {
	tests := []struct {
		lines []string
		want  []string
	}{
		{[]string{"x = 1"}, []string{"x = 1"}},
		{[]string{"function f()", "  return 42", "end"}, []string{"function f() return 42 end"}},
		{[]string{"{1,", "2}"}, []string{"{1, 2}"}},
		{[]string{"=f(", "1)"}, []string{"=f( 1)"}},
		{[]string{"function f() -- note", "return 1 end"}, []string{"function f() -- note", "return 1 end"}},
		{[]string{"s = [[a", "b]]"}, []string{"s = [[a", "b]]"}},
		{[]string{"x = = ", "1"}, []string{"x = = ", "1"}}, // a syntax error stays as typed
	}
	for _, tt := range tests {
		if got := historyEntries(tt.lines); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q: got %q, want %q", tt.lines, got, tt.want)
		}
	}
}
