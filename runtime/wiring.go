package runtime

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/bindings"
	"skynamo/skynamo"
	"skynamo/skynamo/sim"
)

// connection is what run, repl, sync and cache commands share: the config,
// the client, the cache and the syncer for one invocation.
type connection struct {
	cfg    skynamo.Config
	client *skynamo.Client
	cache  *skynamo.Cache
	syncer *skynamo.Syncer
	sim    bool
}

// RetryBaseEnv names the environment variable that sets the first retry's
// backoff ceiling (default 500ms, doubling up to 30s). Tests set it to 1ms
// so fault tests do not sleep; users behind a flaky proxy may raise it.
const RetryBaseEnv = "SKYNAMO_RETRY_BASE"

// connect reads the config (or, with --sim, starts an in-process simulator
// with a throw-away cache) and builds the client, cache and syncer. cleanup
// closes the simulator and removes its cache.
func connect(h *Host, opts *HostOptions) (*connection, func() error, error) {
	cfg, cleanup, err := loadConfig(h, opts)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*connection, func() error, error) {
		_ = cleanup()
		return nil, nil, err
	}
	backoff, err := retryBackoff(h)
	if err != nil {
		return fail(err)
	}
	client, err := skynamo.NewClient(cfg, skynamo.ClientOptions{Backoff: backoff, Logf: h.Progressf, MaxRequests: int64(opts.MaxRequests),
		Trace: requestTrace(h, opts)})
	if err != nil {
		return fail(UsageError("", "%v", err))
	}
	cache, err := skynamo.OpenCache(h.Path(cfg.DataDir), cfg.APIBase, cfg.Instance)
	if err != nil {
		return fail(WithExitCode(ExitUsage, err, ""))
	}
	syncer := skynamo.NewSyncer(client, cache, skynamo.SyncOptions{Logf: h.Progressf, Progress: syncProgress(h, opts)})
	h.stats.connected(client, syncer)
	return &connection{cfg: cfg, client: client, cache: cache, syncer: syncer, sim: opts.Sim}, cleanup, nil
}

// loadConfig reads the config the host flags point at, registers its
// secrets with the host and prints its warnings.
func loadConfig(h *Host, opts *HostOptions) (skynamo.Config, func() error, error) {
	in, cleanup, err := configInput(h, opts)
	if err != nil {
		return skynamo.Config{}, nil, err
	}
	cfg, warnings, err := skynamo.LoadConfig(in)
	if err != nil {
		_ = cleanup()
		return skynamo.Config{}, nil, UsageError("see the README's \"Point it at a real instance\", or try --sim", "%v", err)
	}
	h.AddSecret(cfg.APIKey)
	h.AddSecret(cfg.GmailPassword)
	for _, w := range warnings {
		h.Warnf("%s", w)
	}
	if opts.Concurrency > 0 {
		cfg.Concurrency = opts.Concurrency
	}
	// Resolved once here, so everything under the data folder (the cache,
	// the writer's journals) lands in the same place whatever reads it.
	cfg.DataDir = h.Path(cfg.DataDir)
	return cfg, cleanup, nil
}

// configInput says where the config comes from. With --sim it is the
// simulator alone: the user's config file and SKYNAMO_* variables are not
// read, and the cache lives in a temporary folder, so a simulated record
// can never land in a real instance's cache.
func configInput(h *Host, opts *HostOptions) (skynamo.ConfigInput, func() error, error) {
	getenv := func(k string) string { v, _ := h.Getenv(k); return v }
	if !opts.Sim {
		overrides := map[string]string{
			skynamo.KeyDataDir:  opts.DataDir,
			skynamo.KeyInstance: opts.Instance,
			skynamo.KeyAPIBase:  opts.APIBase,
		}
		in := skynamo.ConfigInput{Dir: h.Dir, Getenv: getenv, Overrides: overrides, KeyName: opts.Key}
		if opts.Config != DefaultConfigPath {
			in.File = h.Path(opts.Config)
		}
		return in, func() error { return nil }, nil
	}
	s := sim.New(sim.Options{})
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		return skynamo.ConfigInput{}, nil, fmt.Errorf("starting the simulator: %w", err)
	}
	dir, err := os.MkdirTemp("", "skynamo-sim-cache-")
	if err != nil {
		s.Close()
		return skynamo.ConfigInput{}, nil, fmt.Errorf("a cache folder for the simulator: %w", err)
	}
	h.Progressf("simulator: demo instance at %s (cache in %s, removed afterwards)", base, dir)
	env := map[string]string{
		skynamo.KeyInstance: sim.DefaultInstance,
		skynamo.KeyAPIKey:   sim.DefaultAPIKey,
		skynamo.KeyAPIBase:  base,
		skynamo.KeyDataDir:  dir,
	}
	cleanup := func() error {
		s.Close()
		return os.RemoveAll(dir)
	}
	// Dir points at the empty cache folder, which has no config file, so
	// nothing of the user's configuration is mixed in.
	return skynamo.ConfigInput{Dir: dir, Getenv: skynamo.EnvMap(env)}, cleanup, nil
}

func retryBackoff(h *Host) (func(int) time.Duration, error) {
	v, ok := h.Getenv(RetryBaseEnv)
	if !ok || v == "" {
		return nil, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return nil, UsageError("for example "+RetryBaseEnv+"=250ms", "%s=%q is not a positive duration", RetryBaseEnv, v)
	}
	return skynamo.FullJitterBackoff(d, 30*time.Second), nil
}

// skynamoModules is the ModuleFactory of skynamo as shipped. The API is
// reached lazily: the config is read and the client built when a script
// first calls a reader or writer function that needs it (not at require),
// so a script that only crunches CSV files, or answers --help, runs
// without any config. notes remembers the errors the reader hands to
// scripts, so that a script dying on one exits with that error's code.
func skynamoModules(notes *errorNotes) ModuleFactory {
	return func(ctx context.Context, h *Host, opts *HostOptions) ([]Module, func() error, error) {
		registerAPISecrets(h, opts)
		lc := &lazyConnection{h: h, opts: opts}
		mods := []Module{
			{Name: "reader", Loader: lc.readerLoader(notes)},
			{Name: "writer", Loader: lc.writerLoader()},
			{Name: "csv", Loader: bindings.NewCSV().Loader},
			{Name: "json", Loader: bindings.NewJSON().Loader},
			{Name: "dates", Loader: bindings.NewDates(nil).Loader},
			{Name: "http", Loader: bindings.NewHTTP(nil).Loader},
			{Name: "email", Loader: emailModule(h, opts).Loader},
		}
		return mods, lc.close, nil
	}
}

// lazyConnection connects on first use and remembers the outcome, so a
// bad config is reported once, at the call that needed it.
type lazyConnection struct {
	h    *Host
	opts *HostOptions

	once    sync.Once
	conn    *connection
	cleanup func() error
	err     error

	// One skynamo.Reader for reader and writer alike: writes are validated
	// against the schema it loaded, and the records it cached are the
	// "before" of a dry run's changes.
	readerOnce sync.Once
	reader     *skynamo.Reader
}

func (lc *lazyConnection) get() (*connection, error) {
	lc.once.Do(func() { lc.conn, lc.cleanup, lc.err = connect(lc.h, lc.opts) })
	return lc.conn, lc.err
}

func (lc *lazyConnection) close() error {
	if lc.cleanup == nil {
		return nil
	}
	return lc.cleanup()
}

// sharedReader connects and returns the run's one skynamo.Reader.
func (lc *lazyConnection) sharedReader() (*skynamo.Reader, error) {
	conn, err := lc.get()
	if err != nil {
		return nil, err
	}
	lc.readerOnce.Do(func() {
		lc.reader = skynamo.NewReader(conn.syncer, lc.h.Warnf)
		lc.h.stats.reading(lc.reader)
		if lc.opts.Refresh {
			lc.reader.RefreshAll()
		}
		if lc.opts.Offline {
			lc.reader.Offline()
		}
	})
	return lc.reader, nil
}

// readerLoader loads the reader module without connecting: its functions
// connect on the first call that needs the API, so a script that requires
// reader at the top and then only answers --help needs no config. A
// connection error is raised then as a Go error value, so the host keeps
// its exit code and hint (a bad config exits 2, not 1).
func (lc *lazyConnection) readerLoader(notes *errorNotes) lua.LGFunction {
	return func(L *lua.LState) int {
		onError := func(err error) string {
			// A script that carries on after a quota stop still delivered
			// less than asked: cron must see "partial", not success.
			if skynamo.IsPartialStop(err) {
				lc.h.NotePartial(partialHint(err))
			}
			return notes.note(err)
		}
		return bindings.NewReader(lc.sharedReader, onError).Loader(L)
	}
}
