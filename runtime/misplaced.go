package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// misplacedHostFlags lists the script's arguments that are also skynamo's
// own flags: "skynamo run report.lua --sim" hands --sim to the script,
// since host flags end at the script path. -h and --help are left out:
// they are meant for the script.
func misplacedHostFlags(fs *pflag.FlagSet, scriptArgs []string) []string {
	var out []string
	for _, a := range scriptArgs {
		if a == "--" {
			break
		}
		var f *pflag.Flag
		switch {
		case strings.HasPrefix(a, "--"):
			name, _, _ := strings.Cut(a[2:], "=")
			f = fs.Lookup(name)
		case len(a) == 2 && a[0] == '-':
			f = fs.ShorthandLookup(a[1:])
		}
		if f != nil && f.Name != "help" {
			out = append(out, a)
		}
	}
	return out
}

// hintMisplacedFlags adds a hint to a run that failed as a usage error
// (exit 2: no config, or the script's own "unknown option --sim") when
// skynamo flags came after the script, since neither error says so. The
// flags may also be the script's own (a script may take --dry-run), so the
// hint says "if". A script's os.exit(2) has printed its message already;
// the hint follows it.
func hintMisplacedFlags(h *Host, err error, misplaced []string, script string) error {
	if len(misplaced) == 0 || err == nil {
		return err
	}
	if code, _ := classify(err, nil); code != ExitUsage {
		return err
	}
	hint := fmt.Sprintf("if %s %s meant for skynamo, put %s before the script: skynamo run %s %s ...",
		strings.Join(misplaced, " "), pluralIs(len(misplaced)), pluralIt(len(misplaced)), strings.Join(misplaced, " "), script)
	var exit *exitRequest
	if errors.As(err, &exit) {
		writeError(h.Stderr(), "hint: "+hint+"\n")
		return err
	}
	// The error's own hint stays, after this one, unless it is "try
	// --sim" said to someone who gave --sim in the wrong place.
	if own := hintOf(err); own != "" && !slices.Contains(misplaced, "--sim") {
		hint += "\nhint: " + own
	}
	return &ExitError{Code: ExitUsage, Err: err, Advice: hint}
}

func pluralIs(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func pluralIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
