package bindings

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cjoudrey/gluahttp"
	lua "github.com/yuin/gopher-lua"
)

// HTTP is the `http` module: github.com/cjoudrey/gluahttp, with its
// arguments checked first. gluahttp converts leniently: a nil URL becomes ""
// and fails later as an odd request, `timeout = 0.5` is truncated to 0 (an
// instant timeout), unknown options are ignored, `query` silently drops the
// URL's own query. Here the same calls raise a clear error instead,
// fractional seconds stay fractional, a table `query` is encoded and joined
// to the URL's, and request_batch checks every request before sending any,
// then runs them one after the other (gluahttp's runs them on goroutines
// that share the Lua state).
//
//	http.get(url, opts) / post / put / patch / delete / head -> response, err
//	http.request(method, url, opts)                        -> response, err
//	http.request_batch({{method, url, opts}, ...})          -> {response...}, {err...}
//
// opts: query (string, or a table of names to strings, numbers, booleans
// or lists of them), headers and cookies (tables of names to strings or
// numbers), body, form (deprecated body), auth = {user=, pass=}, timeout
// (seconds, fractions allowed, or a Go duration such as "1.5s"; default
// DefaultHTTPTimeout, and a longer one may be asked for). A response has
// status_code, body, headers, cookies, url and body_size; a 404 or 500 is
// a response, not an error. Requests follow the script's context, so
// Ctrl-C stops them.
type HTTP struct {
	client  *http.Client
	timeout time.Duration // per request when opts.timeout is absent; 0 = the client's
}

// DefaultHTTPTimeout bounds a request that names no timeout, so a server
// that never answers cannot hang a nightly script.
const DefaultHTTPTimeout = 60 * time.Second

// NewHTTP builds the module over client. With nil, requests get
// DefaultHTTPTimeout unless they ask for another: the timeout is set per
// request, not on the client, where it would also cap longer ones.
func NewHTTP(client *http.Client) *HTTP {
	if client == nil {
		return &HTTP{client: &http.Client{}, timeout: DefaultHTTPTimeout}
	}
	return &HTTP{client: client}
}

// Loader registers the checked functions over gluahttp's.
func (m *HTTP) Loader(L *lua.LState) int {
	L.Push(L.NewFunction(gluahttp.NewHttpModule(m.client).Loader))
	L.Call(0, 1)
	inner := L.CheckTable(-1)
	L.Pop(1)
	mod := L.NewTable()
	for _, method := range []string{"get", "post", "put", "patch", "delete", "head"} {
		mod.RawSetString(method, L.NewFunction(m.method(inner, method)))
	}
	mod.RawSetString("request", L.NewFunction(m.request(inner)))
	mod.RawSetString("request_batch", L.NewFunction(m.requestBatch(inner)))
	L.Push(mod)
	return 1
}

// method wraps http.<name>(url, opts).
func (m *HTTP) method(inner *lua.LTable, name string) lua.LGFunction {
	fn := inner.RawGetString("request")
	return func(L *lua.LState) int {
		target, opts := m.checkURLAndOptions(L, 1)
		return callInner(L, fn, lua.LString(name), target, opts)
	}
}

// request wraps http.request(method, url, opts).
func (m *HTTP) request(inner *lua.LTable) lua.LGFunction {
	fn := inner.RawGetString("request")
	return func(L *lua.LState) int {
		method, err := checkMethod(L.CheckAny(1))
		if err != nil {
			L.ArgError(1, err.Error())
		}
		target, opts := m.checkURLAndOptions(L, 2)
		return callInner(L, fn, lua.LString(method), target, opts)
	}
}

// checkURLAndOptions checks the URL argument at n and the options after
// it, raising an error that names the argument at fault.
func (m *HTTP) checkURLAndOptions(L *lua.LState, n int) (lua.LString, *lua.LTable) {
	target := L.CheckString(n)
	if err := checkURL(target); err != nil {
		L.ArgError(n, err.Error())
	}
	opts, err := m.checkOptions(L, L.Get(n+1), target)
	if err != nil {
		L.ArgError(n+1, err.Error())
	}
	return lua.LString(target), opts
}

// requestBatch runs {{method, url, opts}, ...} in order and returns the
// responses and, when any failed, the errors, both by position. Every
// request is checked before the first is sent, so a typo in the tenth
// does not leave nine sent and the script stopped.
func (m *HTTP) requestBatch(inner *lua.LTable) lua.LGFunction {
	fn := inner.RawGetString("request")
	return func(L *lua.LState) int {
		reqs := L.CheckTable(1)
		n, isList := listLen(reqs)
		if !isList {
			L.ArgError(1, "requests must be a list {{method, url, opts}, ...}")
		}
		checked := make([][3]lua.LValue, n)
		for i := 1; i <= n; i++ {
			args, err := m.checkBatchRequest(L, reqs.RawGetInt(i))
			if err != nil {
				L.ArgError(1, fmt.Sprintf("request %d: %v", i, err))
			}
			checked[i-1] = args
		}
		responses, errs := L.CreateTable(n, 0), L.CreateTable(n, 0)
		failed := false
		for i, args := range checked {
			L.Push(fn)
			L.Push(args[0])
			L.Push(args[1])
			L.Push(args[2])
			L.Call(3, 2)
			resp, err := L.Get(-2), L.Get(-1)
			L.Pop(2)
			responses.RawSetInt(i+1, resp)
			errs.RawSetInt(i+1, err)
			if err != lua.LNil {
				failed = true
			}
		}
		L.Push(responses)
		if !failed {
			return 1
		}
		L.Push(errs)
		return 2
	}
}

// checkBatchRequest checks one {method, url, opts} of request_batch and
// returns the arguments gluahttp's request is called with.
func (m *HTTP) checkBatchRequest(L *lua.LState, v lua.LValue) ([3]lua.LValue, error) {
	spec, ok := v.(*lua.LTable)
	if !ok {
		return [3]lua.LValue{}, fmt.Errorf("must be a table {method, url, opts}, not a %s", v.Type())
	}
	method, err := checkMethod(spec.RawGetInt(1))
	if err != nil {
		return [3]lua.LValue{}, err
	}
	target, ok := spec.RawGetInt(2).(lua.LString)
	if !ok {
		return [3]lua.LValue{}, fmt.Errorf("the URL (second value) must be a string, not a %s", spec.RawGetInt(2).Type())
	}
	if err := checkURL(string(target)); err != nil {
		return [3]lua.LValue{}, err
	}
	opts, err := m.checkOptions(L, spec.RawGetInt(3), string(target))
	if err != nil {
		return [3]lua.LValue{}, err
	}
	return [3]lua.LValue{lua.LString(method), target, opts}, nil
}

func callInner(L *lua.LState, fn lua.LValue, args ...lua.LValue) int {
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	L.Call(len(args), 2)
	if L.Get(-1) == lua.LNil {
		L.Pop(1)
		return 1
	}
	return 2
}

// checkMethod upper-cases a method name; gluahttp would send an empty one
// as GET.
func checkMethod(v lua.LValue) (string, error) {
	s, ok := v.(lua.LString)
	if !ok {
		return "", fmt.Errorf("the method must be a string such as \"GET\" or \"POST\", not a %s", v.Type())
	}
	method := strings.ToUpper(string(s))
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return "", fmt.Errorf("method %q must be a word such as GET or POST", string(s))
	}
	return method, nil
}

// checkURL insists on an absolute http(s) URL: a nil or relative one is a
// mistake in the script, not a network error to return.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// maxTimeoutSeconds is the longest timeout a time.Duration holds.
const maxTimeoutSeconds = float64(math.MaxInt64) / float64(time.Second)

// checkOptions checks opts (nil or a table) and returns the table gluahttp
// is given: a copy with timeout as a duration string (the default one if
// absent), query encoded and joined to the URL's own, and header, cookie
// and auth values checked, since gluahttp would send a table's address or
// "nil" as text.
func (m *HTTP) checkOptions(L *lua.LState, v lua.LValue, target string) (*lua.LTable, error) {
	out := L.NewTable()
	in, ok := v.(*lua.LTable)
	switch {
	case v == lua.LNil:
		in = L.NewTable()
	case !ok:
		return nil, fmt.Errorf("options must be a table, not a %s", v.Type())
	}
	if err := knownOptions(in, "query", "headers", "cookies", "body", "form", "auth", "timeout"); err != nil {
		return nil, err
	}
	in.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	for _, name := range []string{"headers", "cookies", "auth"} {
		switch t := in.RawGetString(name).(type) {
		case *lua.LNilType:
		case *lua.LTable:
			text, err := textTable(L, name, t)
			if err != nil {
				return nil, err
			}
			out.RawSetString(name, text)
		default:
			return nil, fmt.Errorf("%s must be a table, not a %s", name, t.Type())
		}
	}
	if auth, ok := out.RawGetString("auth").(*lua.LTable); ok {
		for _, k := range []string{"user", "pass"} {
			if _, isStr := auth.RawGetString(k).(lua.LString); !isStr {
				return nil, fmt.Errorf("auth must be {user = \"...\", pass = \"...\"}")
			}
		}
	}
	for _, name := range []string{"body", "form"} {
		switch b := in.RawGetString(name).(type) {
		case *lua.LNilType, lua.LString:
		default:
			return nil, fmt.Errorf("%s must be a string (json.encode a table first), not a %s", name, b.Type())
		}
	}
	query, err := checkQuery(in.RawGetString("query"), target)
	if err != nil {
		return nil, err
	}
	out.RawSetString("query", query)
	timeout, err := checkTimeout(in.RawGetString("timeout"), m.timeout)
	if err != nil {
		return nil, err
	}
	out.RawSetString("timeout", timeout)
	return out, nil
}

// knownOptions names the first key of t that is not one of known.
func knownOptions(t *lua.LTable, known ...string) (err error) {
	t.ForEach(func(k, _ lua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("option names are strings, not %s", k.Type())
		} else if !slices.Contains(known, string(name)) {
			err = errors.New(unknownOption(string(name), known))
		}
	})
	return err
}

// checkQuery returns the query string to send. gluahttp replaces the
// URL's own query with opts.query; a script that writes both means both,
// so they are joined.
func checkQuery(v lua.LValue, target string) (lua.LValue, error) {
	var query string
	switch q := v.(type) {
	case *lua.LNilType:
		return lua.LNil, nil
	case lua.LString:
		query = string(q)
	case *lua.LTable:
		encoded, err := encodeQuery(q)
		if err != nil {
			return nil, err
		}
		query = encoded
	default:
		return nil, fmt.Errorf("query must be a string or a table, not a %s", v.Type())
	}
	if u, err := url.Parse(target); err == nil && u.RawQuery != "" {
		if query == "" {
			return lua.LString(u.RawQuery), nil
		}
		query = u.RawQuery + "&" + query
	}
	return lua.LString(query), nil
}

// checkTimeout returns the timeout as a Go duration string: seconds may
// be fractional (gluahttp would truncate 0.5 to an instant timeout), and
// absent means def.
func checkTimeout(v lua.LValue, def time.Duration) (lua.LValue, error) {
	switch t := v.(type) {
	case *lua.LNilType:
		if def > 0 {
			return lua.LString(def.String()), nil
		}
		return lua.LNil, nil
	case lua.LNumber:
		// NaN fails the range check; a timeout below a nanosecond
		// converts to 0, an instant timeout.
		var d time.Duration
		if float64(t) > 0 && float64(t) < maxTimeoutSeconds {
			d = time.Duration(float64(t) * float64(time.Second))
		}
		if d <= 0 {
			return nil, fmt.Errorf("timeout must be a positive number of seconds, not %s", FormatNumber(float64(t)))
		}
		return lua.LString(d.String()), nil
	case lua.LString:
		if d, err := time.ParseDuration(string(t)); err != nil || d <= 0 {
			return nil, fmt.Errorf("timeout %q is not a positive duration such as \"1.5s\"", string(t))
		}
		return t, nil
	}
	return nil, fmt.Errorf("timeout must be seconds or a duration string, not a %s", v.Type())
}

// textTable copies t insisting on string keys and string or number
// values (numbers written as Lua prints them: 42, not 42.0); the script's
// own table is left alone.
func textTable(L *lua.LState, what string, t *lua.LTable) (out *lua.LTable, err error) {
	out = L.NewTable()
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("%s names must be strings, not %s", what, k.Type())
			return
		}
		switch v := v.(type) {
		case lua.LString:
			out.RawSet(k, v)
		case lua.LNumber:
			out.RawSet(k, lua.LString(FormatNumber(float64(v))))
		default:
			err = fmt.Errorf("%s.%s must be a string or a number, not a %s", what, string(name), v.Type())
		}
	})
	return out, err
}

// encodeQuery encodes {name = value | {value, ...}} in name order; values
// are strings, numbers or booleans, and a list repeats the name.
func encodeQuery(q *lua.LTable) (string, error) {
	values := url.Values{}
	var err error
	add := func(name string, v lua.LValue) {
		switch v := v.(type) {
		case lua.LString:
			values.Add(name, string(v))
		case lua.LNumber:
			values.Add(name, FormatNumber(float64(v)))
		case lua.LBool:
			values.Add(name, v.String())
		default:
			err = fmt.Errorf("query.%s must be a string, number, boolean or a list of them, not a %s", name, v.Type())
		}
	}
	q.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("query names must be strings, not %s", k.Type())
			return
		}
		list, isTable := v.(*lua.LTable)
		if !isTable {
			add(string(name), v)
			return
		}
		count, isList := listLen(list)
		if !isList {
			err = fmt.Errorf("query.%s must be a list of values", string(name))
			return
		}
		for i := 1; i <= count && err == nil; i++ {
			add(string(name), list.RawGetInt(i))
		}
	})
	return values.Encode(), err
}
