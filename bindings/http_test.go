package bindings

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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
