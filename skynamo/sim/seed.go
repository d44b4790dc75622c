package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// instanceZone is the demo instance's local time (South Africa, no DST), so
// every date-time reads with a +02:00 offset as the real API's do.
var instanceZone = time.FixedZone("SAST", 2*60*60)

// Random streams. Each family of data draws from its own stream so that,
// say, asking for more orders leaves the customers unchanged.
const (
	streamReference uint64 = iota + 1
	streamCatalog
	streamCustomers
	streamTransactions
	streamActivity
	streamVersions
	streamTouch
	streamFaults
	streamMutate
)

// seeder builds the demo instance. It lives only during New.
type seeder struct {
	o   Options
	loc *time.Location
	now time.Time
	st  *store

	cols      map[string][]*record
	versioned []versionedRec

	users      []userInfo
	warehouses []warehouseInfo
	taxRates   []taxInfo
	priceLists []priceListInfo
	products   []productInfo
	customers  []customerInfo
	orders     []orderInfo
	forms      formSet
	// visitsByCustomer lets scheduled visits point at the visit that completed them.
	visitsByCustomer map[int64][]visitRef
	// Products are numbered within their category and order units across
	// products; Mutate's inserts carry on from the seeded ones.
	perCategory []int
	unitID      int64
	// invoiceCount numbers invoices (reference, external id).
	invoiceCount int
}

// versionedRec remembers when a versioned record last changed; row_versions
// are handed out in that order once everything exists, so a row_version pull
// returns records in the order they changed, as in a real database.
type versionedRec struct {
	at  int64 // UnixNano; a plain integer keeps the big sort cheap
	seq int   // creation order, breaking ties deterministically
	rec *record
}

// seed builds the instance's store. The seeder is returned too because
// Mutate makes new records with the same helpers and reference data.
func seed(o Options, loc *time.Location) *seeder {
	sd := &seeder{
		o:                o,
		loc:              loc,
		now:              o.Now.In(loc),
		st:               &store{cols: make(map[string]*collection)},
		cols:             make(map[string][]*record),
		visitsByCustomer: make(map[int64][]visitRef),
	}
	ref := sd.rng(streamReference)
	sd.seedReference(ref)
	sd.seedForms(ref)
	sd.seedCatalog(sd.rng(streamCatalog))
	sd.seedCustomers(sd.rng(streamCustomers))
	sd.seedTransactions(sd.rng(streamTransactions))
	sd.seedActivity(sd.rng(streamActivity))
	sd.assignRowVersions(sd.rng(streamVersions))

	for _, ep := range endpoints() {
		sd.st.cols[ep.name] = newCollection(ep.name, sd.cols[ep.name])
	}
	sd.st.invoicesByExternalID = make(map[string]*record)
	for _, r := range sd.st.cols["invoices"].records {
		if v, ok := r.props.get("external_id"); ok && v != nil {
			sd.st.invoicesByExternalID[v.(string)] = r
		}
	}
	sd.invoiceCount = len(sd.st.cols["invoices"].records)
	// The collections own the records now; what add collects from here on
	// is a Mutate insert's.
	sd.cols, sd.versioned = make(map[string][]*record), nil
	return sd
}

func (sd *seeder) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(sd.o.Seed), stream))
}

// add stores a record; versioned ones get a placeholder row_version that
// assignRowVersions fills in.
func (sd *seeder) add(col string, id int64, props obj, modified time.Time) *record {
	r := &record{id: id, props: props}
	sd.cols[col] = append(sd.cols[col], r)
	if _, ok := props.get("row_version"); ok {
		sd.versioned = append(sd.versioned, versionedRec{at: modified.UnixNano(), seq: len(sd.versioned), rec: r})
	}
	return r
}

func (sd *seeder) assignRowVersions(rng *rand.Rand) {
	slices.SortFunc(sd.versioned, func(a, b versionedRec) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
	})
	// Real row_versions are large and shared with tables the API does not
	// show, so they start high and skip numbers.
	sd.st.rowVersion = 4_000_000 + rng.Int64N(1_000_000)
	for _, v := range sd.versioned {
		sd.st.rowVersion += rng.Int64N(3)
		v.rec.props.set("row_version", sd.st.nextRowVersion())
	}
}

// stamp formats t the way the API does: offset always, fractional seconds
// with however many digits the stored value has (none, milliseconds or
// .NET's seven).
func stamp(rng *rand.Rand, t time.Time) string {
	t = t.Truncate(time.Second)
	switch rng.IntN(4) {
	case 0:
	case 1:
		t = t.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
	default:
		t = t.Add(time.Duration(rng.IntN(10_000_000)) * 100)
	}
	return formatTime(t)
}

const wireTime = "2006-01-02T15:04:05.9999999-07:00"

// formatTime is t.Format(wireTime), hand-rolled because a large instance
// formats millions of timestamps while it is built.
func formatTime(t time.Time) string {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return t.Format(wireTime)
	}
	var buf [40]byte
	b := buf[:0]
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	if frac := t.Nanosecond() / 100; frac > 0 {
		digits := 7
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, frac, digits)
	}
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = appendDigits(b, off/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, off%3600/60, 2)
	return string(b)
}

func appendDigits(b []byte, v, width int) []byte {
	var tmp [10]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

// workTime moves t to a plausible moment of a working day (07:30-17:00 local,
// Monday to Saturday), keeping its date unless it falls on a Sunday.
func workTime(rng *rand.Rand, t time.Time) time.Time {
	if t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	y, m, d := t.Date()
	minute := 7*60 + 30 + rng.IntN(9*60+30)
	return time.Date(y, m, d, minute/60, minute%60, rng.IntN(60), 0, t.Location())
}

// later is a moment up to maxSeconds after t, and at least a second after
// it so that its stamp (whose fraction is drawn anew) cannot read earlier;
// it stays before the instance's Now unless t itself is that recent.
func (sd *seeder) later(rng *rand.Rand, t time.Time, maxSeconds int) time.Time {
	l := t.Add(time.Duration(1+rng.IntN(maxSeconds+1)) * time.Second)
	if l.After(sd.now) {
		l = sd.now
	}
	if floor := t.Add(time.Second); l.Before(floor) {
		l = floor
	}
	return l
}

// between returns a time uniformly between a and b.
func between(rng *rand.Rand, a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(rng.Int64N(int64(b.Sub(a)))))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// guid makes a deterministic GUID-shaped string for file references.
func guid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// nullable returns v, or nil (a JSON null) when ok is false.
func nullable[T any](v T, ok bool) any {
	if !ok {
		return nil
	}
	return v
}
