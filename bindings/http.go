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
// opts: query (string or table), headers, cookies, body, form (deprecated
// body), auth = {user=, pass=}, timeout (seconds, fractions allowed, or a
// Go duration such as "1.5s"). A response has status_code, body, headers,
// cookies, url and body_size. Requests follow the script's context, so
// Ctrl-C stops them; the client's timeout bounds each one.
type HTTP struct {
	client *http.Client
}

// NewHTTP builds the module over client (nil: one with a 60 s timeout).
func NewHTTP(client *http.Client) *HTTP {
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
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
		opts := checkHTTPOptions(L, 2)
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
		opts := checkHTTPOptions(L, 3)
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
			if !okM || !okU || target == "" {
				L.ArgError(1, fmt.Sprintf("request %d must start with a method and a URL", i))
			}
			L.Push(spec.RawGetInt(3))
			opts := checkHTTPOptions(L, L.GetTop())
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

// checkHTTPOptions checks opts and returns the table gluahttp is given:
// a copy with timeout as a duration string and query encoded.
func checkHTTPOptions(L *lua.LState, n int) lua.LValue {
	o := newOptions(L, n, "query", "headers", "cookies", "body", "form", "auth", "timeout")
	if o.t == nil {
		return lua.LNil
	}
	out := L.NewTable()
	o.t.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	for _, name := range []string{"headers", "cookies", "auth"} {
		if v := o.get(name); v != lua.LNil {
			if _, ok := v.(*lua.LTable); !ok {
				L.ArgError(n, name+" must be a table")
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
		values := url.Values{}
		q.ForEach(func(k, v lua.LValue) { values.Add(k.String(), lua.LVAsString(v)) })
		out.RawSetString("query", lua.LString(values.Encode()))
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
