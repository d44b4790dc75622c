package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"skynamo/skynamo"
)

// cacheOptions are the flags of `skynamo cache status` and `cache clear`:
// the host flags that say which instance's cache.
type cacheOptions struct {
	HostOptions
}

func (o *cacheOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if o.Sim {
		return UsageError("the simulator's cache lives only for one run", "--sim has no cache to show or clear")
	}
	return checkEntityNames(args)
}

func cacheStatusCommand() Command {
	return cacheCommand("cache status", "show what the local cache holds, how old it is and what its pulls cost", runCacheStatus)
}

// cacheCommand builds a cache subcommand: the host flags that pick the
// instance's cache, the entity names checked, then run.
func cacheCommand(name, summary string, run func(h *Host, opts *cacheOptions, args []string) error) Command {
	return Command{
		Name:    name,
		Args:    "[ENTITY...]",
		Summary: summary,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts cacheOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return run(h, &opts, args)
			}
		},
	}
}

func runCacheStatus(h *Host, opts *cacheOptions, only []string) (err error) {
	h.Quiet = opts.Quiet
	conn, cleanup, err := connect(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cleanup()) }()
	now := time.Now()
	status, err := conn.cache.Status(now, conn.cfg.RefreshInterval)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, name := range only {
		e, _ := skynamo.LookupEntity(name)
		want[e.Name] = true
	}
	fmt.Fprintf(h.Stdout(), "cache %s (instance %s, refresh interval %s)\n", conn.cache.Dir(), conn.cfg.Instance, conn.cfg.RefreshInterval)
	tw := tabwriter.NewWriter(h.Stdout(), 2, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "entity\tkind\trecords\tage\tmax version\tlast pull\trequests\tlast full\tstate")
	for _, st := range status {
		if len(want) > 0 && !want[st.Entity] {
			continue
		}
		if !st.Cached {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\tnever pulled\n", st.Entity, st.Kind)
			continue
		}
		version := "-"
		if st.MaxRowVersion > 0 {
			version = fmt.Sprint(st.MaxRowVersion)
		}
		state := "fresh"
		switch {
		case !st.Complete && st.Note != "":
			state = "partial: " + st.Note
		case !st.Complete:
			state = "partial: the next pull continues it"
		case st.Stale:
			state = "stale: the next read pulls"
		}
		if st.Complete && st.Repull != "" {
			state += "; " + st.Repull
		}
		full := "-"
		if !st.LastFullPull.IsZero() {
			full = roundAge(now.Sub(st.LastFullPull)) + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", st.Entity, st.Kind, st.Count, roundAge(st.Age), version, st.Mode, st.Requests, full, state)
	}
	return nil
}

// roundAge keeps ages readable: seconds for the first minutes, then minutes.
func roundAge(d time.Duration) string {
	switch {
	case d < 10*time.Minute:
		return d.Round(time.Second).String()
	case d < 48*time.Hour:
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func cacheClearCommand() Command {
	return cacheCommand("cache clear", "delete the cached records of the named entities (all when none is named)", runCacheClear)
}

// runCacheClear without entities removes the instance's whole cache folder
// without opening it, so it also frees a folder that holds another API
// base's records (which every other command refuses to touch).
func runCacheClear(h *Host, opts *cacheOptions, entities []string) (err error) {
	h.Quiet = opts.Quiet
	if len(entities) == 0 {
		cfg, cleanup, err := loadConfig(h, &opts.HostOptions)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, cleanup()) }()
		dir, err := skynamo.RemoveCache(h.Path(cfg.DataDir), cfg.Instance)
		if err != nil {
			return err
		}
		fmt.Fprintf(h.Stdout(), "removed the cache %s\n", dir)
		return nil
	}
	conn, cleanup, err := connect(h, &opts.HostOptions)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cleanup()) }()
	if err := conn.cache.Clear(entities...); err != nil {
		return err
	}
	fmt.Fprintf(h.Stdout(), "cleared %s from %s\n", strings.Join(entities, ", "), conn.cache.Dir())
	return nil
}
