package runtime

import (
	"fmt"
	"net/url"

	"github.com/spf13/pflag"
)

// DefaultConfigPath is where --config looks when it is not given: the
// Python SDK's file in the working folder, so existing users' setups work.
const DefaultConfigPath = "./skynamo-config.json"

// HostOptions are the flags of every command that starts a Lua host (run,
// repl). The runtime only parses and checks them; the ModuleFactory turns
// them into a client, a cache and the modules. Add fields here (with their
// flags in AddFlags) when a binding needs a new knob, so run and repl stay
// in step.
type HostOptions struct {
	Sim         bool   // run against an in-process simulator instead of the API
	Config      string // the config file (skynamo-config.json)
	Key         string // name of another key of the config file to use as the API token
	DataDir     string // where the cache and output files live
	Refresh     bool   // pull everything again instead of trusting the cache
	Concurrency int    // parallel requests; 0 means the config's (or the client's) default
	Instance    string // overrides the config's instance name
	APIBase     string // overrides the API base URL (tests, proxies)
	Quiet       bool   // no progress or warnings on stderr
	Verbose     bool   // one stderr line per HTTP request and retry
	Offline     bool   // read the cache only: no request at all
	MaxRequests int    // stop pulling after this many requests (0 = no limit)
	DryRun      bool   // writes are planned, never sent, whatever the script asks
}

// AddFlags defines the host flags on fs.
func (o *HostOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Sim, "sim", false, "run against an in-process API simulator with demo data (no network, no key needed; emails go to <data dir>/outbox)")
	fs.StringVar(&o.Config, "config", DefaultConfigPath, "config file `PATH`")
	fs.StringVar(&o.Key, "key", "", "use the config file's key `NAME` as the API token instead of SKYNAMO_API_KEY")
	fs.StringVar(&o.DataDir, "data-dir", "", "`DIR` holding the cache (default: SKYNAMO_DATA_DIR, else ./skynamo_data)")
	fs.BoolVar(&o.Refresh, "refresh", false, "pull every entity again instead of using the cache")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "at most `N` API requests at a time (0 = the default)")
	fs.StringVar(&o.Instance, "instance", "", "Skynamo instance `NAME` (overrides the config)")
	fs.StringVar(&o.APIBase, "api-base", "", "API base `URL` (overrides SKYNAMO_API_BASE; default https://api.skynamo.me/v1/)")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress or warnings on stderr")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "print a line on stderr for every API request and retry (never its headers or key)")
	fs.BoolVar(&o.Offline, "offline", false, "use the cache only, send no request (says how old each entity is)")
	fs.IntVar(&o.MaxRequests, "max-requests", 0, "send at most `N` API requests this run, then stop with exit code 5 keeping what was pulled (0 = no limit)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "send no write: every writer apply returns its plan instead, whatever the script asks; emails go to <data dir>/outbox")
}

// check validates the host flags on their own; whether the config file
// exists is the factory's question, since --sim needs none.
func (o *HostOptions) check() error {
	if o.Quiet && o.Verbose {
		return UsageError("", "--quiet and --verbose cannot be used together")
	}
	if o.MaxRequests < 0 {
		return UsageError("", "--max-requests must be 0 (no limit) or more, not %d", o.MaxRequests)
	}
	if o.Offline && (o.Sim || o.Refresh) {
		return UsageError("--offline reads the cache as it is", "--offline cannot be combined with --sim or --refresh")
	}
	if o.Concurrency < 0 {
		return UsageError("", "--concurrency must be 0 or more, not %d", o.Concurrency)
	}
	if o.Config == "" {
		return UsageError("leave --config out to use "+DefaultConfigPath, "--config must not be empty")
	}
	if o.Sim && o.APIBase != "" {
		return UsageError("--sim starts its own server; leave --api-base out", "--sim and --api-base cannot be used together")
	}
	if o.APIBase != "" {
		if err := checkBaseURL(o.APIBase); err != nil {
			return UsageError("for example --api-base https://api.example.com/v1/", "--api-base %q: %v", o.APIBase, err)
		}
	}
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must start with http:// or https://")
	}
	if u.Host == "" {
		return fmt.Errorf("has no host")
	}
	return nil
}
