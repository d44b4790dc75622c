package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// script is a script's source, read before anything else happens so that a
// mistyped path or a syntax error costs no config read and no network.
type script struct {
	chunk string // the path as typed: messages say report.lua:12, not /home/.../report.lua:12
	dir   string // where require finds the script's own modules
	proto *lua.FunctionProto
}

// loadScript reads and compiles the script at path ("-" reads standard
// input), or, when no such file exists, the user or shipped script of that
// name; scriptsDir gives the user script folder, asked for only then.
// Failures are exit 3.
func loadScript(h *Host, path string, scriptsDir func() string) (*script, error) {
	var src []byte
	var err error
	chunk, dir := path, filepath.Dir(h.Path(path))
	if path == "-" {
		chunk, dir = "stdin", h.Dir
		src, err = io.ReadAll(h.Stdin())
	} else {
		src, err = os.ReadFile(h.Path(path))
		if errors.Is(err, fs.ErrNotExist) && isScriptName(path) {
			return loadNamed(h, path, scriptsDir()) // a user or shipped script by name (scriptfind.go)
		}
	}
	if err != nil {
		return nil, openError(h, path, err)
	}
	return newScript(src, chunk, dir)
}

// newScript compiles a script's source.
func newScript(src []byte, chunk, dir string) (*script, error) {
	// A "#!/usr/bin/env skynamo run" first line is not Lua; turning it into a
	// comment keeps the line numbers of everything after it.
	if bytes.HasPrefix(src, []byte("#")) {
		src = append([]byte("--"), src...)
	}
	proto, err := compile(src, chunk)
	if err != nil {
		return nil, err
	}
	return &script{chunk: chunk, dir: dir, proto: proto}, nil
}

func openError(h *Host, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said once, as typed
	}
	hint := ""
	if errors.Is(err, fs.ErrNotExist) && !strings.HasSuffix(path, ".lua") {
		if _, serr := os.Stat(h.Path(path + ".lua")); serr == nil {
			hint = fmt.Sprintf("did you mean %s.lua?", path)
		}
	}
	return WithExitCode(ExitLoad, fmt.Errorf("cannot open script %s: %w", path, err), hint)
}

// compile parses src without a Lua state; errors are *LoadError.
func compile(src []byte, chunk string) (*lua.FunctionProto, error) {
	tree, err := parse.Parse(bytes.NewReader(src), chunk)
	if err != nil {
		return nil, loadError(chunk, src, err)
	}
	proto, err := lua.Compile(tree, chunk)
	if err != nil {
		return nil, loadError(chunk, src, err)
	}
	return proto, nil
}

// loadError rewrites gopher-lua's parser and compiler errors ("report.lua
// line:12(column:5) near '=':   syntax error") into the file:line form.
func loadError(chunk string, src []byte, err error) error {
	var pe *parse.Error
	var ce *lua.CompileError
	switch {
	case errors.As(err, &pe) && pe.Pos.Line == parse.EOF:
		return &LoadError{
			Chunk:  chunk,
			Line:   lastLine(src),
			AtEOF:  true,
			Reason: pe.Message + " at end of file",
			Advice: "a function, if, for, while or do may be missing its 'end', or a bracket or string is not closed",
		}
	case errors.As(err, &pe):
		return &LoadError{Chunk: chunk, Line: pe.Pos.Line, Reason: fmt.Sprintf("%s near '%s'", pe.Message, pe.Token)}
	case errors.As(err, &ce):
		return &LoadError{Chunk: chunk, Line: ce.Line, Reason: ce.Message}
	default:
		return &LoadError{Chunk: chunk, Reason: tidyMessage(err.Error())}
	}
}

// lastLine is the number of the source's last line, where a chunk that ends
// too early is reported.
func lastLine(src []byte) int {
	n := bytes.Count(src, []byte("\n")) + 1
	if bytes.HasSuffix(src, []byte("\n")) {
		n--
	}
	return max(n, 1)
}

// incomplete reports whether err means "the chunk stopped in the middle of
// a statement": the REPL then reads another line. An unterminated quoted
// string is a mistake on its line, as in lua.c; a long [[string]] goes on.
func incomplete(err error) bool {
	var le *LoadError
	return errors.As(err, &le) && le.AtEOF && !strings.HasPrefix(le.Reason, "unterminated string")
}
