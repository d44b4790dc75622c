package bindings

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cjoudrey/gluahttp"
	lua "github.com/yuin/gopher-lua"
)

// HTTP is the `http` module: github.com/cjoudrey/gluahttp, with its
// arguments checked first. gluahttp converts leniently: a nil URL becomes ""
// and fails later as an odd request, `timeout = 0.5` is truncated to 0 (an
// instant timeout), unknown options are ignored. Here the same calls raise
// a clear error instead, fractional seconds stay fractional, a table
// `query` is encoded, and request_batch runs its requests one after the
// other (gluahttp's runs them on goroutines that share the Lua state).
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
		target := checkURL(L, 1)
		opts := m.checkOptions(L, 2)
		return callInner(L, fn, lua.LString(name), lua.LString(target), opts)
	}
}

// request wraps http.request(method, url, opts).
func (m *HTTP) request(inner *lua.LTable) lua.LGFunction {
	fn := inner.RawGetString("request")
	return func(L *lua.LState) int {
		method := strings.ToUpper(L.CheckString(1))
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			L.ArgError(1, "method must be a word such as GET or POST")
		}
		target := checkURL(L, 2)
		opts := m.checkOptions(L, 3)
		return callInner(L, fn, lua.LString(method), lua.LString(target), opts)
	}
}

// requestBatch runs {{method, url, opts}, ...} in order and returns the
// responses and, when any failed, the errors, both by position.
func (m *HTTP) requestBatch(inner *lua.LTable) lua.LGFunction {
	fn := inner.RawGetString("request")
	return func(L *lua.LState) int {
		reqs := L.CheckTable(1)
		n := reqs.Len()
		responses, errs := L.CreateTable(n, 0), L.CreateTable(n, 0)
		failed := false
		for i := 1; i <= n; i++ {
			spec, ok := reqs.RawGetInt(i).(*lua.LTable)
			if !ok {
				L.ArgError(1, fmt.Sprintf("request %d must be a table {method, url, opts}", i))
			}
			method, okM := spec.RawGetInt(1).(lua.LString)
			target, okU := spec.RawGetInt(2).(lua.LString)
			if !okM || !okU || target == "" || strings.ContainsAny(string(method), " \t\r\n") {
				L.ArgError(1, fmt.Sprintf("request %d must start with a method and a URL", i))
			}
			if u, err := url.Parse(string(target)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				L.ArgError(1, fmt.Sprintf("request %d: %q is not an http(s) URL", i, string(target)))
			}
			L.Push(spec.RawGetInt(3))
			opts := m.checkOptions(L, L.GetTop())
			L.Pop(1)
			L.Push(fn)
			L.Push(method)
			L.Push(target)
			L.Push(opts)
			L.Call(3, 2)
			resp, err := L.Get(-2), L.Get(-1)
			L.Pop(2)
			responses.RawSetInt(i, resp)
			errs.RawSetInt(i, err)
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

// checkURL insists on an absolute http(s) URL: a nil or relative one is a
// mistake in the script, not a network error to return.
func checkURL(L *lua.LState, n int) string {
	s := L.CheckString(n)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		L.ArgError(n, fmt.Sprintf("%q is not an http(s) URL", s))
	}
	return s
}

// checkOptions checks opts and returns the table gluahttp is given: a
// copy with timeout as a duration string (the default one if absent),
// query encoded, and header, cookie and auth values checked, since
// gluahttp would send a table's address or "nil" as text.
func (m *HTTP) checkOptions(L *lua.LState, n int) lua.LValue {
	o := newOptions(L, n, "query", "headers", "cookies", "body", "form", "auth", "timeout")
	out := L.NewTable()
	if o.t != nil {
		o.t.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	}
	if o.get("timeout") == lua.LNil && m.timeout > 0 {
		out.RawSetString("timeout", lua.LString(m.timeout.String()))
	}
	for _, name := range []string{"headers", "cookies", "auth"} {
		if v := o.get(name); v != lua.LNil {
			t, ok := v.(*lua.LTable)
			if !ok {
				L.ArgError(n, name+" must be a table")
			}
			out.RawSetString(name, textTable(L, n, name, t))
		}
	}
	if auth, ok := out.RawGetString("auth").(*lua.LTable); ok {
		for _, k := range []string{"user", "pass"} {
			if _, isStr := auth.RawGetString(k).(lua.LString); !isStr {
				L.ArgError(n, "auth must be {user = \"...\", pass = \"...\"}")
			}
		}
	}
	for _, name := range []string{"body", "form"} {
		if v := o.get(name); v != lua.LNil {
			if _, ok := v.(lua.LString); !ok {
				L.ArgError(n, name+" must be a string (json.encode a table first)")
			}
		}
	}
	switch q := o.get("query").(type) {
	case *lua.LNilType, lua.LString:
	case *lua.LTable:
		out.RawSetString("query", lua.LString(encodeQuery(L, n, q)))
	default:
		L.ArgError(n, "query must be a string or a table")
	}
	switch t := o.get("timeout").(type) {
	case *lua.LNilType:
	case lua.LNumber:
		if t <= 0 {
			L.ArgError(n, "timeout must be a positive number of seconds")
		}
		out.RawSetString("timeout", lua.LString(strconv.FormatFloat(float64(t), 'f', -1, 64)+"s"))
	case lua.LString:
		if d, err := time.ParseDuration(string(t)); err != nil || d <= 0 {
			L.ArgError(n, fmt.Sprintf("timeout %q is not a positive duration such as \"1.5s\"", string(t)))
		}
	default:
		L.ArgError(n, "timeout must be seconds or a duration string")
	}
	return out
}

// textTable copies t insisting on string keys and string or number
// values (numbers written as Lua prints them: 42, not 42.0); the script's
// own table is left alone.
func textTable(L *lua.LState, n int, what string, t *lua.LTable) *lua.LTable {
	out := L.NewTable()
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok {
			L.ArgError(n, fmt.Sprintf("%s names must be strings, not %s", what, k.Type()))
		}
		switch v := v.(type) {
		case lua.LString:
			out.RawSet(k, v)
		case lua.LNumber:
			out.RawSet(k, lua.LString(FormatNumber(float64(v))))
		default:
			L.ArgError(n, fmt.Sprintf("%s.%s must be a string or a number, not a %s", what, string(name), v.Type()))
		}
	})
	return out
}

// encodeQuery encodes {name = value | {value, ...}} in name order; values
// are strings, numbers or booleans, and a list repeats the name.
func encodeQuery(L *lua.LState, n int, q *lua.LTable) string {
	values := url.Values{}
	text := func(name string, v lua.LValue) string {
		switch v := v.(type) {
		case lua.LString:
			return string(v)
		case lua.LNumber:
			return FormatNumber(float64(v))
		case lua.LBool:
			return v.String()
		}
		L.ArgError(n, fmt.Sprintf("query.%s must be a string, number, boolean or a list of them, not a %s", name, v.Type()))
		return ""
	}
	q.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok {
			L.ArgError(n, fmt.Sprintf("query names must be strings, not %s", k.Type()))
		}
		if list, isTable := v.(*lua.LTable); isTable {
			count, isList := listLen(list)
			if !isList {
				L.ArgError(n, fmt.Sprintf("query.%s must be a list of values", string(name)))
			}
			for i := 1; i <= count; i++ {
				values.Add(string(name), text(string(name), list.RawGetInt(i)))
			}
			return
		}
		values.Add(string(name), text(string(name), v))
	})
	return values.Encode()
}
