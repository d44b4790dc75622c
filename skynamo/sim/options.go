package sim

import (
	"time"

	"github.com/spf13/pflag"
)

// Demo defaults: big enough that reports over "the last 90 days" have
// something in every week, small enough to pull in a second.
const (
	DefaultInstance  = "demo"
	DefaultAPIKey    = "demo-key"
	DefaultSeed      = 1
	DefaultCustomers = 300
	DefaultProducts  = 40
	DefaultUsers     = 8
	DefaultOrders    = 1200
)

// Options configure a simulated instance. Zero sizes mean the demo defaults.
type Options struct {
	Instance string    // accepted x-api-client; default "demo"
	APIKey   string    // accepted x-api-key; default "demo-key"
	Seed     int64     // default 1; same seed+sizes+Now => same data
	Now      time.Time // zero => time.Now() at New; dates are laid out relative to it

	Customers, Products, Users, Orders int

	Faults
	Behaviour
}

// Faults make the simulator misbehave the way the real gateway does under
// load or when a token's usage plan runs out.
type Faults struct {
	Latency      time.Duration // added to every request
	FailRate     float64       // fraction of requests answered 502
	ThrottleRate float64       // fraction answered 429 {"message":"Too Many Requests"}
	QuotaLimit   int           // >0: request number QuotaLimit+1 onward answers 429 {"message":"Limit Exceeded"}; throttled requests do not count
}

// AddFlags registers the options of `skynamo sim`.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Instance, "instance", DefaultInstance, "instance name accepted in the x-api-client header")
	fs.StringVar(&o.APIKey, "api-key", DefaultAPIKey, "token accepted in the x-api-key header")
	fs.Int64Var(&o.Seed, "seed", DefaultSeed, "seed of the generated data (same seed and sizes give the same data)")
	fs.IntVar(&o.Customers, "customers", DefaultCustomers, "number of customers")
	fs.IntVar(&o.Products, "products", DefaultProducts, "number of products")
	fs.IntVar(&o.Users, "users", DefaultUsers, "number of users")
	fs.IntVar(&o.Orders, "orders", DefaultOrders, "number of orders (quotes and credit requests scale with it)")
	fs.DurationVar(&o.Latency, "latency", 0, "delay added to every request, e.g. 50ms")
	fs.Float64Var(&o.FailRate, "fail-rate", 0, "fraction of requests answered 502")
	fs.Float64Var(&o.ThrottleRate, "throttle-rate", 0, "fraction of requests answered 429 Too Many Requests")
	fs.IntVar(&o.QuotaLimit, "quota", 0, "after this many requests every request answers 429 Limit Exceeded (0 = no quota)")
	fs.Float64Var(&o.RateLimit, "rate-limit", 0, "requests per second allowed before 429 Too Many Requests (token bucket; 0 = unlimited)")
	fs.IntVar(&o.Burst, "burst", 0, "requests allowed at once above --rate-limit (0 = the rate, at least 1)")
	fs.IntVar(&o.RetryAfter, "retry-after", 0, "send Retry-After: `SECONDS` with throttling 429s (0 = no header)")
	fs.BoolVar(&o.UnstableOrder, "unstable-order", false, "order lists by last_modified_time, so changed records move to the end")
	fs.BoolVar(&o.NewNotAtEnd, "new-not-at-end", false, "give new records ids below the existing ones")
	fs.BoolVar(&o.LegacyVersion, "legacy-version", false, "send versioned records' row_version as version, as the 2023 API did")
	fs.IntVar(&o.MaxWriteItems, "max-write-items", 0, "answer writes of more items than this with 400 (0 = no limit)")
	fs.BoolVar(&o.ApplyValidOnError, "apply-valid-on-error", false, "a write with invalid items still saves its valid ones (default: the 400 rejects the whole request)")
	fs.Float64Var(&o.CommitThenFail, "commit-then-fail", 0, "fraction of successful writes saved and then answered 502 or with a dropped connection")
	fs.Var((*churnFlag)(&o.Churn), "churn", "change COLLECTION before every list page after the first, e.g. customers:2:5:1 (`COLLECTION:INSERTS:UPDATES:DELETES`)")
}

// withDefaults fills unset options; negative sizes count as unset too, so a
// typo on the command line cannot produce an empty instance.
func (o Options) withDefaults() Options {
	if o.Instance == "" {
		o.Instance = DefaultInstance
	}
	if o.APIKey == "" {
		o.APIKey = DefaultAPIKey
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	o.Customers = def(o.Customers, DefaultCustomers)
	o.Products = def(o.Products, DefaultProducts)
	o.Users = def(o.Users, DefaultUsers)
	o.Orders = def(o.Orders, DefaultOrders)
	return o
}
