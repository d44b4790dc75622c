package skynamo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IdentifierRule explains, for users, how custom field names become
// identifiers. It is kept as text so the README and --help can quote it.
const IdentifierRule = `Custom fields are named by their display name (custom["Credit Limit (R)"]) or by an
identifier an editor can complete (custom.credit_limit_r). The identifier is the display
name with accents removed (é -> e, ß -> ss, Ł -> l), every run of other characters than
A-Z, a-z and 0-9 turned into one "_", "_" trimmed from both ends, lower-cased, and "_" put
in front of a leading digit:
    "Credit Limit (R)" -> credit_limit_r    "Région" -> region    "2nd Rep" -> _2nd_rep
A name with no letters or digits left becomes field_<fieldId>. When two fields of the same
record kind get the same identifier (the same name on two order forms, say), both get
_<fieldId> appended (notes_31, notes_42); their display name then means the first of them
by form id and field id, and the other's value is kept under "Notes #42". The older SDK's
names c<fieldId>_<Name> and f<formId>_c<fieldId>_<Name> keep working; they are matched by
the ids, so they survive a renamed field.`

// Identifier turns a display name into an identifier by IdentifierRule. It
// returns "" for a name without letters or digits; a FieldSet then uses
// field_<fieldId>.
func Identifier(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pendingSep := false
	put := func(s string) {
		if pendingSep && b.Len() > 0 {
			b.WriteByte('_')
		}
		pendingSep = false
		b.WriteString(s)
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			put(string(r))
		case r >= 'A' && r <= 'Z':
			put(string(r + ('a' - 'A')))
		case r >= 0x300 && r <= 0x36F:
			// A combining accent (a name typed in NFD form): drop it, as NFD
			// stripping would, without splitting the word.
		case r >= foldFirst && int(r-foldFirst) < len(foldTable) && foldTable[r-foldFirst] != "":
			put(foldTable[r-foldFirst])
		default:
			pendingSep = true
		}
	}
	id := b.String()
	if id != "" && id[0] >= '0' && id[0] <= '9' {
		id = "_" + id
	}
	return id
}

// foldTable holds the lower-case ASCII spelling of U+00C0..U+017F (Latin-1
// Supplement and Latin Extended-A): what NFD decomposition followed by
// dropping the accents gives, plus the letters NFD leaves alone (Æ, Ø, Ł,
// ß, Þ, ...). "" marks the two symbols of the range (× and ÷). The module
// cannot use golang.org/x/text, and names of South African and European
// fields need nothing beyond this range.
const foldFirst = 0xC0

var foldTable = [...]string{
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // U+00C0
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss", // U+00D0
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // U+00E0
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y", // U+00F0
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d", // U+0100
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g", // U+0110
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i", // U+0120
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", // U+0130
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o", // U+0140
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", // U+0150
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", // U+0160
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s", // U+0170
}

// LegacyIdentifier is the older SDK's name of a field: c<fieldId>_<Name>,
// or f<formId>_c<fieldId>_<Name> on transactions (formID != 0), with every
// character other than A-Z, a-z, 0-9 and _ replaced by _.
func LegacyIdentifier(formID, fieldID int64, name string) string {
	s := fmt.Sprintf("c%d_%s", fieldID, name)
	if formID != 0 {
		s = fmt.Sprintf("f%d_%s", formID, s)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < utf8.RuneSelf && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			out = append(out, byte(r))
		} else {
			out = append(out, '_')
		}
		i += size
	}
	return string(out)
}

// parseLegacyIdentifier reads the ids out of c<fieldId>[_<Name>] and
// f<formId>_c<fieldId>[_<Name>]; a negative form id may appear as f-1 or,
// sanitised, f_1. formID is 0 when the name carries none.
func parseLegacyIdentifier(s string) (formID, fieldID int64, ok bool) {
	s = strings.TrimPrefix(s, "_")
	if strings.HasPrefix(s, "f") {
		rest := s[1:]
		neg := false
		if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "_") {
			neg, rest = true, rest[1:]
		}
		n, rest, ok := leadingInt(rest)
		if !ok || !strings.HasPrefix(rest, "_") {
			return 0, 0, false
		}
		if neg {
			n = -n
		}
		formID, s = n, rest[1:]
	}
	if !strings.HasPrefix(s, "c") {
		return 0, 0, false
	}
	fieldID, rest, ok := leadingInt(s[1:])
	if !ok || (rest != "" && rest[0] != '_') {
		return 0, 0, false
	}
	return formID, fieldID, true
}

func leadingInt(s string) (int64, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	return n, s[i:], err == nil
}

// SuggestNames returns up to n of the candidates closest to query by edit
// distance, ignoring case; only candidates close enough to be a plausible
// typo, or that start with the query (a name cut short), are returned,
// closest first.
func SuggestNames(query string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	q := []rune(strings.ToLower(query))
	limit := len(q)/3 + 1 // typos, not different words: "x" is not close to "run"
	seen := map[string]bool{}
	var found []scored
	for _, c := range candidates {
		if seen[c] || c == "" {
			continue
		}
		seen[c] = true
		lc := strings.ToLower(c)
		d := editDistance(q, []rune(lc))
		if d <= limit || len(q) >= 3 && strings.HasPrefix(lc, string(q)) {
			found = append(found, scored{c, d})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	var out []string
	for i := 0; i < len(found) && i < n; i++ {
		out = append(out, found[i].name)
	}
	return out
}

// TypoOf returns the candidates query is a slip away from, closest first:
// other case only, or one letter added, dropped, changed or two swapped,
// ignoring case. It decides whether a name is a mistake to stop for, so a
// script's own keys must not count: a prefix ("total" of total_amount), a
// name that extends a candidate at either end ("customer" beside custom,
// "dates" beside date, "inactive" beside active) and a singular of a
// plural ("item" of items) are words of their own, not slips. Below five
// letters one other letter makes another word too often (data and date,
// mode and code), so only swapped letters count there ("nmae"); and a
// name with another first letter is another word ("miles", "files").
func TypoOf(query string, candidates []string) []string {
	q := strings.ToLower(query)
	if q == "" {
		return nil
	}
	short := len([]rune(q)) < 5
	var out []string
	for _, near := range SuggestNames(query, candidates, 3) {
		lc := strings.ToLower(near)
		switch {
		case near == query:
			continue
		case lc == q: // case only
		case strings.HasPrefix(q, lc), strings.HasSuffix(q, lc), lc == q+"s":
			continue
		case strings.HasPrefix(lc, q) && len(lc)-len(q) > 1:
			continue
		case short && !isSwap(q, lc), !short && editDistance([]rune(q), []rune(lc)) > 1:
			continue
		case q[0] != lc[0] && !isSwap(q, lc):
			continue // slips keep the first letter; "miles" is not "files"
		}
		out = append(out, near)
	}
	return out
}

// isSwap says whether b is a with two neighbouring letters swapped.
func isSwap(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	for i := 0; i+1 < len(ra); i++ {
		if ra[i] != rb[i] {
			return ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
		}
	}
	return false
}

// editDistance is the Levenshtein distance in runes, counting a swap of two
// neighbouring letters ("rnu" for "run") as one edit, the commonest typo.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// FieldSet is the set of custom fields visible on one kind of record; all
// records of that kind share it. Customers see form -1, products form -3,
// orders, quotes and credit requests every active form of their type, a
// completed form the fields of its form.
type FieldSet struct {
	Kind     string   // for messages: "form -1 (Customer)", "Order forms"
	FormType string   // the transaction form type of an orders/quotes/credit requests set
	Forms    []*Form  // the forms whose fields the set holds, by id
	Fields   []*Field // by form id, then in the form's own order

	byName      map[string]*Field // display names, keys and identifiers
	byFormField map[[2]int64]*Field
	byFieldID   map[int64]*Field // the first by form id when ids repeat across forms
	forms       map[int64]bool
}

func newFieldSet(kind string, forms []*Form) *FieldSet {
	fs := &FieldSet{
		Kind:        kind,
		Forms:       forms,
		byName:      map[string]*Field{},
		byFormField: map[[2]int64]*Field{},
		byFieldID:   map[int64]*Field{},
		forms:       map[int64]bool{},
	}
	for _, form := range forms {
		fs.forms[form.ID] = true
		for _, f := range form.Fields {
			c := *f
			fs.Fields = append(fs.Fields, &c)
		}
	}
	sort.SliceStable(fs.Fields, func(i, j int) bool { return fs.Fields[i].FormID < fs.Fields[j].FormID })
	fs.assignNames()
	for _, f := range fs.Fields {
		fs.byFormField[[2]int64{f.FormID, f.ID}] = f
		if _, ok := fs.byFieldID[f.ID]; !ok {
			fs.byFieldID[f.ID] = f
		}
	}
	return fs
}

// assignNames gives every field its Ident and Key (IdentifierRule) and fills
// the name index: display names win over keys, keys over identifiers.
func (fs *FieldSet) assignNames() {
	// "First" among fields sharing a name is by form id, then field id.
	byIdentity := append([]*Field(nil), fs.Fields...)
	sort.SliceStable(byIdentity, func(i, j int) bool {
		a, b := byIdentity[i], byIdentity[j]
		if a.FormID != b.FormID {
			return a.FormID < b.FormID
		}
		return a.ID < b.ID
	})

	identCount := map[string]int{}
	for _, f := range byIdentity {
		f.Ident = Identifier(f.Name)
		if f.Ident == "" {
			f.Ident = fmt.Sprintf("field_%d", f.ID)
		}
		identCount[f.Ident]++
	}
	for _, f := range byIdentity {
		if identCount[f.Ident] > 1 {
			f.Ident = fmt.Sprintf("%s_%d", f.Ident, f.ID)
		}
	}
	// A suffixed identifier can still meet another field's ("Notes 12" next
	// to two "Notes", one with id 12); the older SDK's form is unique per
	// form and field, so it settles what is left.
	clear(identCount)
	for _, f := range byIdentity {
		identCount[f.Ident]++
	}
	for _, f := range byIdentity {
		if identCount[f.Ident] > 1 {
			f.Ident = strings.ToLower(LegacyIdentifier(f.FormID, f.ID, f.Name))
		}
	}

	seenName := map[string]bool{}
	for _, f := range byIdentity {
		f.Key = f.Name
		if seenName[f.Name] {
			f.Key = fmt.Sprintf("%s #%d", f.Name, f.ID)
		}
		seenName[f.Name] = true
	}
	for _, f := range byIdentity {
		if _, ok := fs.byName[f.Name]; !ok {
			fs.byName[f.Name] = f
		}
	}
	for _, f := range byIdentity {
		if _, ok := fs.byName[f.Key]; !ok {
			fs.byName[f.Key] = f
		}
	}
	for _, f := range byIdentity {
		if _, ok := fs.byName[f.Ident]; !ok {
			fs.byName[f.Ident] = f
		}
	}
}

// Lookup finds a field by display name, by Key or by identifier (see
// IdentifierRule), or by the older SDK's c<fieldId>_<Name> and
// f<formId>_c<fieldId>_<Name>. A display name shared by two fields finds the
// first by form id and field id.
func (fs *FieldSet) Lookup(name string) (*Field, bool) {
	if fs == nil {
		return nil, false
	}
	if f, ok := fs.byName[name]; ok {
		return f, true
	}
	formID, fieldID, ok := parseLegacyIdentifier(name)
	if !ok {
		return nil, false
	}
	if formID != 0 {
		f, ok := fs.byFormField[[2]int64{formID, fieldID}]
		return f, ok
	}
	f, ok := fs.byFieldID[fieldID]
	return f, ok
}

// Suggest returns up to three display names or identifiers close to name,
// for "unknown field" errors.
func (fs *FieldSet) Suggest(name string) []string {
	if fs == nil {
		return nil
	}
	var names []string
	for _, f := range fs.Fields {
		names = append(names, f.Name, f.Ident)
	}
	return SuggestNames(name, names, 3)
}

// Field returns the field with the given id on the given form, or nil.
func (fs *FieldSet) Field(formID, fieldID int64) *Field {
	if fs == nil {
		return nil
	}
	return fs.byFormField[[2]int64{formID, fieldID}]
}

// FieldByID returns the field with the given id, the first by form id when
// two forms of the set use the same id; nil when there is none.
func (fs *FieldSet) FieldByID(fieldID int64) *Field {
	if fs == nil {
		return nil
	}
	return fs.byFieldID[fieldID]
}

// HasForm reports whether the set holds the fields of the given form.
func (fs *FieldSet) HasForm(formID int64) bool { return fs != nil && fs.forms[formID] }
