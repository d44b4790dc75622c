package runtime

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

type helpOptions struct{}

func (o *helpOptions) AddFlags(*pflag.FlagSet) {}

// check accepts any words: they name a command, which runHelp looks up.
func (o *helpOptions) check([]string) error { return nil }

func helpCommand() Command {
	return Command{
		Name:    "help",
		Args:    "[COMMAND]",
		Summary: "show help for skynamo or one command",
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts helpOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return runHelp(app, h, args)
			}
		},
	}
}

func runHelp(app *App, h *Host, args []string) error {
	if len(args) == 0 {
		return app.printUsage(h.Stdout())
	}
	// `help "cache status"` and `help cache status` mean the same.
	args = strings.Fields(strings.Join(args, " "))
	cmd, rest, ok := app.lookup(args)
	if ok && len(rest) == 0 {
		return app.printCommandHelp(h.Stdout(), cmd)
	}
	if len(args) == 1 {
		// `help cache`: the help of every command of the group.
		var group []Command
		for _, c := range app.Commands {
			if first, _, sub := strings.Cut(c.Name, " "); sub && first == args[0] {
				group = append(group, c)
			}
		}
		for i, c := range group {
			if i > 0 {
				fmt.Fprintln(h.Stdout())
			}
			if err := app.printCommandHelp(h.Stdout(), c); err != nil {
				return err
			}
		}
		if len(group) > 0 {
			return nil
		}
	}
	return app.unknownCommand(args)
}

// printUsage is `skynamo --help`: the commands, the host flags and the
// exit codes, everything a cron job's author needs on one screen.
func (a *App) printUsage(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s runs Lua scripts against the Skynamo field-sales CRM API.\n\n", a.Name)
	fmt.Fprintf(&b, "Usage:\n  %s <command> [flags] [arguments]\n\nCommands:\n", a.Name)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	var hostCmds []string
	for _, c := range a.Commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Summary)
		if fs, _ := a.newFlagSet(c); fs.Lookup("config") != nil {
			hostCmds = append(hostCmds, c.Name)
		}
	}
	_ = tw.Flush() // writes to a strings.Builder cannot fail
	if len(hostCmds) > 0 {
		var opts HostOptions
		fs := pflag.NewFlagSet("host", pflag.ContinueOnError)
		fs.SortFlags = false
		opts.AddFlags(fs)
		fmt.Fprintf(&b, "\nHost flags (%s):\n%s", strings.Join(hostCmds, ", "), flagUsages(fs))
	}
	b.WriteString("\n")
	writeExitCodes(&b)
	fmt.Fprintf(&b, "\nRun '%s help <command>' for more about a command.\n", a.Name)
	_, err := io.WriteString(w, b.String())
	return err
}

// printCommandHelp is `skynamo help run` and `skynamo run --help`.
func (a *App) printCommandHelp(w io.Writer, cmd Command) error {
	fs, _ := a.newFlagSet(cmd)
	var b strings.Builder
	synopsis := a.Name + " " + cmd.Name
	if fs.HasFlags() {
		synopsis += " [flags]"
	}
	if cmd.Args != "" {
		synopsis += " " + cmd.Args
	}
	fmt.Fprintf(&b, "Usage:\n  %s\n\n%s\n", synopsis, upperFirst(cmd.Summary)+".")
	if cmd.Help != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(cmd.Help))
	}
	if fs.HasFlags() {
		fmt.Fprintf(&b, "\nFlags:\n%s", flagUsages(fs))
	}
	b.WriteString("\n")
	writeExitCodes(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExitCodes(b *strings.Builder) {
	b.WriteString("Exit codes:\n")
	for _, e := range exitCodeTable() {
		fmt.Fprintf(b, "  %3d  %s\n", e.Code, e.Text)
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// flagUsages lists flags like pflag's FlagUsages, without its
// "--sim[=true|false]" notation for booleans, which reads as if a value
// were expected.
func flagUsages(fs *pflag.FlagSet) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "      --" + f.Name
		if f.Shorthand != "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			name += " " + varname
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, usage)
	})
	_ = tw.Flush() // writes to a strings.Builder cannot fail
	return b.String()
}
