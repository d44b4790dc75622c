package sim

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Custom field types, spelt as the API sends them.
const (
	tText          = "Text Field"
	tNumber        = "Number Field"
	tDateTime      = "Date Time Field"
	tSingleEnum    = "Single Value Enumeration Field"
	tMultiEnum     = "Multi Value Enumeration Field"
	tSingleHier    = "Single Value Hierarchical Enumeration Field"
	tMultiHier     = "Multi Value Hierarchical Enumeration Field"
	tAddress       = "Address Field"
	tSingleLookup  = "Single Value Lookup Entity Field"
	tMultiLookup   = "Multi Value Lookup Entity Field"
	tImages        = "Images Field"
	tSignature     = "Signature Field"
	tSketch        = "Sketch Field"
	tDivider       = "Divider Field"
	tLabel         = "Label Field"
	formCustomer   = -1
	formProduct    = -3
	formTypeStatic = "Static"
)

type enumValue struct {
	id     int64
	label  string
	parent int64 // 0: top level
	// commentField, when set, is the field that must hold a comment if this
	// value is chosen (the spec's CustomFieldEnumeratorComment).
	commentField int64
}

type fieldDef struct {
	id       int64
	name     string
	typ      string
	required bool
	enums    []enumValue
	opts     []string // choices(), computed once
	// gen makes a value; nil means the default for the type.
	gen func(rng *rand.Rand, c valueCtx) string
}

type formDef struct {
	id         int64
	name       string
	typ        string
	active     bool
	users      []int64
	recipients string
	modified   time.Time
	fields     []fieldDef
}

type formSet struct {
	all                                                  []*formDef
	customer, product, order, quote, credit, visit, poll *formDef
}

// valueCtx is what a value generator may draw on.
type valueCtx struct {
	at    time.Time
	place place
	users []userInfo
	id    int64 // the record's id, for values that must not draw from the rng
}

// reorderLevel is a product's "Reorder Level" in base units: 20 to 200,
// unset for one product in nine. The stock levels (0 to 399 per unit) then
// leave some products below it in some warehouses.
func reorderLevel(_ *rand.Rand, c valueCtx) string {
	if c.id%9 == 0 {
		return ""
	}
	return strconv.FormatInt(20+20*(c.id%10), 10)
}

// Awkward but realistic free text: commas, quotes, newlines, a leading `=`
// (spreadsheet injection), non-ASCII, and the empty string meaning "not set".
var awkwardTexts = []string{
	"Prefers deliveries before 10am, not on Fridays",
	`Owner says "phone first"`,
	"Gate code 4471\nAsk for Sam at reception",
	`=HYPERLINK("http://example.com","click")`,
	"+27 11 555 0100",
	"Naïve café – pays cash; 50% deposit",
	"Backorder: 2x \"Crème Soda\", 1x Rooibos",
	"",
}

// enumsFrom numbers plain labels from next.
func enumsFrom(next *int64, labels ...string) []enumValue {
	out := make([]enumValue, len(labels))
	for i, l := range labels {
		*next++
		out[i] = enumValue{id: *next, label: l}
	}
	return out
}

// hierEnums builds parent/child values from "Parent/Child" pairs.
func hierEnums(next *int64, tree map[string][]string, order []string) []enumValue {
	var out []enumValue
	for _, parent := range order {
		*next++
		pid := *next
		out = append(out, enumValue{id: pid, label: parent})
		for _, child := range tree[parent] {
			*next++
			out = append(out, enumValue{id: *next, label: child, parent: pid})
		}
	}
	return out
}

// buildForms lays out the instance's forms. Between them they use every
// field type, awkward names (brackets, accents, a leading digit, "Notes" on
// several forms) and awkward labels (a comma, hierarchical "Parent - Child").
func buildForms(rng *rand.Rand, now time.Time, users []userInfo) formSet {
	var enumID int64 = 1000
	areas := hierEnums(&enumID, map[string][]string{
		"Gauteng":       {"Johannesburg", "Pretoria", "East Rand"},
		"Western Cape":  {"Cape Town", "Stellenbosch"},
		"KwaZulu-Natal": {"Durban", "Pietermaritzburg"},
	}, []string{"Gauteng", "Western Cape", "KwaZulu-Natal"})
	brands := hierEnums(&enumID, map[string][]string{
		"Beverages": {"Soft Drinks", "Juice", "Rooibos"},
		"Snacks":    {"Chips", "Biltong"},
		"Household": {"Cleaning", "Laundry"},
	}, []string{"Beverages", "Snacks", "Household"})
	reasons := enumsFrom(&enumID, "Damaged", "Expired", "Wrong item, returned")
	reasons[2].commentField = 223

	fs := formSet{}
	fs.customer = &formDef{id: formCustomer, name: "Customer", typ: formTypeStatic, active: true,
		fields: []fieldDef{
			{id: 101, name: "Credit Limit (R)", typ: tNumber, gen: func(rng *rand.Rand, _ valueCtx) string {
				return pick(rng, []string{"5000", "12500", "25000", "50000", "100000", "7500.5", "0", ""})
			}},
			{id: 102, name: "Customer Type", typ: tSingleEnum, required: true,
				enums: enumsFrom(&enumID, "Retail, Independent", "Retail Chain", "Wholesale", "Hospitality", "Spaza Shop")},
			{id: 103, name: "Région", typ: tText, gen: func(rng *rand.Rand, c valueCtx) string {
				if chance(rng, 0.05) {
					return ""
				}
				return c.place.province
			}},
			{id: 104, name: "2nd Rep", typ: tSingleLookup},
			{id: 105, name: "Delivery Address", typ: tAddress},
			{id: 106, name: "Trading Days", typ: tMultiEnum,
				enums: enumsFrom(&enumID, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday, Public Holidays")},
			{id: 107, name: "Account Opened", typ: tDateTime},
			{id: 108, name: "Notes", typ: tText},
			{id: 109, name: "Sales Area", typ: tSingleHier, enums: areas},
			{id: 110, name: "Brands Stocked", typ: tMultiHier, enums: brands},
			{id: 111, name: "Key Account Managers", typ: tMultiLookup},
			{id: 112, name: "Shop Front", typ: tImages},
			{id: 113, name: "Finance", typ: tDivider},
		}}
	fs.product = &formDef{id: formProduct, name: "Product", typ: formTypeStatic, active: true,
		fields: []fieldDef{
			{id: 301, name: "Brand", typ: tSingleEnum, enums: enumsFrom(&enumID, "Karoo Fresh", "Umoya", "Blue Crane", "House Brand")},
			{id: 302, name: "Pack Size (ml)", typ: tNumber, gen: func(rng *rand.Rand, _ valueCtx) string {
				return pick(rng, []string{"330", "500", "750", "1000", "2000", ""})
			}},
			{id: 303, name: "Barcode", typ: tText, gen: func(rng *rand.Rand, _ valueCtx) string {
				return "600" + strconv.Itoa(1_000_000_000+rng.IntN(8_999_999_999))
			}},
			{id: 304, name: "Launch Date", typ: tDateTime},
			// Added after the rest: derived from the product id, not drawn
			// from rng, so every other seeded value stays where it was.
			{id: 305, name: "Reorder Level", typ: tNumber, gen: reorderLevel},
		}}
	fs.order = &formDef{id: 11, name: "Order Details", typ: "Order", active: true,
		recipients: "sales@demo-company.example",
		fields: []fieldDef{
			{id: 201, name: "Delivery Date", typ: tDateTime, gen: func(rng *rand.Rand, c valueCtx) string {
				return stamp(rng, c.at.AddDate(0, 0, 1+rng.IntN(7)))
			}},
			{id: 202, name: "PO Number", typ: tText, gen: func(rng *rand.Rand, _ valueCtx) string {
				switch rng.IntN(10) {
				case 0:
					return ""
				case 1:
					return "=PO-" + strconv.Itoa(10000+rng.IntN(90000))
				}
				return "PO-" + strconv.Itoa(10000+rng.IntN(90000))
			}},
			{id: 203, name: "Payment Terms", typ: tSingleEnum, required: true,
				enums: enumsFrom(&enumID, "COD", "30 Days", "60 Days, EOM")},
			{id: 204, name: "Notes", typ: tText},
			{id: 205, name: "Customer Signature", typ: tSignature},
			{id: 206, name: "Deliveries are made within 3 working days", typ: tLabel},
		}}
	fs.quote = &formDef{id: 12, name: "Quote Details", typ: "Quote", active: true,
		fields: []fieldDef{
			{id: 211, name: "Valid Until", typ: tDateTime, gen: func(rng *rand.Rand, c valueCtx) string {
				return stamp(rng, c.at.AddDate(0, 0, 14+rng.IntN(30)))
			}},
			{id: 212, name: "Probability (%)", typ: tNumber, gen: func(rng *rand.Rand, _ valueCtx) string {
				return strconv.Itoa(10 * rng.IntN(11))
			}},
			{id: 213, name: "Notes", typ: tText},
		}}
	fs.credit = &formDef{id: 13, name: "Credit Request Details", typ: "CreditRequest", active: true,
		fields: []fieldDef{
			{id: 221, name: "Reason", typ: tSingleEnum, required: true, enums: reasons},
			{id: 222, name: "Photos", typ: tImages},
			{id: 223, name: "Notes", typ: tText},
		}}
	fs.visit = &formDef{id: 14, name: "Store Visit", typ: "Visit", active: true,
		fields: []fieldDef{
			{id: 231, name: "Shelf Share (%)", typ: tNumber, gen: func(rng *rand.Rand, _ valueCtx) string {
				return strconv.FormatFloat(round2(rng.Float64()*60), 'f', -1, 64)
			}},
			{id: 232, name: "Competitor Activity", typ: tMultiEnum,
				enums: enumsFrom(&enumID, "Price promotion", "New listing", "Display, gondola end", "None")},
			{id: 233, name: "Store Layout", typ: tSketch},
			{id: 234, name: "Merchandising", typ: tDivider},
			{id: 235, name: "Follow-up Needed", typ: tSingleEnum, enums: enumsFrom(&enumID, "Yes", "No")},
			{id: 236, name: "Visit Notes", typ: tText},
			{id: 237, name: "Ranges Checked", typ: tMultiHier, enums: brands},
		}}
	fs.poll = &formDef{id: 15, name: "Competitor Price Survey", typ: "Standalone", active: true,
		fields: []fieldDef{
			{id: 241, name: "Competitor", typ: tText, gen: func(rng *rand.Rand, _ valueCtx) string {
				return pick(rng, []string{"Checkers", "Pick n Pay", "Makro", "Shoprite, Usave", ""})
			}},
			{id: 242, name: "Observed Price", typ: tNumber, gen: func(rng *rand.Rand, _ valueCtx) string {
				return strconv.FormatFloat(round2(5+rng.Float64()*200), 'f', -1, 64)
			}},
			{id: 243, name: "Observed On", typ: tDateTime},
			{id: 244, name: "Reported To", typ: tMultiLookup},
		}}
	// Forms that exist in every instance but are not results anyone reports on.
	stockTake := &formDef{id: 16, name: "Stock Take (2024)", typ: "Visit", active: false,
		fields: []fieldDef{{id: 251, name: "Count", typ: tNumber}}}
	dropbox := &formDef{id: 17, name: "Dropbox", typ: formTypeStatic, active: true,
		fields: []fieldDef{{id: 261, name: "File", typ: tImages}}}
	services := &formDef{id: 18, name: "SkynamoServices", typ: formTypeStatic, active: true,
		fields: []fieldDef{{id: 271, name: "Service Key", typ: tText}}}
	// A form only some reps may use.
	if len(users) >= 3 {
		fs.poll.users = []int64{users[0].id, users[1].id, users[2].id}
	}
	fs.all = []*formDef{fs.product, fs.customer, fs.order, fs.quote, fs.credit, fs.visit, fs.poll, stockTake, dropbox, services}
	for i, f := range fs.all {
		f.modified = now.AddDate(0, -3-i, -rng.IntN(28))
		for j := range f.fields {
			f.fields[j].opts = f.fields[j].choices()
		}
	}
	return fs
}

func (sd *seeder) seedForms(rng *rand.Rand) {
	sd.forms = buildForms(rng, sd.now, sd.users)
	for _, f := range sd.forms.all {
		fields := make([]obj, len(f.fields))
		for i, fd := range f.fields {
			var enums any
			if len(fd.enums) > 0 {
				vals := make([]obj, len(fd.enums))
				for j, e := range fd.enums {
					var comment any
					if e.commentField != 0 {
						comment = obj{{"required", true}, {"required_custom_field_id", e.commentField}}
					}
					vals[j] = obj{{"id", e.id}, {"label", e.label}, {"parent_id", nullable(e.parent, e.parent != 0)}, {"comment", comment}}
				}
				enums = vals
			}
			fields[i] = obj{{"id", fd.id}, {"name", fd.name}, {"required", fd.required}, {"type", fd.typ}, {"enumeration_values", enums}}
		}
		users := f.users
		if users == nil {
			users = []int64{}
		}
		sd.add("formdefinitions", f.id, obj{
			{"id", f.id}, {"name", f.name}, {"type", f.typ}, {"recipients", nullable(f.recipients, f.recipients != "")},
			{"users", users}, {"last_modified_time", stamp(rng, f.modified)}, {"active", f.active},
			{"custom_fields", fields},
		}, time.Time{})
	}
}

// values fills every field of a form for one record, as the API sends them:
// every field present, "" where nothing was entered.
func (f *formDef) values(rng *rand.Rand, c valueCtx) []customField {
	out := make([]customField, len(f.fields))
	for i := range f.fields {
		fd := &f.fields[i]
		out[i] = customField{id: fd.id, name: fd.name, value: fd.value(rng, c)}
	}
	return out
}

func (fd *fieldDef) value(rng *rand.Rand, c valueCtx) string {
	if fd.gen != nil {
		return fd.gen(rng, c)
	}
	if !fd.required && fd.typ != tDivider && fd.typ != tLabel && chance(rng, 0.07) {
		return ""
	}
	switch fd.typ {
	case tText:
		return pick(rng, awkwardTexts)
	case tNumber:
		return strconv.Itoa(rng.IntN(500))
	case tDateTime:
		return stamp(rng, c.at.AddDate(0, 0, -rng.IntN(400)))
	case tSingleEnum, tSingleHier:
		return pick(rng, fd.opts)
	case tMultiEnum, tMultiHier:
		choices := fd.opts
		n := 1 + rng.IntN(min(3, len(choices)))
		// The app lists chosen labels in the field's order.
		idx := rng.Perm(len(choices))[:n]
		slices.Sort(idx)
		picked := make([]string, 0, n)
		for _, i := range idx {
			picked = append(picked, choices[i])
		}
		return strings.Join(picked, ",")
	case tAddress:
		p := c.place
		return strconv.Itoa(1+rng.IntN(250)) + " " + pick(rng, streetNames) + "\n" + p.city + "\n" + p.province + "\n" + p.zip
	case tSingleLookup:
		return strconv.FormatInt(pick(rng, c.users).id, 10)
	case tMultiLookup:
		n := 1 + rng.IntN(min(2, len(c.users)))
		ids := make([]string, 0, n)
		for _, i := range rng.Perm(len(c.users))[:n] {
			ids = append(ids, strconv.FormatInt(c.users[i].id, 10))
		}
		return strings.Join(ids, ",")
	case tImages, tSignature, tSketch:
		if chance(rng, 0.5) {
			return ""
		}
		return guid(rng)
	}
	return "" // Divider and Label fields hold nothing
}

// choices are the labels a value may read as: plain labels, or for
// hierarchical fields "Parent - Child" for each child.
func (fd *fieldDef) choices() []string {
	labels := make(map[int64]string, len(fd.enums))
	hasChildren := make(map[int64]bool)
	for _, e := range fd.enums {
		labels[e.id] = e.label
		if e.parent != 0 {
			hasChildren[e.parent] = true
		}
	}
	var out []string
	for _, e := range fd.enums {
		switch {
		case e.parent != 0:
			out = append(out, labels[e.parent]+" - "+e.label)
		case !hasChildren[e.id]:
			out = append(out, e.label)
		}
	}
	return out
}
