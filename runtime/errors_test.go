package runtime

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestTidyMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"s.lua:1: boom", "s.lua:1: boom"},
		{"s.lua:1: boom\nstack traceback:\n\t[G]: ?", "s.lua:1: boom"},
		{"helper.lua line:3(column:5) near '=':   syntax error\n", "helper.lua:3: syntax error near '='"},
		{"helper.lua at EOF:   syntax error\n", "helper.lua: syntax error at end of file"},
	}
	for _, tt := range tests {
		if got := tidyMessage(tt.in); got != tt.want {
			t.Errorf("tidyMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHasPosition(t *testing.T) {
	tests := map[string]bool{
		"s.lua:12: boom":           true,
		"stdlib/strings.lua:4: x":  true,
		`C:\x\s.lua:3: boom`:       true,
		"the API answered 403":     false,
		"time: 12:30 is late":      false,
		"s.lua: cannot open":       false,
		"s.lua:12:boom-no-space":   false,
		"(error object is a nil)":  false,
		"stdin:1: attempt to call": true,
	}
	for msg, want := range tests {
		if got := hasPosition(msg); got != want {
			t.Errorf("hasPosition(%q) = %v", msg, got)
		}
	}
}

func TestClassify(t *testing.T) {
	base := errors.New("plain")
	tests := []struct {
		name string
		err  error
		code int
		hint string
	}{
		{"plain error", base, ExitScriptError, ""},
		{"usage", UsageError("try --help", "bad"), ExitUsage, "try --help"},
		{"wrapped exit error", fmt.Errorf("ctx: %w", WithExitCode(ExitAPI, base, "")), ExitAPI, ""},
		{"script error with API cause", &ScriptError{Message: "x", Cause: &apiError{}}, ExitAPI, "this is a wrong path or method, not a bad key"},
		{"outer code wins, inner hint shows", WithExitCode(ExitPartial, &apiError{}, ""), ExitPartial, "this is a wrong path or method, not a bad key"},
		{"load error", &LoadError{Chunk: "s.lua", Line: 1, Reason: "x"}, ExitLoad, ""},
		{"cancelled", fmt.Errorf("GET /customers: %w", context.Canceled), ExitInterrupted, ""},
		{"os.exit", &exitRequest{code: 42}, 42, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hint := classify(tt.err, nil)
			if code != tt.code || hint != tt.hint {
				t.Errorf("classify = %d, %q; want %d, %q", code, hint, tt.code, tt.hint)
			}
		})
	}
}

func TestFormatError(t *testing.T) {
	se := &ScriptError{Message: "s.lua:2: boom", Traceback: "stack traceback:\n\ts.lua:2: in main chunk"}
	got := formatError("skynamo", se, "check the input")
	want := "skynamo: s.lua:2: boom\nstack traceback:\n\ts.lua:2: in main chunk\nhint: check the input\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := formatError("skynamo", errors.New("x"), ""); got != "skynamo: x\n" {
		t.Errorf("got %q", got)
	}
}
