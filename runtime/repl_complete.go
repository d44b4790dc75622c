package runtime

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/chzyer/readline"
	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Tab completion at the prompt. It looks at the text before the cursor
// and offers: module names inside require "…"; globals and keywords; the
// fields of a table reached by a path from a global (reader.cu → customers,
// c[1].custom. → the instance's custom field names); methods after ':'.
// It only ever reads tables raw: completing must not call a function or
// trigger a metamethod (the reader module and records raise on unknown
// names, and a field could be anything).
//
// A custom field name that is not an identifier ("Credit Limit (R)") can
// only be written c[1].custom["Credit Limit (R)"]. The line editor can
// only append to what was typed, so such a completion is a rewrite of the
// text before the cursor, applied by OnChange right after Tab.

// completer completes against the REPL's Lua state. The line editor calls
// it while the state is idle (waiting for the next line), never while a
// chunk runs.
type completer struct {
	L       *lua.LState
	pending *rewrite // set by Do, applied by OnChange for the same Tab
}

// rewrite replaces the text before the cursor.
type rewrite struct {
	source  string // the whole line when Tab was pressed
	newLine []rune
	newPos  int
}

// completion is what complete found for the text before the cursor:
// words that extend the typed prefix, or a replacement of before[from:].
type completion struct {
	prefix string
	words  []string
	from   int    // with replace: where the replaced text starts
	repl   string // non-empty: replace before[from:] with this
}

var (
	pathPattern = `[A-Za-z_]\w*(?:\s*(?:\.\s*[A-Za-z_]\w*|\[\s*\d+\s*\]|\[\s*"[^"]*"\s*\]|\[\s*'[^']*'\s*\]))*`
	requireRe   = regexp.MustCompile(`\brequire\s*\(?\s*(["'])([\w.\-]*)$`)
	bracketRe   = regexp.MustCompile(`(?:^|[^\w.:\])"'])(` + pathPattern + `)\s*\[\s*(["'])([^"'\]]*)$`)
	// The typed part after "." may hold letters no identifier can
	// (custom.Ré<Tab> for "Région"): it is matched, then rewritten.
	memberRe    = regexp.MustCompile(`(?:^|[^\w.:\])"'])(` + pathPattern + `)\s*([.:])\s*([\p{L}\p{N}_]*)$`)
	globalRe    = regexp.MustCompile(`(?:^|[^\w.:\])"'])([A-Za-z_]\w*)$`)
	segmentRe   = regexp.MustCompile(`\.\s*([A-Za-z_]\w*)|\[\s*(\d+)\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*'([^']*)'\s*\]`)
	firstNameRe = regexp.MustCompile(`^[A-Za-z_]\w*`)
)

var replKeywords = []string{"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}

// Do is readline.AutoCompleter: candidates are the text to append, and
// the length of the typed part they extend.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	c.pending = nil
	before := string(line[:pos])
	comp := c.complete(before)
	if comp.repl != "" {
		newBefore := []rune(before[:comp.from] + comp.repl)
		c.pending = &rewrite{
			source:  string(line),
			newLine: append(newBefore, line[pos:]...),
			newPos:  len(newBefore),
		}
		// One empty candidate: the editor appends nothing and leaves
		// completion mode; OnChange then applies the rewrite.
		return [][]rune{{}}, 0
	}
	out := make([][]rune, len(comp.words))
	for i, w := range comp.words {
		out[i] = []rune(w[len(comp.prefix):])
	}
	return out, len([]rune(comp.prefix))
}

// OnChange is readline.Listener: it applies the rewrite Do chose for this Tab.
func (c *completer) OnChange(line []rune, pos int, key rune) ([]rune, int, bool) {
	p := c.pending
	if key == 0 {
		return nil, 0, false
	}
	c.pending = nil
	if key != readline.CharTab || p == nil || string(line) != p.source {
		return nil, 0, false
	}
	return p.newLine, p.newPos, true
}

// complete finds the completions for the text before the cursor.
func (c *completer) complete(before string) completion {
	if m := requireRe.FindStringSubmatch(before); m != nil {
		return prefixed(m[2], c.moduleNames(), m[1])
	}
	if m := bracketRe.FindStringSubmatchIndex(before); m != nil {
		path, quote, prefix := before[m[2]:m[3]], before[m[4]:m[5]], before[m[6]:m[7]]
		v, ok := c.resolve(path)
		if !ok {
			return completion{}
		}
		names := c.keys(v, false)
		comp := prefixed(prefix, names, "")
		switch {
		case len(comp.words) == 1:
			comp.words[0] += quote + "]" // the one name: close the brackets too
		case len(comp.words) == 0:
			// custom["credit<Tab>, custom["reg<Tab>: the names that match
			// ignoring case and accents, or by their identifier.
			switch folded := foldMatches(prefix, names); {
			case len(folded) == 1:
				return completion{from: m[6], repl: folded[0] + quote + "]"}
			case len(folded) > 1:
				if common := commonOf(folded); common != prefix {
					return completion{from: m[6], repl: common}
				}
			}
		}
		// Several names are listed bare: Tab again shows them without the
		// closing quote and bracket each would otherwise carry.
		return comp
	}
	if inStringOrComment(before) {
		return completion{}
	}
	if m := memberRe.FindStringSubmatchIndex(before); m != nil {
		path, sep, prefix := before[m[2]:m[3]], before[m[4]:m[5]], before[m[6]:m[7]]
		v, ok := c.resolve(path)
		if !ok {
			return completion{}
		}
		if sep == ":" {
			return prefixed(prefix, identifiers(c.keys(v, true)), "")
		}
		return c.member(before, m[4], prefix, c.keys(v, false))
	}
	if m := globalRe.FindStringSubmatch(before); m != nil {
		names := identifiers(c.globalNames())
		return prefixed(m[1], append(names, replKeywords...), "")
	}
	return completion{}
}

// member completes t.prefix. Names that are identifiers extend the typed
// text; when a name that matches is not one, the `.prefix` becomes
// `["Name"]` (one match) or `["Common` (several: Tab again lists them).
func (c *completer) member(before string, dot int, prefix string, names []string) completion {
	comp := prefixed(prefix, identifiers(names), "")
	matches := foldMatches(prefix, names)
	quoted := false
	for _, n := range matches {
		quoted = quoted || !isIdentifier(n)
	}
	switch {
	case len(matches) == 0 || (!quoted && len(comp.words) > 0):
		return comp
	case len(matches) == 1 && !quoted:
		return completion{from: len(before) - len(prefix), repl: matches[0]} // case differs
	case len(matches) == 1:
		return completion{from: dot, repl: `["` + matches[0] + `"]`}
	default:
		common := commonOf(matches)
		if len(common) < len(prefix) && len(foldPrefixed(prefix, matches)) == len(matches) {
			common = prefix // the names differ in case only past what was typed
		}
		return completion{from: dot, repl: `["` + common}
	}
}

// commonOf is the longest common prefix of names.
func commonOf(names []string) string {
	common := names[0]
	for _, n := range names[1:] {
		common = commonPrefix(common, n)
	}
	return common
}

// resolve follows a path like c[1].custom from the globals (or from a
// module already loaded, so reader.cu<Tab> works after
// require "reader" without a global), reading raw.
func (c *completer) resolve(path string) (lua.LValue, bool) {
	first := firstNameRe.FindString(path)
	v := c.L.G.Global.RawGetString(first)
	if v == lua.LNil {
		v = c.loaded().RawGetString(first)
	}
	for _, seg := range segmentRe.FindAllStringSubmatch(path[len(first):], -1) {
		t, ok := v.(*lua.LTable)
		if !ok {
			return lua.LNil, false
		}
		switch {
		case seg[1] != "":
			v = t.RawGetString(seg[1])
		case seg[2] != "":
			n, _ := strconv.Atoi(seg[2])
			v = t.RawGetInt(n)
		case seg[3] != "" || seg[4] != "":
			v = t.RawGetString(seg[3] + seg[4])
		default:
			v = t.RawGetString("") // [""]
		}
	}
	return v, v != lua.LNil
}

// keys lists the string keys reachable from v: its own (for a table),
// those of __index tables up its metatables (string methods, objects), and
// a metatable's __names list (the custom fields a record's custom table
// may hold, set or empty). With methods, only keys holding functions.
func (c *completer) keys(v lua.LValue, methods bool) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k, val lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok || seen[string(s)] {
			return
		}
		if methods && val.Type() != lua.LTFunction {
			return
		}
		seen[string(s)] = true
		out = append(out, string(s))
	}
	for depth := 0; depth < 8 && v != lua.LNil; depth++ {
		if t, ok := v.(*lua.LTable); ok {
			t.ForEach(add)
		}
		mt, ok := c.L.GetMetatable(v).(*lua.LTable)
		if !ok {
			break
		}
		if names, ok := mt.RawGetString("__names").(*lua.LTable); ok && !methods {
			names.ForEach(func(_, n lua.LValue) { add(n, lua.LNil) })
		}
		v = mt.RawGetString("__index") // a function is never called: the chain ends
		if _, isTable := v.(*lua.LTable); !isTable {
			break
		}
	}
	sort.Strings(out)
	return out
}

func (c *completer) loaded() *lua.LTable {
	if pkg, ok := c.L.G.Global.RawGetString("package").(*lua.LTable); ok {
		if t, ok := pkg.RawGetString("loaded").(*lua.LTable); ok {
			return t
		}
	}
	return c.L.NewTable()
}

// moduleNames are what require can load without a file: the preloaded
// modules and those already loaded.
func (c *completer) moduleNames() []string {
	var out []string
	if pkg, ok := c.L.G.Global.RawGetString("package").(*lua.LTable); ok {
		for _, key := range []string{"preload", "loaded"} {
			if t, ok := pkg.RawGetString(key).(*lua.LTable); ok {
				t.ForEach(func(k, _ lua.LValue) {
					if s, ok := k.(lua.LString); ok && s != "_G" {
						out = append(out, string(s))
					}
				})
			}
		}
	}
	return out
}

func (c *completer) globalNames() []string {
	var out []string
	c.L.G.Global.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			out = append(out, string(s))
		}
	})
	return out
}

// prefixed is the names that start with prefix, sorted and unique, each
// followed by suffix.
func prefixed(prefix string, names []string, suffix string) completion {
	seen := map[string]bool{}
	comp := completion{prefix: prefix}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !seen[n] {
			seen[n] = true
			comp.words = append(comp.words, n+suffix)
		}
	}
	sort.Strings(comp.words)
	return comp
}

// foldMatches is the names that start with prefix ignoring case, or
// whose identifier (skynamo.Identifier: "Région" -> region, "Credit Limit
// (R)" -> credit_limit_r) starts with the prefix's, which also ignores
// accents: reg, Ré and R all find "Région".
func foldMatches(prefix string, names []string) []string {
	ip := skynamo.Identifier(prefix)
	if ip == "" {
		return foldPrefixed(prefix, names)
	}
	var out []string
	lp := strings.ToLower(prefix)
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), lp) || strings.HasPrefix(skynamo.Identifier(n), ip) {
			out = append(out, n)
		}
	}
	return out
}

// foldPrefixed is the names that start with prefix ignoring case only.
func foldPrefixed(prefix string, names []string) []string {
	var out []string
	lp := strings.ToLower(prefix)
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), lp) {
			out = append(out, n)
		}
	}
	return out
}

func identifiers(names []string) []string {
	var out []string
	for _, n := range names {
		if isIdentifier(n) {
			out = append(out, n)
		}
	}
	return out
}

func commonPrefix(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	return string(ra[:n])
}

// inStringOrComment reports whether the end of the text is inside a quoted
// string or a -- comment, where names are not completed.
func inStringOrComment(s string) bool {
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0 && ch == '\\':
			i++
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '-' && i+1 < len(s) && s[i+1] == '-':
			return true
		}
	}
	return quote != 0
}
