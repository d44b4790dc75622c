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

function TestFractionalTimeoutStaysFractional()
  -- gluahttp alone truncates 0.5 to 0 seconds: an instant timeout.
  local ok, err = http.get(echo_url .. "/?sleep=1", { timeout = 0.5 })
  assert(ok, err)
  assert_eq(ok.status_code, 200)
  local resp, err2 = http.get(echo_url .. "/?sleep=2000", { timeout = 0.05 })
  assert(resp == nil and err2:find("deadline"), tostring(err2))
end

function TestBadArgumentsRaise()
  for _, call in ipairs({
    function() return http.get(nil) end,
    function() return http.get("example.com/x") end,
    function() return http.get(echo_url, { timout = 1 }) end,
    function() return http.get(echo_url, { timeout = -1 }) end,
    function() return http.post(echo_url, { body = { a = 1 } }) end,
  }) do
    local ok = pcall(call)
    assert(not ok, "a bad argument must raise")
  end
end

function TestBatchInOrder()
  local resps, errs = http.request_batch({ { "get", echo_url .. "/1" }, { "post", echo_url .. "/2", { body = "b" } } })
  assert_eq(errs, nil)
  assert_eq(json.decode(resps[2].body).body, "b")
end
