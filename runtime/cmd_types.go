package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"skynamo/skynamo"
)

const typesLongHelp = `
Pulls the instance's form definitions (the older SDK's
refreshCustomFormsAndFields) and writes lua-language-server annotation
files for every module and every entity into --out (default
<data dir>/types, e.g. skynamo_data/types): record classes such as
Customer, the custom fields of customers, products and transactions with
their types and enumeration labels, and one class per custom form for
reader.completed_forms{form = NAME}. It then adds that folder to
.luarc.json in the working folder (or --luarc PATH), keeping the file's
other settings, so VS Code (the Lua extension by sumneko) or Neovim
(lua_ls) complete rec.custom["Customer Type"] and check its values.

Run it again after forms change. With --offline the cached form
definitions are used; --sim writes the simulator's demo forms.`

// typesOptions are the flags of `skynamo types`.
type typesOptions struct {
	HostOptions
	Out     string // the folder for the annotation files ("" = <data dir>/types)
	Luarc   string // the .luarc.json to create or merge into
	NoLuarc bool   // leave .luarc.json alone
	// LuarcGiven is whether --luarc was on the command line (its default
	// is not empty), so --no-luarc --luarc PATH can be refused.
	LuarcGiven bool
}

func (o *typesOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "write the annotation files into `DIR` (default: <data dir>/types)")
	fs.StringVar(&o.Luarc, "luarc", ".luarc.json", "the editor settings file `PATH` to point at DIR (created or merged)")
	fs.BoolVar(&o.NoLuarc, "no-luarc", false, "do not create or change .luarc.json")
	o.HostOptions.AddFlags(fs)
}

func (o *typesOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if len(args) > 0 {
		return UsageError("types takes flags only, e.g. --out DIR", "unexpected argument %q", args[0])
	}
	if o.DryRun {
		return UsageError("", "types writes no API data; --dry-run does not apply")
	}
	if o.NoLuarc && o.LuarcGiven {
		return UsageError("give one of them", "--no-luarc and --luarc %q contradict each other", o.Luarc)
	}
	if o.Luarc == "" && !o.NoLuarc {
		return UsageError("use --no-luarc to leave it alone", "--luarc must not be empty")
	}
	return nil
}

func typesCommand() Command {
	return Command{
		Name:    "types",
		Summary: "write editor annotations (lua-language-server) for the modules and this instance's custom fields",
		Help:    typesLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts typesOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				opts.LuarcGiven = fs.Changed("luarc")
				if err := opts.check(args); err != nil {
					return err
				}
				return runTypes(ctx, h, &opts)
			}
		},
	}
}

func runTypes(ctx context.Context, h *Host, opts *typesOptions) (err error) {
	h.Quiet = opts.Quiet
	conn, cleanup, err := connect(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cleanup()) }()
	reader := skynamo.NewReader(conn.syncer, h.Warnf)
	if opts.Offline {
		reader.Offline()
	}
	// Form definitions are one small request: fetched fresh, since a form
	// just added is why people run this.
	schema, err := reader.Schema(ctx, !opts.Offline)
	if err != nil {
		return fmt.Errorf("form definitions: %w", err)
	}
	files, n := generateTypes(schema)

	dir := opts.Out
	if dir == "" {
		dir = filepath.Join(userDataDir(h, &opts.HostOptions), "types")
	}
	dir = h.Path(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeTypesFile(filepath.Join(dir, f.Name), 0o644, []byte(f.Text)); err != nil {
			return err
		}
	}
	h.Progressf("types: %d files in %s: %d modules, %d entities, %d custom fields, %d custom forms",
		len(files), dir, n.Modules, n.Entities, n.Fields, n.Forms)
	if opts.NoLuarc {
		return nil
	}
	luarc := h.Path(opts.Luarc)
	return typesUpdateLuarc(h, luarc, dir)
}

// typesUpdateLuarc adds dir to the library of the .luarc.json at path. A
// symlinked file is updated where it lives, keeping its permissions, so a
// .luarc.json shared between projects stays shared.
func typesUpdateLuarc(h *Host, path, dir string) error {
	target, mode := path, os.FileMode(0o644)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	old, err := os.ReadFile(target)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if fi, err := os.Stat(target); err == nil {
		mode = fi.Mode().Perm()
	}
	text, err := typesMergeLuarc(old, typesLibraryPath(path, dir))
	if err != nil {
		return UsageError("", "%s: %v", path, err)
	}
	if string(text) == string(old) {
		h.Progressf("types: %s already points at %s", path, dir)
		return nil
	}
	if v := luarcVersion(old); v != "" && v != luaRuntimeVersion {
		h.Warnf("types: %s: runtime.version was %q, now %q, the Lua skynamo runs", path, v, luaRuntimeVersion)
	}
	if err := writeTypesFile(target, mode, text); err != nil {
		return err
	}
	h.Progressf("types: %s points the editor at %s", path, dir)
	return nil
}
