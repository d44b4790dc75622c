package sim

import (
	"cmp"
	"io"
	"slices"
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
		"--instance", "acme", "--api-key", "k",
		"--rate-limit", "2.5", "--burst", "4", "--retry-after", "3", "--unstable-order", "--new-not-at-end",
		"--legacy-version", "--churn", "scheduled_visits:1:2:3"})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Instance: "acme", APIKey: "k", Seed: 9, Customers: 50000, Products: 7, Users: 3, Orders: 10,
		Faults: Faults{Latency: 50 * time.Millisecond, FailRate: 0.1, ThrottleRate: 0.2, QuotaLimit: 100},
		Behaviour: Behaviour{RateLimit: 2.5, Burst: 4, RetryAfter: 3, UnstableOrder: true, NewNotAtEnd: true, LegacyVersion: true,
			Churn: Churn{Collection: "scheduledvisits", Inserts: 1, Updates: 2, Deletes: 3}}}
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

func TestChurnFlag(t *testing.T) {
	for _, bad := range []string{"customers", "customers:1:2", "nothing:1:1:1", "customers:1:x:0", "customers:-1:0:0"} {
		var o Options
		fs := pflag.NewFlagSet("sim", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.AddFlags(fs)
		if err := fs.Parse([]string{"--churn", bad}); err == nil {
			t.Errorf("--churn %s accepted: %+v", bad, o.Churn)
		}
	}
	c := churnFlag{Collection: "orders", Inserts: 2}
	if c.String() != "orders:2:0:0" {
		t.Errorf("String() = %q", c.String())
	}
}

func TestBehaviourFromOptions(t *testing.T) {
	o := smallOptions()
	o.Behaviour = Behaviour{LegacyVersion: true, UnstableOrder: true}
	s := New(o)
	recs := s.Records("customers")
	if _, ok := recs[0]["version"]; !ok {
		t.Error("LegacyVersion from Options not applied")
	}
	if slices.IsSortedFunc(recs, func(a, b map[string]any) int { return cmp.Compare(idOf(t, a), idOf(t, b)) }) {
		t.Error("UnstableOrder from Options not applied")
	}
}

func TestUnknownCollectionsPanic(t *testing.T) {
	s := New(smallOptions())
	for name, f := range map[string]func(){
		"Mutate":       func() { s.Mutate("nothing", 1, 0, 0) },
		"SetBehaviour": func() { s.SetBehaviour(Behaviour{Churn: Churn{Collection: "nothing", Inserts: 1}}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of an unknown collection did not panic", name)
				}
			}()
			f()
		}()
	}
}
