local http = require "http"
local json = require "json"

function TestGetWithTableQuery()
  local resp, err = http.get(echo_url .. "/x", { query = { a = "1 2" }, headers = { ["X-Test"] = "yes" } })
  assert(resp, err)
  assert_eq(resp.status_code, 200)
  local echo = assert(json.decode(resp.body))
  assert_eq(echo.method, "GET")
  assert_eq(echo.query, "a=1+2")
  assert_eq(echo.header, "yes")
end

function TestPostBody()
  local resp = assert(http.post(echo_url, { body = '{"k":1}' }))
  local echo = assert(json.decode(resp.body))
  assert_eq(echo.method, "POST")
  assert_eq(echo.body, '{"k":1}')
  local r2 = assert(http.request("patch", echo_url))
  assert_eq(json.decode(r2.body).method, "PATCH")
end

function TestShortTimeoutEndsRequest()
  -- The conversion of 0.5 to "500ms" is checked in Go (TestCheckTimeout);
  -- here a short timeout really ends a slow request.
  local resp, err = http.get(echo_url .. "/?sleep=2000", { timeout = 0.05 })
  assert(resp == nil and err:find("deadline"), tostring(err))
end

function TestQueryJoinsTheURLsOwn()
  local resp = assert(http.get(echo_url .. "/x?page=2", { query = { size = 10 } }))
  assert_eq(json.decode(resp.body).query, "page=2&size=10")
  resp = assert(http.get(echo_url .. "/x?page=2", { query = "" }))
  assert_eq(json.decode(resp.body).query, "page=2")
end

function TestBadArgumentsRaise()
  for _, call in ipairs({
    function() return http.get(nil) end,
    function() return http.get("example.com/x") end,
    function() return http.get(echo_url, { timout = 1 }) end,
    function() return http.get(echo_url, { timeout = -1 }) end,
    function() return http.post(echo_url, { body = { a = 1 } }) end,
    function() return http.get(echo_url, { timeout = 0/0 }) end,
    function() return http.get(echo_url, { timeout = 1e300 }) end,
    function() return http.get(echo_url, "fast") end,
    function() return http.request("", echo_url) end,
  }) do
    local ok = pcall(call)
    assert(not ok, "a bad argument must raise")
  end
end

function TestBatchErrorsNameTheRequest()
  for _, case in ipairs({
    { { { "get", echo_url }, { "", echo_url } }, "request 2: method \"\"" },
    { { { "get", echo_url }, { "get", echo_url, { timout = 1 } } }, "request 2: unknown option \"timout\"; did you mean \"timeout\"?" },
    { { { "get", "example.com" } }, "request 1: \"example.com\" is not an http%(s%) URL" },
    { { "get" }, "request 1: must be a table" },
  }) do
    local ok, err = pcall(http.request_batch, case[1])
    assert(not ok and err:find(case[2]), tostring(err))
  end
end

function TestBatchInOrder()
  local resps, errs = http.request_batch({ { "get", echo_url .. "/1" }, { "post", echo_url .. "/2", { body = "b" } } })
  assert_eq(errs, nil)
  assert_eq(json.decode(resps[2].body).body, "b")
end

function TestQueryTableValues()
  local resp = assert(http.get(echo_url, { query = { n = 42, f = 1.5, b = true, list = { "x", "y" } } }))
  assert_eq(json.decode(resp.body).query, "b=true&f=1.5&list=x&list=y&n=42")
  for _, q in ipairs({ { a = {} , b = print }, { a = print }, { [1] = "x" }, { a = { k = "v" } } }) do
    assert(not pcall(http.get, echo_url, { query = q }), "a bad query value must raise")
  end
end

function TestHeaderAndAuthValuesChecked()
  local resp = assert(http.get(echo_url, { headers = { ["X-Test"] = 42 } }))
  assert_eq(json.decode(resp.body).header, "42")
  local headers = { ["X-Test"] = 7 }
  assert(http.get(echo_url, { headers = headers }))
  assert_eq(headers["X-Test"], 7) -- the script's table is not rewritten
  for _, opts in ipairs({
    { headers = { ["X-Test"] = {} } },
    { headers = { ["X-Test"] = true } },
    { cookies = { session = print } },
    { auth = { user = "u" } },
    { auth = { user = "u", pass = {} } },
  }) do
    assert(not pcall(http.get, echo_url, opts), "a bad header, cookie or auth value must raise")
  end
end

function TestStatusIsData()
  local resp, err = http.get(echo_url .. "/?status=503")
  assert_eq(err, nil)
  assert_eq(resp.status_code, 503)
end

function TestBatchChecksEachRequest()
  assert(not pcall(http.request_batch, { { "get", "not a url" } }))
  assert(not pcall(http.request_batch, { { "get", echo_url, { timout = 1 } } }))
end
