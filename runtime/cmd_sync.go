package runtime

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"skynamo/skynamo"
)

const syncLongHelp = `
Brings the local cache of the named entities (all of them when none is
named) up to date: nothing is requested for an entity pulled less than the
refresh interval ago (SKYNAMO_CACHE_REFRESH_INTERVAL, default 300 s) unless
--force is given; versioned entities pull only what changed since the last
pull, append-only ones (orders, quotes, credit requests, interactions,
completed forms) only what was added, reference tables whole.

A pull stopped by the API quota keeps every page it got and exits with the
"partial" code; the next sync continues from there.`

// syncOptions are the flags of `skynamo sync`.
type syncOptions struct {
	HostOptions
	Force bool
	Plan  bool
}

func (o *syncOptions) AddFlags(fs *pflag.FlagSet) {
	o.HostOptions.AddFlags(fs)
	fs.BoolVar(&o.Force, "force", false, "pull even entities whose cache is younger than the refresh interval")
	fs.BoolVar(&o.Plan, "plan", false, "send nothing: estimate from the cache what each entity's pull would cost in requests")
}

func (o *syncOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if o.Offline {
		return UsageError("sync pulls from the API; --offline is for run and repl", "sync cannot be --offline")
	}
	return checkEntityNames(args)
}

// checkEntityNames refuses unknown entity names up front, before any
// request is spent on the ones before them.
func checkEntityNames(args []string) error {
	for _, name := range args {
		if _, err := skynamo.LookupEntity(name); err != nil {
			return UsageError("skynamo cache status lists the entities", "%v", err)
		}
	}
	return nil
}

func syncCommand() Command {
	return Command{
		Name:    "sync",
		Args:    "[ENTITY...]",
		Summary: "pull entities into the local cache (all when none is named)",
		Help:    syncLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts syncOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return runSync(ctx, h, &opts, args)
			}
		},
	}
}

func runSync(ctx context.Context, h *Host, opts *syncOptions, entities []string) (err error) {
	h.Quiet = opts.Quiet
	conn, cleanup, err := connect(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cleanup()) }()
	if len(entities) == 0 {
		entities = skynamo.EntityNames()
	}
	if opts.Plan {
		return printPlan(h, conn.syncer, entities, opts.Force)
	}
	// The table below says what each pull did; stderr says only why (a
	// fallback, a resume, waiting for another run).
	syncer := skynamo.NewSyncer(conn.client, conn.cache, skynamo.SyncOptions{Logf: h.Progressf, NoSummary: true, Progress: syncProgress(h, &opts.HostOptions)})
	tw := tabwriter.NewWriter(h.Stdout(), 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tpull\trecords\treceived\trequests\ttime\t")
	defer tw.Flush()
	var total int64
	for _, name := range entities {
		res, err := syncer.Sync(ctx, name, opts.Force)
		total += res.Requests
		mode := string(res.Mode)
		if !res.Complete && err != nil {
			mode += " (stopped)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t\n", res.Entity, mode, res.Records, res.Received, res.Requests, res.Duration.Round(time.Millisecond))
		if err != nil {
			tw.Flush()
			return fmt.Errorf("sync %s: %w", name, err)
		}
	}
	fmt.Fprintf(tw, "total\t\t\t\t%d\t\t\n", total)
	return nil
}

// printPlan shows what a sync would cost, from the cache state alone.
func printPlan(h *Host, syncer *skynamo.Syncer, entities []string, force bool) error {
	tw := tabwriter.NewWriter(h.Stdout(), 2, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "entity\tpull\trequests\twhy")
	total, exact := 0, true
	for _, name := range entities {
		est, err := syncer.Plan(name, force)
		if err != nil {
			return err
		}
		n := fmt.Sprint(est.Requests)
		if !est.Exact {
			n = "~" + n
			exact = false
		}
		total += est.Requests
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", est.Entity, est.Mode, n, est.Why)
	}
	sum := fmt.Sprint(total)
	if !exact {
		sum = "~" + sum
	}
	fmt.Fprintf(tw, "total\t\t%s\t(nothing was sent)\n", sum)
	return nil
}
