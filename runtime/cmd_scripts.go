package runtime

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"skynamo/scripts"
)

const scriptsLongHelp = `
Lists the scripts skynamo run NAME can run: the ones shipped inside the
binary, and your own NAME.lua files in the user script folder: ./scripts
unless --scripts-dir DIR or SKYNAMO_SCRIPTS_DIR (in the environment or the
config file) names another. A user script with the name of a shipped one
overrides it: run NAME picks the user's. A copy that is byte for byte the
shipped script is listed once, as shipped.

  skynamo scripts
  skynamo run stock_reorder --help
  mkdir -p scripts
  skynamo scripts --show stock_reorder > scripts/stock_reorder.lua   # your own copy to change

The description is the script's first line, "-- name.lua: what it does".`

// scriptsOptions are the flags of `skynamo scripts`.
type scriptsOptions struct {
	Show       string
	ScriptsDir string
}

func (o *scriptsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Show, "show", "", "print the source of the shipped script `NAME`, to copy and change")
	fs.StringVar(&o.ScriptsDir, "scripts-dir", "", "`DIR` of your own scripts (default: SKYNAMO_SCRIPTS_DIR, else ./scripts)")
}

func (o *scriptsOptions) check(args []string) error {
	if len(args) > 0 {
		return UsageError("to run one: skynamo run "+args[0], "scripts takes no arguments, got %q", args[0])
	}
	if o.Show != "" && !isScriptName(o.Show) {
		return UsageError("for example --show customer_report", "--show takes a script name, not a path: %q", o.Show)
	}
	return nil
}

func scriptsCommand() Command {
	return Command{
		Name:    "scripts",
		Summary: "list the shipped scripts and your own (run one with: run NAME)",
		Help:    scriptsLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts scriptsOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				dir := userScriptsDir(h, opts.ScriptsDir, nil)
				if opts.Show != "" {
					return runScriptsShow(h, opts.Show, dir)
				}
				return runScripts(h, dir)
			}
		},
	}
}

func runScripts(h *Host, dir string) error {
	list, err := listScripts(h, dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(h.Stdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tWHERE\tDESCRIPTION")
	for _, s := range list {
		where := s.Where
		if s.Where == "user" {
			where = "user " + s.Path
			if s.Overrides {
				where += " (overrides shipped)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, where, s.Description)
	}
	return tw.Flush()
}

// runScriptsShow prints a shipped script's source, to copy into the user
// folder and change. It is always the shipped one, never the user's copy:
// "--show x > scripts/x.lua" creates that copy before skynamo even starts.
func runScriptsShow(h *Host, name, dir string) error {
	src, ok := scripts.Source(name)
	if !ok {
		var names []string
		for _, s := range scripts.List() {
			names = append(names, s.Name)
		}
		hint := "skynamo scripts lists them; your own are files in " + dir
		if c := closest(strings.TrimSuffix(name, ".lua"), names); c != "" {
			hint = fmt.Sprintf("did you mean %s? (%s)", c, hint)
		}
		return UsageError(hint, "--show: %q is not a shipped script", name)
	}
	_, err := h.Stdout().Write(src)
	return err
}
