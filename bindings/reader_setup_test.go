package bindings

import (
	"testing"

	"skynamo/skynamo"
	"skynamo/skynamo/sim"
)

// newTestReader reads from a small simulator on 127.0.0.1:0 through a cache
// in a temporary folder, with retries that never sleep.
func newTestReader(t *testing.T) *skynamo.Reader {
	t.Helper()
	s := sim.New(sim.Options{Customers: 40, Products: 12, Orders: 150, Seed: 3})
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg, _, err := skynamo.LoadConfig(skynamo.ConfigInput{
		Dir:    t.TempDir(),
		Getenv: skynamo.EnvMap(map[string]string{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "demo-key", "SKYNAMO_API_BASE": base, "SKYNAMO_DATA_DIR": t.TempDir()}),
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := skynamo.NewClient(cfg, skynamo.ClientOptions{Sleep: skynamo.InstantSleep})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := skynamo.OpenCache(cfg.DataDir, cfg.APIBase, cfg.Instance)
	if err != nil {
		t.Fatal(err)
	}
	return skynamo.NewReader(skynamo.NewSyncer(client, cache, skynamo.SyncOptions{}), nil)
}
