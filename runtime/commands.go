package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Action runs a command with the arguments left after its flags.
type Action func(ctx context.Context, h *Host, args []string) error

// Command is one entry of the command table (App.Commands).
//
// To add a command, write cmd_<name>.go in the shape of cmd_version.go:
//
//   - an options struct with AddFlags(*pflag.FlagSet) (embed HostOptions
//     when the command needs the config, the client or the simulator);
//   - a pure check(args []string) error with a table test, returning
//     UsageError for mistakes;
//   - runX(ctx, h, opts, args) error doing the work, printing through
//     h.Stdout() and returning errors (never exiting);
//   - a constructor xCommand() Command whose Setup ties them together;
//
// then add xCommand() to builtinCommands (or to App.Commands). Help, the
// command list, "did you mean" suggestions and exit codes come for free.
type Command struct {
	// Name is what the user types; several words make a subcommand group
	// ("cache status", "cache clear").
	Name string
	// Args is the synopsis of the arguments after the flags: "SCRIPT [ARG...]".
	Args string
	// Summary is the one line shown in the command list.
	Summary string
	// Help is the longer text of `skynamo help NAME`, if any.
	Help string
	// Setup defines the command's flags on fs and returns the action to run
	// once fs is parsed. It is called afresh for every invocation, so each
	// run gets new options (tests call Main many times in one process).
	Setup func(app *App, fs *pflag.FlagSet) Action
}

// builtinCommands is the command table in the order help lists it. The
// table is built by a function so no package variable can be changed.
func builtinCommands() []Command {
	return []Command{
		runCommand(),
		replCommand(),
		versionCommand(),
		helpCommand(),
	}
}

// lookup finds the command args start with; with multi-word names the
// longest match wins. rest is what follows the command name.
func (a *App) lookup(args []string) (cmd Command, rest []string, ok bool) {
	best := -1
	for _, c := range a.Commands {
		words := strings.Fields(c.Name)
		if len(words) > len(args) || len(words) <= best {
			continue
		}
		if equalWords(words, args[:len(words)]) {
			cmd, rest, ok, best = c, args[len(words):], true, len(words)
		}
	}
	return cmd, rest, ok
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unknownCommand explains a command name that is not in the table, with
// the closest name as a hint.
func (a *App) unknownCommand(args []string) error {
	typed := args[0]
	var names []string
	for _, c := range a.Commands {
		if first, _, group := strings.Cut(c.Name, " "); group && first == typed {
			names = append(names, c.Name)
		}
	}
	if len(names) > 0 {
		// A known group with an unknown or missing subcommand: "cache stats".
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return UsageError("one of: "+strings.Join(names, ", "), "%q needs a subcommand", typed)
		}
		typed += " " + args[1]
	} else {
		for _, c := range a.Commands {
			names = append(names, c.Name)
		}
	}
	hint := fmt.Sprintf("run '%s help' for the list of commands", a.Name)
	if strings.HasSuffix(typed, ".lua") {
		hint = fmt.Sprintf("to run a script: %s run %s", a.Name, typed)
	} else if c := closest(typed, names); c != "" {
		hint = fmt.Sprintf("did you mean %q? (%s)", c, hint)
	}
	return UsageError(hint, "unknown command %q", typed)
}

// flagError turns a pflag parse error into a usage error with a hint.
func (a *App) flagError(cmd Command, fs *pflag.FlagSet, err error) error {
	hint := fmt.Sprintf("run '%s help %s' for its flags", a.Name, cmd.Name)
	var notExist *pflag.NotExistError
	if errors.As(err, &notExist) && notExist.GetSpecifiedShortnames() == "" {
		var names []string
		fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if c := closest(notExist.GetSpecifiedName(), names); c != "" {
			hint = fmt.Sprintf("did you mean --%s? (%s)", c, hint)
		}
	}
	return UsageError(hint, "%s: %v", cmd.Name, err)
}

// newFlagSet makes the flag set of one command. Parse errors come back as
// values for flagError; pflag must not print usage on its own.
func (a *App) newFlagSet(cmd Command) (*pflag.FlagSet, Action) {
	fs := pflag.NewFlagSet(a.Name+" "+cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false // keep the order AddFlags chose: the important ones first
	var action Action
	if cmd.Setup != nil {
		action = cmd.Setup(a, fs)
	}
	return fs, action
}
