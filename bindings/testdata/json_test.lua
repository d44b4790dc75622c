local json = require("json")

local function encode(v, opts)
  local s, err = json.encode(v, opts)
  assert(err == nil, err)
  return s
end

local function decode(s)
  local v, err = json.decode(s)
  assert(err == nil, err)
  return v
end

function TestScalars()
  assert_eq(encode(nil), "null")
  assert_eq(encode(true), "true")
  assert_eq(encode(12345678901), "12345678901")
  assert_eq(encode(-0.5), "-0.5")
  assert_eq(encode(0.1), "0.1")
  assert_eq(encode(1e21), "1e+21")
  assert_eq(encode(1e-7), "1e-07")
  assert_eq(encode(2^53), "9007199254740992")
  assert_eq(encode('say "hi"\n\t\\ \1'), '"say \\"hi\\"\\n\\t\\\\ \\u0001"')
  assert_eq(encode("Région €"), '"Région €"')
  assert_eq(encode("bad \255 byte"), '"bad \\ufffd byte"')
  assert_eq(encode(json.null), "null")
end

function TestTablesArraysAndObjects()
  assert_eq(encode({1, 2, "x"}), '[1,2,"x"]')
  assert_eq(encode({b = 1, a = {c = true}, [3] = "n"}), '{"3":"n","a":{"c":true},"b":1}')
  assert_eq(encode({[1] = "a", [3] = "c"}), '{"1":"a","3":"c"}', "a sparse table is an object")
  assert_eq(encode({}), "{}", "an empty table is an object")
  assert_eq(encode(json.array()), "[]")
  assert_eq(encode({tags = json.array({})}), '{"tags":[]}')
  assert_eq(encode({1, json.null, 3}), "[1,null,3]")
end

function TestIndentAndKeyOrder()
  assert_eq(encode({a = {1, 2}, b = {}}, {indent = 2}), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}')
  assert_eq(encode({x = 1}, {indent = "\t"}), '{\n\t"x": 1\n}')
  local t = {}
  t.zeta = 1; t.alpha = 2; t.mid = 3
  assert_eq(encode(t, {sort_keys = false}), '{"zeta":1,"alpha":2,"mid":3}', "insertion order")
  assert_eq(encode(t, {sort_keys = true}), '{"alpha":2,"mid":3,"zeta":1}')
end

function TestRoundTrip()
  local text = '{"a":[1,2.5,"x",true,{"b":null}],"e":[],"n":-7,"o":{},"s":"line\\nbreak"}'
  local v = decode(text)
  assert_eq(v.a[5].b, nil, "null properties are left out")
  assert_eq(v.a[5], {})
  assert_eq(encode(v), '{"a":[1,2.5,"x",true,{}],"e":[],"n":-7,"o":{},"s":"line\\nbreak"}')
  assert_eq(decode("[1,null,3]")[2], json.null, "null keeps its place in an array")
  assert_eq(decode("null"), json.null)
  assert_eq(tostring(json.null), "json.null")
end

function TestBigIntegersStayExact()
  local v = decode('{"id": 9007199254740993, "small": 9007199254740992, "neg": -9007199254740993, "f": 1.5e300}')
  assert_eq(v.id, "9007199254740993", "beyond 2^53: the exact digits, as a string")
  assert_eq(type(v.small), "number")
  assert_eq(v.neg, "-9007199254740993")
  assert_eq(v.f, 1.5e300)
  assert_eq(encode({id = v.id}), '{"id":"9007199254740993"}', "the same digits come back")
  assert_eq(decode("123456789012345678901234567890"), "123456789012345678901234567890")
end

function TestMetatableIndexIsNotCalled()
  local custom = setmetatable({["Credit Limit (R)"] = 15000}, {
    __index = function(_, k) error("unknown custom field " .. tostring(k)) end,
    __pairs = function() error("__pairs must not be used") end,
  })
  assert_eq(encode({custom = custom}), '{"custom":{"Credit Limit (R)":15000}}')
end

function TestUnencodableValuesAreErrors()
  local t = {}
  t.self = t
  local s, err = json.encode(t)
  assert_eq(s, nil)
  assert(err:find("cycle"), err)
  s, err = json.encode({x = 0/0})
  assert(s == nil and err:find("%$%.x"), err)
  s, err = json.encode({1, 2, 1/0}) -- gopher-lua's math.huge is the largest float, not infinity
  assert(s == nil and err:find("%$%[3%]"), err)
  s, err = json.encode({f = print})
  assert(s == nil and err:find("function"), err)
  s, err = json.encode({[true] = 1})
  assert(s == nil and err:find("key"), err)
  -- The same table twice is not a cycle.
  local shared = {1}
  assert_eq(encode({a = shared, b = shared}), '{"a":[1],"b":[1]}')
end

function TestDecodeErrors()
  for _, bad in ipairs({"", "{", "[1,]", "{} x", "nul", '{"a":1}}'}) do
    local v, err = json.decode(bad)
    assert(v == nil and type(err) == "string" and err:find("^json.decode: "), "accepted " .. bad)
  end
  assert_eq(select(2, json.decode(" \n")), "json.decode: the text is empty, not JSON")
  assert_eq(select(2, json.decode('{"a": [1')), "json.decode: the text ends in the middle of a value (8 bytes read)")
end

function TestBadOptionsRaise()
  local ok, err = pcall(json.encode, {}, {indnet = 2})
  assert(not ok and err:find('unknown option "indnet"'), err)
  ok, err = pcall(json.encode, {}, {indent = true})
  assert(not ok and err:find("indent"), err)
  ok, err = pcall(json.encode, {}, {sort_keys = "yes"})
  assert(not ok and err:find("sort_keys must be a boolean"), err)
  ok, err = pcall(json.decode, 42 and {})
  assert(not ok, "decode of a table should raise")
  ok, err = pcall(json.array, setmetatable({}, {}))
  assert(not ok and err:find("metatable"), err)
end
