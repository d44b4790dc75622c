package runtime

import (
	"bytes"
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

// envScriptsDir names the user's own script folder, in the environment or
// the config file. `skynamo run NAME` and `skynamo scripts` both read it,
// so the listing shows what run would pick.
const envScriptsDir = skynamo.KeyScriptsDir

// defaultScriptsDir is the user's script folder when nothing names one:
// a scripts/ folder next to skynamo_data/, where people keep their own.
const defaultScriptsDir = "scripts"

// userScriptsDir is the user's script folder as they would write it
// (relative to h.Dir unless absolute), so messages show it that way.
// Precedence, as for the data folder: --scripts-dir (flag), the
// environment's SKYNAMO_SCRIPTS_DIR, the config file's (not under --sim,
// which reads no config), then ./scripts. An unreadable config file only
// means its setting is not used; the commands that need the config report
// its problems themselves.
func userScriptsDir(h *Host, flag string, opts *HostOptions) string {
	if flag != "" {
		return flag
	}
	if d, ok := h.Getenv(envScriptsDir); ok && d != "" {
		return d
	}
	if opts == nil {
		opts = &HostOptions{}
	}
	if !opts.Sim {
		if d, err := skynamo.LoadScriptsDir(userConfigInput(h, opts)); err == nil && d != "" {
			return d
		}
	}
	return defaultScriptsDir
}

// isScriptName reports whether what was typed after run can be a script's
// name rather than a path: one word, no folder.
func isScriptName(s string) bool {
	s = strings.TrimSuffix(s, ".lua")
	return s != "" && s != "." && s != ".." && s != "-" && !strings.ContainsAny(s, `/\`)
}

// loadNamed loads the script called name from dir, the user script folder,
// when no file of that name exists: <dir>/NAME.lua first, so a user can
// replace a shipped script by copying and editing it, then the shipped
// NAME. A shipped script's chunk is "scripts/NAME.lua" so its errors name
// the file people can look up; a user copy that is byte for byte the
// shipped one is the shipped one.
func loadNamed(h *Host, name, dir string) (*script, error) {
	base := strings.TrimSuffix(name, ".lua")
	shipped, isShipped := scripts.Source(base)
	userPath := filepath.Join(dir, base+".lua")
	src, err := os.ReadFile(h.Path(userPath))
	switch {
	case err == nil && !(isShipped && bytes.Equal(src, shipped)):
		return newScript(src, userPath, filepath.Dir(h.Path(userPath)))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, openError(h, userPath, err)
	}
	if isShipped {
		return newScript(shipped, "scripts/"+base+".lua", h.Dir)
	}
	return nil, unknownScript(h, name, dir)
}

// unknownScript explains a name that is neither a file, a user script nor
// a shipped one, with the closest names. It keeps the exit code of a
// missing script file (3): to a cron job both mean "nothing ran".
func unknownScript(h *Host, name, dir string) error {
	list, _ := listScripts(h, dir) // an unreadable user folder only costs suggestions
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

// listScripts is every script run NAME can reach from the user script
// folder dir and the shipped ones, user scripts first where both exist,
// sorted by name. A missing user folder is simply empty. A user script
// byte for byte the shipped one (./scripts in a checkout of skynamo itself)
// is listed once, as shipped.
func listScripts(h *Host, dir string) ([]scriptEntry, error) {
	shipped := map[string]bool{}
	var out []scriptEntry
	for _, s := range scripts.List() {
		shipped[s.Name] = true
		out = append(out, scriptEntry{Name: s.Name, Where: "shipped", Description: s.Description})
	}
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
		if s, ok := scripts.Source(name); ok && bytes.Equal(src, s) {
			continue
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
