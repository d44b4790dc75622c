package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"skynamo/scripts"
	"skynamo/skynamo"
)

// envScriptsDir names the user's own script folder. `skynamo run NAME` and
// `skynamo scripts` both read it, so the listing shows what run would pick.
const envScriptsDir = "SKYNAMO_SCRIPTS_DIR"

// defaultScriptsDir is the user's script folder when the variable is unset:
// a scripts/ folder next to skynamo_data/, where people keep their own.
const defaultScriptsDir = "scripts"

// userScriptsDir is the user's script folder as they would write it
// (relative to h.Dir unless absolute), so messages show it that way.
func userScriptsDir(h *Host) string {
	if d, ok := h.Getenv(envScriptsDir); ok && d != "" {
		return d
	}
	return defaultScriptsDir
}

// isScriptName reports whether what was typed after run can be a script's
// name rather than a path: one word, no folder.
func isScriptName(s string) bool {
	s = strings.TrimSuffix(s, ".lua")
	return s != "" && s != "." && s != ".." && s != "-" && !strings.ContainsAny(s, `/\`)
}

// loadNamed loads the script called name when no file of that name exists:
// <user dir>/NAME.lua first, so a user can replace a shipped script by
// copying and editing it, then the shipped NAME. A shipped script's chunk
// is "scripts/NAME.lua" so its errors name the file people can look up.
func loadNamed(h *Host, name string) (*script, error) {
	base := strings.TrimSuffix(name, ".lua")
	dir := userScriptsDir(h)
	userPath := filepath.Join(dir, base+".lua")
	src, err := os.ReadFile(h.Path(userPath))
	switch {
	case err == nil:
		return newScript(src, userPath, filepath.Dir(h.Path(userPath)))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, openError(h, userPath, err)
	}
	if src, ok := scripts.Source(base); ok {
		return newScript(src, "scripts/"+base+".lua", h.Dir)
	}
	return nil, unknownScript(h, name, dir)
}

// unknownScript explains a name that is neither a file, a user script nor
// a shipped one, with the closest names. It keeps the exit code of a
// missing script file (3): to a cron job both mean "nothing ran".
func unknownScript(h *Host, name, dir string) error {
	list, _ := listScripts(h) // an unreadable user folder only costs suggestions
	names := make([]string, 0, len(list))
	for _, s := range list {
		names = append(names, s.Name)
	}
	hint := fmt.Sprintf("no such file, no %s, and no shipped script %q; skynamo scripts lists them",
		filepath.Join(dir, strings.TrimSuffix(name, ".lua")+".lua"), strings.TrimSuffix(name, ".lua"))
	if near := skynamo.SuggestNames(strings.TrimSuffix(name, ".lua"), names, 3); len(near) > 0 {
		hint = fmt.Sprintf("did you mean %s? (%s)", strings.Join(near, ", "), hint)
	}
	if !strings.HasSuffix(name, ".lua") {
		if _, err := os.Stat(h.Path(name + ".lua")); err == nil {
			hint = fmt.Sprintf("did you mean %s.lua?", name)
		}
	}
	// The system's own words for the missing file, as for any path.
	var reason error = fs.ErrNotExist
	var pe *fs.PathError
	if _, err := os.Stat(h.Path(name)); errors.As(err, &pe) {
		reason = pe.Err
	}
	return WithExitCode(ExitLoad, fmt.Errorf("cannot open script %s: %w", name, reason), hint)
}

// scriptEntry is one line of `skynamo scripts`.
type scriptEntry struct {
	Name        string
	Where       string // "shipped" or "user"
	Path        string // a user script's file, as the user would write it
	Description string
	Overrides   bool // a user script that `run NAME` picks instead of the shipped one
}

// listScripts is every script run NAME can reach, user scripts first where
// both exist, sorted by name. A missing user folder is simply empty.
func listScripts(h *Host) ([]scriptEntry, error) {
	shipped := map[string]bool{}
	var out []scriptEntry
	for _, s := range scripts.List() {
		shipped[s.Name] = true
		out = append(out, scriptEntry{Name: s.Name, Where: "shipped", Description: s.Description})
	}
	dir := userScriptsDir(h)
	entries, err := os.ReadDir(h.Path(dir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("reading the user script folder %s: %w", dir, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".lua")
		if !ok || e.IsDir() || !isScriptName(name) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		src, err := os.ReadFile(h.Path(p))
		if err != nil {
			return out, err
		}
		out = append(out, scriptEntry{Name: name, Where: "user", Path: p,
			Description: scripts.Describe(src), Overrides: shipped[name]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Where == "user" // the one run picks comes first
	})
	return out, nil
}
