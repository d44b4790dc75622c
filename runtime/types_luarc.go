package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"skynamo/skynamo/fsutil"
)

// luaRuntimeVersion is the dialect gopher-lua speaks; the editor flags
// goto, integer division and the like as errors under it.
const luaRuntimeVersion = "Lua 5.1"

// typesMergeLuarc returns the text of a .luarc.json that points the
// lua-language-server at library: existing is the file's current content
// (nil when there is none). Every other setting is kept; the library entry
// is added once, to whichever of the two spellings LuaLS accepts the file
// already uses ("workspace.library" or {"workspace": {"library": ...}}).
func typesMergeLuarc(existing []byte, library string) ([]byte, error) {
	conf := map[string]any{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := decodeLuarc(existing, &conf); err != nil {
			// VS Code edits .luarc.json as JSON with comments. Such a file
			// that already says what is needed is fine as it is; otherwise
			// rewriting it would drop the comments, so the user edits it.
			uncommented := stripJSONComments(existing)
			if bytes.Equal(uncommented, existing) || decodeLuarc(uncommented, &conf) != nil {
				return nil, fmt.Errorf("not a JSON object (fix or remove it, or use --luarc to write another file): %w", err)
			}
			if luarcHasTypes(conf, library) {
				return existing, nil
			}
			return nil, fmt.Errorf("has comments, which rewriting it would lose: add %q to workspace.library and set runtime.version to %q yourself, or remove the comments and run skynamo types again (--no-luarc leaves the file alone)", library, luaRuntimeVersion)
		}
	} else {
		conf["$schema"] = "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json"
	}
	libs, nested, err := typesLuarcSetting(conf, "workspace", "library")
	if err != nil {
		return nil, err
	}
	list, ok := libs.([]any)
	if libs != nil && !ok {
		return nil, fmt.Errorf("workspace.library is not a list")
	}
	if !slices.Contains(list, any(library)) {
		list = append(list, library)
	}
	typesSetLuarc(conf, nested, "workspace", "library", list)
	_, nestedRT, err := typesLuarcSetting(conf, "runtime", "version")
	if err != nil {
		return nil, err
	}
	typesSetLuarc(conf, nestedRT, "runtime", "version", luaRuntimeVersion)
	out, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// decodeLuarc reads one JSON object and insists nothing follows it: a
// comment after the closing brace would be lost on rewrite.
func decodeLuarc(text []byte, conf *map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(conf); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("text after the closing brace")
	}
	return nil
}

// luarcHasTypes says whether conf already lists library and sets the
// runtime version.
func luarcHasTypes(conf map[string]any, library string) bool {
	libs, _, err := typesLuarcSetting(conf, "workspace", "library")
	list, ok := libs.([]any)
	if err != nil || !ok || !slices.Contains(list, any(library)) {
		return false
	}
	version, _, err := typesLuarcSetting(conf, "runtime", "version")
	return err == nil && version == luaRuntimeVersion
}

// stripJSONComments blanks // and /* */ comments outside strings, keeping
// every other byte (and so the positions in a parse error) in place.
func stripJSONComments(text []byte) []byte {
	out := bytes.Clone(text)
	inString := false
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case inString && c == '\\':
			i++ // the escaped byte
		case c == '"':
			inString = !inString
		case !inString && c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case !inString && c == '/' && i+1 < len(out) && out[i+1] == '*':
			end := bytes.Index(out[i+2:], []byte("*/"))
			stop := len(out)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			for ; i < stop; i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			i--
		}
	}
	return out
}

// typesLuarcSetting reads group.key in either spelling; nested says the file
// uses {"group": {"key": …}}.
func typesLuarcSetting(conf map[string]any, group, key string) (v any, nested bool, err error) {
	if g, ok := conf[group]; ok {
		m, ok := g.(map[string]any)
		if !ok {
			return nil, false, fmt.Errorf("%q is not an object", group)
		}
		return m[key], true, nil
	}
	return conf[group+"."+key], false, nil
}

func typesSetLuarc(conf map[string]any, nested bool, group, key string, v any) {
	if nested {
		conf[group].(map[string]any)[key] = v
		return
	}
	conf[group+"."+key] = v
}

// typesLibraryPath is how .luarc.json at luarc names dir: relative to the
// file's folder when dir is inside it (the project moves with its
// settings), absolute otherwise.
func typesLibraryPath(luarc, dir string) string {
	base := filepath.Dir(luarc)
	if rel, err := filepath.Rel(base, dir); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(dir)
}

// luarcVersion is the runtime.version a .luarc.json sets, "" if none or
// the file is not JSON.
func luarcVersion(text []byte) string {
	conf := map[string]any{}
	if decodeLuarc(text, &conf) != nil {
		return ""
	}
	v, _, _ := typesLuarcSetting(conf, "runtime", "version")
	s, _ := v.(string)
	return s
}

// writeTypesFile replaces path with data atomically, so an editor never
// reads half a file.
func writeTypesFile(path string, mode os.FileMode, data []byte) error {
	return fsutil.WriteFileAtomic(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
