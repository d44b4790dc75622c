package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"skynamo/bindings"
	"skynamo/skynamo"
)

const writesLongHelp = `
Every apply of the writer module keeps a journal under the data folder
(skynamo_data/journal/): each request is recorded before it is sent and its
outcome after. JOURNAL is a journal's file name or path; without it, the
newest journal is used.`

const writesStatusHelp = writesLongHelp + `

Prints how many writes were applied, failed, have an unknown outcome or
were never sent (pending), then one line per write that is not applied.
--all lists every journal instead, newest first.`

const writesResumeHelp = writesLongHelp + `

Finishes an apply that stopped (quota, --max-requests, Ctrl-C, a crash):
creates whose outcome is unknown are first looked up by their natural key
(customer code, product code, invoice external id, name), so nothing is
created twice; pending writes are sent. A create that has no natural key
and an unknown outcome stays unknown unless --resend-unknown says to send
it again (check in Skynamo first that it is not there).

Exits 0 when every write is applied, 5 when some failed or stay unknown.`

const writesFailedHelp = writesLongHelp + `

Writes the failed writes and those with an unknown outcome as CSV (columns
index, entity, kind, label, status, error, body) to --out, or to standard
output, including the writes validation refused before anything was sent.`

// writesOptions are the flags every writes command shares: the host flags
// that say which data folder holds the journals.
type writesOptions struct {
	HostOptions
	Resume        bool   // the command is resume (set by its Setup, not a flag)
	All           bool   // status: list the journals
	ResendUnknown bool   // resume: send unknown creates without a natural key again
	Out           string // failed: the CSV file ("" = stdout)
}

// check validates the flags and the one optional JOURNAL argument.
func (o *writesOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if o.Sim {
		return UsageError("the simulator's data folder lives only for one run", "--sim keeps no journal to show or resume")
	}
	if len(args) > 1 {
		return UsageError("name one journal, or none for the newest", "too many arguments: %s", strings.Join(args, " "))
	}
	if len(args) == 1 && args[0] == "" {
		return UsageError("", "the journal name is empty")
	}
	if o.Resume && (o.Offline || o.DryRun) {
		return UsageError("skynamo writes status shows what is left to send", "writes resume sends what is left; it cannot be --offline or --dry-run")
	}
	if o.All && len(args) == 1 {
		return UsageError("leave the journal out to list them all", "--all lists every journal; it takes no JOURNAL")
	}
	return nil
}

func writesStatusCommand() Command {
	return writesCommand("writes status", "show what an apply sent, what succeeded, failed or is unknown", writesStatusHelp,
		func(o *writesOptions, fs *pflag.FlagSet) {
			fs.BoolVar(&o.All, "all", false, "list every journal, newest first")
		}, runWritesStatus)
}

func writesResumeCommand() Command {
	return writesCommand("writes resume", "finish an apply that stopped, sending nothing twice", writesResumeHelp,
		func(o *writesOptions, fs *pflag.FlagSet) {
			o.Resume = true
			fs.BoolVar(&o.ResendUnknown, "resend-unknown", false, "send again the creates whose outcome is unknown and that have no natural key to look them up by")
		}, runWritesResume)
}

func writesFailedCommand() Command {
	return writesCommand("writes failed", "export an apply's failed and unknown writes as CSV", writesFailedHelp,
		func(o *writesOptions, fs *pflag.FlagSet) {
			fs.StringVar(&o.Out, "out", "", "write the CSV to `FILE` (default: standard output)")
		}, runWritesFailed)
}

// writesCommand builds one writes subcommand: its own flag first, then the
// host flags.
func writesCommand(name, summary, help string, flags func(*writesOptions, *pflag.FlagSet),
	run func(ctx context.Context, h *Host, opts *writesOptions, args []string) error) Command {
	return Command{
		Name:    name,
		Args:    "[JOURNAL]",
		Summary: summary,
		Help:    help,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts writesOptions
			flags(&opts, fs)
			opts.HostOptions.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				h.Quiet = opts.Quiet
				return run(ctx, h, &opts, args)
			}
		},
	}
}

// dataDir is the data folder the config (and --data-dir) name.
func dataDir(h *Host, opts *HostOptions) (string, error) {
	cfg, cleanup, err := loadConfig(h, opts)
	if err != nil {
		return "", err
	}
	if err := cleanup(); err != nil {
		return "", err
	}
	return h.Path(cfg.DataDir), nil
}

// journalDataDir is dataDir for the commands that only read journals
// (status, failed): they need no API key, so a config that lacks one, or
// no config at all, still finds the journals where the flags, the
// environment or the default put the data folder.
func journalDataDir(h *Host, opts *HostOptions) (string, error) {
	dir, err := dataDir(h, opts)
	if err == nil {
		return dir, nil
	}
	fallback := opts.DataDir
	if fallback == "" {
		fallback, _ = h.Getenv(skynamo.KeyDataDir)
	}
	if fallback == "" {
		fallback = skynamo.DefaultDataDir
	}
	if _, statErr := os.Stat(skynamo.JournalDir(h.Path(fallback))); statErr != nil {
		return "", err // nothing there either: the config's error says what to fix
	}
	return h.Path(fallback), nil
}

// pickJournal resolves the JOURNAL argument: a path to a journal file, or
// the name of one in the data folder; none means the newest.
func pickJournal(h *Host, dir string, args []string) (string, error) {
	if len(args) == 1 {
		if p := h.Path(args[0]); fileExists(p) {
			return p, nil
		}
	}
	list, err := listGoodJournals(h, dir)
	if err != nil {
		return "", err
	}
	if len(args) == 0 {
		if len(list) == 0 {
			return "", WithExitCode(ExitUsage, fmt.Errorf("no journal in %s: no apply has run with this data folder", dir), "")
		}
		return list[0].Path, nil
	}
	var names []string
	for _, j := range list {
		base := filepath.Base(j.Path)
		if base == args[0] || strings.TrimSuffix(base, filepath.Ext(base)) == args[0] {
			return j.Path, nil
		}
		names = append(names, base)
	}
	hint := "skynamo writes status --all lists them"
	if c := closest(args[0], names); c != "" {
		hint = fmt.Sprintf("did you mean %q? (%s)", c, hint)
	}
	return "", UsageError(hint, "no journal %q in %s", args[0], dir)
}

// listGoodJournals lists the journals that can be read. A damaged one (a
// disk that filled up, a file cut by hand) is named in a warning, one line
// each, and does not hide the others.
func listGoodJournals(h *Host, dir string) ([]skynamo.JournalSummary, error) {
	list, err := skynamo.ListJournals(dir)
	if err == nil {
		return list, nil
	}
	// ListJournals joins one error per damaged journal; any other error
	// is the folder's own.
	var damaged interface{ Unwrap() []error }
	if !errors.As(err, &damaged) {
		return nil, err
	}
	for _, e := range damaged.Unwrap() {
		h.Warnf("%s", strings.Join(strings.Fields(e.Error()), " "))
	}
	return list, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func runWritesStatus(_ context.Context, h *Host, opts *writesOptions, args []string) error {
	dir, err := journalDataDir(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	if opts.All {
		return listJournals(h, dir)
	}
	path, err := pickJournal(h, dir, args)
	if err != nil {
		return err
	}
	rows, finished, err := journalRows(path)
	if err != nil {
		return err
	}
	state := "finished"
	if !finished {
		state = "not finished: skynamo writes resume finishes it"
	}
	fmt.Fprintf(h.Stdout(), "journal %s (%s)\n", path, state)
	printRows(h, rows)
	return nil
}

// listJournals is `writes status --all`.
func listJournals(h *Host, dir string) error {
	list, err := listGoodJournals(h, dir)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(h.Stdout(), "no journal in %s\n", dir)
		return nil
	}
	tw := tabwriter.NewWriter(h.Stdout(), 2, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "journal\tstarted\tstate\twrites\tapplied\tfailed\tunknown\tpending")
	for _, j := range list {
		state := "finished"
		if !j.Finished {
			state = "not finished"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", filepath.Base(j.Path), j.Started.Local().Format(time.DateTime),
			state, j.Items, j.Applied, j.Failed, j.Unknown, j.Pending)
	}
	return nil
}

// statusLines bounds the lines per status `writes status` prints: a
// nightly job of 10,000 writes must not bury the counts.
const statusLines = 20

// printRows prints the counts per status, then one line per failed or
// unknown write (at most statusLines of each) and the unsent writes as
// ranges of their indexes.
func printRows(h *Host, rows []bindings.ResultRow) {
	counts := map[skynamo.ItemStatus]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	out := h.Stdout()
	fmt.Fprintf(out, "%d writes: %d applied, %d failed, %d unknown, %d pending\n", len(rows),
		counts[skynamo.StatusApplied], counts[skynamo.StatusFailed], counts[skynamo.StatusUnknown], counts[skynamo.StatusPending])
	if n := counts[skynamo.StatusPlanned]; n > 0 {
		fmt.Fprintf(out, "%d planned (a dry run)\n", n)
	}
	for _, status := range []skynamo.ItemStatus{skynamo.StatusFailed, skynamo.StatusUnknown} {
		shown := 0
		for _, r := range rows {
			if r.Status != status {
				continue
			}
			if shown++; shown > statusLines {
				continue
			}
			detail := string(r.Status)
			if r.Error != "" {
				detail += ": " + r.Error
			}
			fmt.Fprintln(out, skynamo.ItemError(r.Index, r.Label, []string{detail}))
		}
		if shown > statusLines {
			fmt.Fprintf(out, "… and %d more %s: skynamo writes failed --out FILE lists them all\n", shown-statusLines, status)
		}
	}
	var pending []int
	for _, r := range rows {
		if r.Status == skynamo.StatusPending {
			pending = append(pending, r.Index)
		}
	}
	if len(pending) > 0 {
		fmt.Fprintf(out, "not sent yet: %s\n", indexRanges(pending))
	}
}

// indexRanges writes sorted indexes as "items 3, 7-12, 20".
func indexRanges(idx []int) string {
	var b strings.Builder
	b.WriteString("items ")
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", idx[i], idx[j])
		} else {
			fmt.Fprintf(&b, "%d", idx[i])
		}
		i = j + 1
	}
	return b.String()
}

// journalRows reads a journal as result rows, in queue order.
func journalRows(path string) ([]bindings.ResultRow, bool, error) {
	st, err := skynamo.ReadJournal(path)
	if err != nil {
		return nil, false, err
	}
	rows := make([]bindings.ResultRow, 0, len(st.Ops))
	for i, op := range st.Ops {
		r := skynamo.ItemResult{Index: op.Index, Status: skynamo.StatusPending}
		if i < len(st.Items) {
			r = st.Items[i]
		}
		rows = append(rows, bindings.NewResultRow(op, r))
	}
	return rows, st.Finished, nil
}

func runWritesResume(ctx context.Context, h *Host, opts *writesOptions, args []string) (err error) {
	dir, err := dataDir(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	path, err := pickJournal(h, dir, args)
	if err != nil {
		return err
	}
	conn, cleanup, err := connect(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cleanup()) }()
	reader := skynamo.NewReader(conn.syncer, h.Warnf)
	w := skynamo.NewWriter(reader, h.Progressf)
	res, stop := w.Resume(ctx, path, skynamo.ApplyOptions{ResendUnknown: opts.ResendUnknown})
	rows, _, err := journalRows(path)
	if err != nil {
		return errors.Join(stop, err)
	}
	fmt.Fprintf(h.Stdout(), "journal %s: %d requests sent\n", path, res.Requests)
	printRows(h, rows)
	if stop != nil {
		return &bindings.ApplyStopError{Err: stop, Journal: path, Pending: res.Count(skynamo.StatusPending), Items: len(rows)}
	}
	left := 0
	for _, r := range rows {
		if r.Status != skynamo.StatusApplied {
			left++
		}
	}
	if left > 0 {
		h.NotePartial(fmt.Sprintf("%d of %d writes are not applied; skynamo writes failed --out failed.csv lists them", left, len(rows)))
	}
	return nil
}

func runWritesFailed(_ context.Context, h *Host, opts *writesOptions, args []string) error {
	dir, err := journalDataDir(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	path, err := pickJournal(h, dir, args)
	if err != nil {
		return err
	}
	rows, _, err := journalRows(path)
	if err != nil {
		return err
	}
	var bad []bindings.ResultRow
	for _, r := range rows {
		if r.Status == skynamo.StatusFailed || r.Status == skynamo.StatusUnknown {
			bad = append(bad, r)
		}
	}
	if opts.Out == "" {
		return bindings.WriteResultsCSV(h.Stdout(), bad, bindings.FailedColumns(), false)
	}
	out := h.Path(opts.Out)
	if err := bindings.SaveResultsCSV(out, bad, bindings.FailedColumns(), false); err != nil {
		return err
	}
	h.Progressf("wrote %d failed or unknown writes of %s to %s", len(bad), filepath.Base(path), out)
	return nil
}
