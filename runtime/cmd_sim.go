package runtime

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"skynamo/skynamo/sim"
)

const simLongHelp = `
Serves a simulated Skynamo instance with seeded demo data, speaking the
public API v1 (list and single-item GETs, paging, filters, flags, the
gateway's 403s and 429s). Point any client at it:

  skynamo sim --addr 127.0.0.1:8089 &
  SKYNAMO_API_BASE=http://127.0.0.1:8089/v1/ SKYNAMO_INSTANCE_NAME=demo \
  SKYNAMO_API_KEY=demo-key skynamo run scripts/customer_report.lua

The same seed and sizes give the same data; dates are laid out relative to
the moment it starts. The fault flags make it slow, flaky, throttled or
out of quota, to see how a script copes. Ctrl-C stops it.`

// simOptions are the flags of `skynamo sim`.
type simOptions struct {
	sim.Options
	Addr string
}

func (o *simOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8089", "listen on `HOST:PORT` (port 0 picks a free one)")
	o.Options.AddFlags(fs)
}

func (o *simOptions) check(args []string) error {
	if len(args) > 0 {
		return UsageError("the simulator is configured with flags; see skynamo help sim", "sim takes no arguments, got %q", args[0])
	}
	if o.Addr == "" {
		return UsageError("for example --addr 127.0.0.1:8089", "--addr must not be empty")
	}
	if o.FailRate < 0 || o.FailRate > 1 || o.ThrottleRate < 0 || o.ThrottleRate > 1 {
		return UsageError("for example --fail-rate 0.1", "--fail-rate and --throttle-rate are fractions from 0 to 1")
	}
	if o.Customers < 0 || o.Products < 0 || o.Users < 0 || o.Orders < 0 || o.QuotaLimit < 0 || o.Latency < 0 {
		return UsageError("", "sizes, --quota and --latency must not be negative")
	}
	return nil
}

func simCommand() Command {
	return Command{
		Name:    "sim",
		Summary: "serve a local Skynamo API simulator with demo data",
		Help:    simLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts simOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return runSim(ctx, h, &opts)
			}
		},
	}
}

// runSim serves until ctx ends; Ctrl-C is how a server is meant to stop, so
// it ends with success rather than "interrupted".
func runSim(ctx context.Context, h *Host, opts *simOptions) error {
	s := sim.New(opts.Options)
	base, err := s.Listen(opts.Addr)
	if err != nil {
		return UsageError("pick another port with --addr, or 127.0.0.1:0 for any free one", "sim: %v", err)
	}
	defer s.Close()
	instance, key := opts.Instance, opts.APIKey
	if instance == "" {
		instance = sim.DefaultInstance
	}
	if key == "" {
		key = sim.DefaultAPIKey
	}
	fmt.Fprintf(h.Stdout(), "Skynamo API simulator at %s\n  instance: %s   API key: %s\n  try: SKYNAMO_API_BASE=%s SKYNAMO_INSTANCE_NAME=%s SKYNAMO_API_KEY=%s skynamo sync\n",
		base, instance, key, base, instance, key)
	if err := h.Flush(); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintf(h.Stdout(), "served %d requests\n", s.Requests())
	return nil
}

// apiCommands are the commands that talk to the API or its cache, after
// the Lua ones in help.
func apiCommands() []Command {
	return []Command{syncCommand(), cacheStatusCommand(), cacheClearCommand(), writesStatusCommand(), writesResumeCommand(), writesFailedCommand(), scriptsCommand(), typesCommand(), simCommand()}
}
