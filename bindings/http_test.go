package bindings

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// blockingServer answers nothing until the request is cancelled; arrived
// receives once per request that reached it.
func blockingServer(t *testing.T) (string, chan struct{}) {
	arrived := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, arrived
}

// TestHTTPCancelledContext is Ctrl-C during a request: the host cancels
// the state's context, and the request stops instead of waiting for the
// server.
func TestHTTPCancelledContext(t *testing.T) {
	url, arrived := blockingServer(t)
	L := lua.NewState()
	defer L.Close()
	ctx, cancel := context.WithCancel(context.Background())
	L.SetContext(ctx)
	L.PreloadModule("http", NewHTTP(nil).Loader)
	done := make(chan error, 1)
	var got string
	go func() {
		err := L.DoString(`local r, err = require("http").get("` + url + `", {timeout = 3600}); result = tostring(err)`)
		if err == nil {
			got = L.GetGlobal("result").String()
		}
		done <- err
	}()
	<-arrived
	cancel()
	err := <-done
	// Either the request returns its error or the VM stops on the
	// cancelled context; both end the script without waiting.
	if err == nil && !strings.Contains(got, "canceled") {
		t.Errorf("after Ctrl-C the request returned %q", got)
	}
	if err != nil && !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err = %v", err)
	}
}

// TestHTTPDefaultTimeout: a request that names no timeout gets the
// module's default, and one that names a longer one is not cut short by it.
func TestHTTPDefaultTimeout(t *testing.T) {
	if m := NewHTTP(nil); m.timeout != DefaultHTTPTimeout || m.client.Timeout != 0 {
		t.Errorf("NewHTTP(nil): timeout %v, client timeout %v", m.timeout, m.client.Timeout)
	}
	url, _ := blockingServer(t)
	echo := newEchoServer(t)
	L := lua.NewState()
	defer L.Close()
	L.SetContext(context.Background())
	L.PreloadModule("http", (&HTTP{client: &http.Client{}, timeout: 20 * time.Millisecond}).Loader)
	if err := L.DoString(`
		local http = require "http"
		local r, err = http.get("` + url + `")
		assert(r == nil and err:find("deadline"), tostring(err))
		-- the echo server answers after 40ms: longer than the default, within the asked timeout
		assert(http.get("` + echo + `/?sleep=40", {timeout = 30}))
	`); err != nil {
		t.Fatal(err)
	}
}

// TestCheckTimeout: fractional seconds stay fractional (gluahttp alone
// truncates 0.5 to an instant timeout), and values no duration holds are
// refused rather than failing later as a network error.
func TestCheckTimeout(t *testing.T) {
	for in, want := range map[lua.LValue]string{
		lua.LNumber(0.5):    "500ms",
		lua.LNumber(30):     "30s",
		lua.LString("1.5s"): "1.5s",
		lua.LNil:            "1m0s",
	} {
		got, err := checkTimeout(in, time.Minute)
		if err != nil || got.String() != want {
			t.Errorf("checkTimeout(%v) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []lua.LValue{lua.LNumber(0), lua.LNumber(-1), lua.LNumber(math.NaN()),
		lua.LNumber(math.Inf(1)), lua.LNumber(1e300), lua.LNumber(1e-10), lua.LString("soon"), lua.LTrue} {
		if got, err := checkTimeout(in, time.Minute); err == nil {
			t.Errorf("checkTimeout(%v) = %v, want an error", in, got)
		}
	}
}

// TestBatchChecksAllBeforeSending: a mistake in a later request raises
// before the first one reaches the server.
func TestBatchChecksAllBeforeSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	L := lua.NewState()
	defer L.Close()
	L.SetContext(context.Background())
	L.PreloadModule("http", NewHTTP(nil).Loader)
	err := L.DoString(`require("http").request_batch({{"post", "` + srv.URL + `"}, {"get", "` + srv.URL + `", {timeout = -1}}})`)
	if err == nil || !strings.Contains(err.Error(), "request 2: timeout must be a positive number") {
		t.Errorf("err = %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests were sent before the bad one was found", n)
	}
}
