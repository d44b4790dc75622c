package sim

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestAddFlags(t *testing.T) {
	var o Options
	fs := pflag.NewFlagSet("sim", pflag.ContinueOnError)
	o.AddFlags(fs)
	if o.Customers != DefaultCustomers || o.Instance != DefaultInstance || o.APIKey != DefaultAPIKey || o.Seed != DefaultSeed {
		t.Errorf("defaults not applied: %+v", o)
	}
	err := fs.Parse([]string{"--seed", "9", "--customers", "50000", "--products", "7", "--users", "3", "--orders", "10",
		"--latency", "50ms", "--fail-rate", "0.1", "--throttle-rate", "0.2", "--quota", "100",
		"--instance", "acme", "--api-key", "k"})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Instance: "acme", APIKey: "k", Seed: 9, Customers: 50000, Products: 7, Users: 3, Orders: 10,
		Faults: Faults{Latency: 50 * time.Millisecond, FailRate: 0.1, ThrottleRate: 0.2, QuotaLimit: 100}}
	if o != want {
		t.Errorf("parsed %+v\nwant %+v", o, want)
	}
}

func TestZeroOptionsMeanDemo(t *testing.T) {
	o := Options{Now: testNow}.withDefaults()
	if o.Customers != DefaultCustomers || o.Products != DefaultProducts || o.Users != DefaultUsers || o.Orders != DefaultOrders ||
		o.Seed != DefaultSeed || o.Instance != DefaultInstance || o.APIKey != DefaultAPIKey {
		t.Errorf("withDefaults: %+v", o)
	}
}
