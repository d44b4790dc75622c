local writer = require "writer"
local reader = require "reader"
local csv = require "csv"
local json = require "json"

local function find(list, pred)
  for _, r in ipairs(list) do
    if pred(r) then return r end
  end
end

local function by_code(code)
  return find(assert(reader.customers()), function(c) return c.code == code end)
end

local function raises(fn, want, msg)
  local ok, err = pcall(fn)
  assert(not ok, (msg or want) .. ": no error raised")
  assert(tostring(err):find(want, 1, true), (msg or want) .. ": the error is " .. tostring(err))
end

function TestCreateSeveralEntities()
  local b = writer.batch { batch_size = 10 }
  local n1 = b:create("customers", {
    code = "W001", name = "Writer One",
    custom = { ["Customer Type"] = "Wholesale", credit_limit_r = 5000 },
  })
  local n2 = b:create("tax_rates", { name = "Writer VAT (W1)", rate = 15 })
  local n3 = b:create("warehouses", { name = "Writer Depot (W1)" })
  assert_eq({ n1, n2, n3 }, { 1, 2, 3 }, "queue calls return the index")
  assert_eq(#b, 3, "#batch counts the writes")
  assert_eq(b:problems(), {}, "nothing invalid")

  local res = b:apply()
  assert_eq(res.applied, 3, "all applied")
  assert_eq(res.failed, 0)
  assert_eq(res.unknown, 0)
  assert(res.requests >= 3, "one request per endpoint at least")
  assert(type(res.journal) == "string" and res.journal ~= "", "a real apply keeps a journal")
  for i, it in ipairs(res.items) do
    assert_eq(it.index, i, "items come in queue order")
    assert_eq(it.status, "applied")
    assert(type(it.id) == "number" and it.id > 0, "item " .. i .. " has the new id")
    assert(it.method == "POST" and it.path and it.body, "method, path and body are there")
  end
  assert_eq(res.items[1].entity, "customers")
  assert_eq(res.items[1].kind, "create")
  assert_eq(res.items[1].code, "W001", "the code the API answered")

  local c = by_code("W001")
  assert(c, "the cache holds the new customer before the script reads again")
  assert_eq(c.id, res.items[1].id)
  assert_eq(c.custom["Customer Type"], "Wholesale")
  assert_eq(c.custom["Credit Limit (R)"], 5000, "a custom field given by its identifier")
  raises(function() b:apply() end, "already applied", "a batch is applied once")
  raises(function() b:create("tax_rates", { name = "late" }) end, "already applied")
end

function TestUpdateFromARecordClearAndEmptyString()
  local customers = assert(reader.customers())
  local c = find(customers, function(r) return rawget(r.custom, "Région") ~= nil and rawget(r.custom, "Notes") == nil end)
  local d = find(customers, function(r) return r ~= c and rawget(r.custom, "Région") ~= nil end)
  assert(c and d, "customers with a region")
  local region_d = d.custom["Région"]

  local b = writer.batch()
  b:update("customers", c, { name = c.name .. " (renamed)", custom = { ["Région"] = writer.CLEAR } })
  b:update("customers", d, { name = d.name .. " (renamed)", custom = { region = "" } })
  local res = b:apply()
  assert_eq(res.applied, 2, "both applied")
  assert_eq(res.items[1].method, "PATCH")
  assert(res.items[1].id == nil or res.items[1].id == c.id, "an update's id, when the API answers one, is the record's")
  assert(res.items[1].row_version == nil or res.items[1].row_version > 0)

  local c2, d2 = by_code(c.code), by_code(d.code)
  assert_eq(c2.name, c.name .. " (renamed)")
  assert_eq(rawget(c2.custom, "Région"), nil, "writer.CLEAR empties the field")
  assert_eq(d2.custom["Région"], region_d, "an empty string leaves the field as it was")
  assert(not res.items[2].body:find('"custom_fields"'), "an empty string is not sent at all: " .. res.items[2].body)
end

function TestDryRunPlansWithBeforeAndAfter()
  local rates = assert(reader.tax_rates())
  local r = rates[1]
  local c = assert(reader.customers())[2]
  local b = writer.batch()
  b:update("tax_rates", r, { rate = r.rate + 1 })
  b:update("customers", c, { name = "Planned Name" })
  b:create("tax_rates", { name = "Never Sent (X9)", rate = 5 })
  b:create("tax_rates", { nmae = "typo" })
  local res = b:apply { dry_run = true }
  assert_eq(res.dry_run, true)
  assert_eq(res.planned, 3)
  assert_eq(res.failed, 1, "validation failures are in a dry run's result too")
  assert_eq(res.applied, 0)
  assert_eq(res.journal, nil, "a dry run keeps no journal")
  local it = res.items[1]
  assert_eq(it.status, "planned")
  assert_eq(it.method, "PATCH")
  assert_eq(it.path, "/taxrates")
  assert(it.changes:find("rate: " .. tostring(r.rate) .. " → " .. tostring(r.rate + 1), 1, true), "before → after: " .. tostring(it.changes))
  assert(res.items[2].changes:find(c.name .. " → Planned Name", 1, true), "names change: " .. tostring(res.items[2].changes))
  local body = assert(json.decode(it.body))
  assert_eq(body.id, r.id, "the body names the record")
  local keyed = writer.batch()
  keyed:update("tax_rates", { id = r.id }, { rate = r.rate + 2 })
  local kres = keyed:apply { dry_run = true }
  assert_eq(kres.items[1].changes, "rate: " .. tostring(r.rate) .. " → " .. tostring(r.rate + 2),
    "a record named by its id alone gets its before from the cache")
  local still = find(assert(reader.tax_rates { refresh = true }), function(x) return x.id == r.id end)
  assert_eq(still.rate, r.rate, "nothing was sent")
  assert(not find(assert(reader.tax_rates()), function(x) return x.name == "Never Sent (X9)" end))
end

function TestValidationProblemsDoNotStopTheOthers()
  local b = writer.batch()
  b:create("customers", { code = "W101", nmae = "Typo", custom = { ["Customer Type"] = "Retail Chain" } })
  b:create("tax_rates", { name = "Bad Rate (W2)", rate = "fifteen" })
  b:create("customers", { code = "W102", name = "Bad Enum", custom = { ["Customer Type"] = "Wholesal" } })
  b:create("customers", { code = "W103", name = "Good", custom = { customer_type = "Retail Chain" } })
  b:create("customers", { code = "W104", custom = { ["Customer Type"] = "Retail Chain" } })
  b:create("customers", { code = "W105", name = "No Type" })
  b:create("customers", { code = "W106", name = "Bad Field", custom = { ["Credit Limt (R)"] = 5 } })

  local problems = b:problems()
  assert_eq(#problems, 6, "one line per invalid write: " .. table.concat(problems, "\n"))
  local text = table.concat(problems, "\n")
  assert(text:find('item 1 (', 1, true) and text:find('did you mean "name"', 1, true), "unknown property suggests: " .. text)
  assert(text:find("item 2 (", 1, true) and text:find("rate", 1, true), "wrong type names the property")
  assert(text:find("item 3 (", 1, true) and text:find("Wholesale", 1, true), "a bad enum label lists or suggests the allowed ones")
  assert(not text:find("item 4 (", 1, true), "a custom field by its identifier is fine")
  assert(text:find("item 5 (", 1, true) and text:find("name", 1, true), "a required property missing")
  assert(text:find("item 6 (", 1, true) and text:find("Customer Type", 1, true), "a required custom field missing")
  assert(text:find("item 7 (", 1, true) and text:find("Credit Limit (R)", 1, true), "an unknown custom field suggests")
  assert(text:find('W102', 1, true), "errors name the item by its code")

  local res = b:apply()
  assert_eq(res.applied, 1)
  assert_eq(res.failed, 6)
  assert_eq(res.items[4].status, "applied")
  assert(res.items[4].id, "the valid one went")
  assert_eq(res.items[1].status, "failed")
  assert(res.items[1].error:find('did you mean "name"', 1, true))
  assert(by_code("W103"), "the valid customer exists")
  assert_eq(by_code("W102"), nil, "the invalid ones were not sent")
end

function TestCreateThenDelete()
  local user = assert(reader.users())[1]
  local customer = assert(reader.customers())[1]
  local b = writer.batch()
  b:create("tasks", {
    description = "Writer test task", due_date = "2030-01-02T10:00:00",
    assigned_user_id = user.id, anytime = true,
  })
  b:create("scheduled_visits", {
    due_date = "2030-01-03T09:00:00", assigned_user_id = user.id, customer_code = customer.code, all_day = true,
  })
  local res = b:apply()
  assert_eq(res.applied, 2, tostring(res.items[1].error) .. " / " .. tostring(res.items[2].error))
  local task, visit = res.items[1].id, res.items[2].id
  assert(find(assert(reader.tasks()), function(t) return t.id == task end), "the task is there")
  assert(find(assert(reader.scheduled_visits()), function(v) return v.id == visit end), "the visit is there")

  local del = writer.batch()
  del:delete("scheduled_visits", { id = visit })
  local dres = del:apply()
  assert_eq(dres.applied, 1, dres.items[1].error)
  assert_eq(dres.items[1].method, "DELETE")
  assert_eq(find(assert(reader.scheduled_visits { refresh = true }), function(v) return v.id == visit end), nil, "the visit is gone")
end

function TestSaveCSV()
  local b = writer.batch()
  local r = assert(reader.tax_rates())[1]
  b:update("tax_rates", r, { name = r.name .. " (csv)" })
  b:create("tax_rates", { name = "Bad (W3)", rate = "x" })
  local res = b:apply { dry_run = true }
  local dir = tmpdir()
  assert_eq(res:save_csv(dir .. "/plan.csv"), 2, "every item")
  local rows = assert(csv.read(dir .. "/plan.csv"))
  assert_eq(#rows, 2)
  assert_eq(rows[1].status, "planned")
  assert_eq(rows[1].method, "PATCH")
  assert_eq(rows[1].index, "1")
  assert(rows[1].changes:find(" → ", 1, true), "the plan shows before → after")
  assert(rows[1].body:find('"id"', 1, true), "the body as sent")
  assert_eq(rows[2].status, "failed")
  assert(rows[2].error ~= "", "the failure's detail")

  assert_eq(res:save_csv(dir .. "/failed.csv", { only = "failed" }), 1)
  local failed = assert(csv.read(dir .. "/failed.csv"))
  assert_eq(#failed, 1)
  assert_eq(failed[1].index, "2")
  assert_eq(res:save_csv(dir .. "/both.csv", { only = { "failed", "planned" } }), 2)
  raises(function() res:save_csv(dir .. "/x.csv", { only = "fail" }) end, "unknown status")
  local n, err = res:save_csv(dir .. "/no/such/\0/x.csv")
  assert(n == nil and err, "an unwritable path is an error value")
  local keys = {}
  for k in pairs(res) do keys[#keys + 1] = k end
  table.sort(keys)
  assert_eq(keys, { "applied", "dry_run", "failed", "items", "pending", "planned", "requests", "unknown" },
    "pairs sees only data; save_csv lives in the metatable")
end

function TestProgrammerErrorsRaise()
  local b = writer.batch()
  raises(function() b:create("custmers", { name = "x" }) end, 'did you mean "customers"')
  raises(function() b:delete("customers", { id = 1 }) end, "customers has no delete (the API offers create, update, replace)")
  raises(function() b:create("customers", "name") end, "values must be a table")
  raises(function() b:create("customers", { "a", "b" }) end, "not an array")
  raises(function() b:update("customers", { id = 1 }) end, "changes must be a table")
  raises(function() b:update("customers", { id = 1 }, { name = json.null }) end, "writer.CLEAR")
  raises(function() writer.batch { bogus = 1 } end, 'unknown option "bogus"')
  raises(function() writer.batch { batch_size = 0 } end, "batch_size")
  raises(function() b:apply { dryrun = true } end, 'unknown option "dryrun"; did you mean "dry_run"?')
  raises(function() b.create("customers", {}) end, "colon")
  assert_eq(#b, 0, "nothing was queued by the failed calls")
end

function TestEntitiesAndClear()
  local names = writer.entities()
  local set = {}
  for _, n in ipairs(names) do set[n] = true end
  assert(set.customers and set.stock_levels and set.tax_rates, "writer.entities lists the targets")
  assert_eq(tostring(writer.CLEAR), "writer.CLEAR")
  assert(tostring(writer.batch()):find("writer.batch", 1, true))
end

function TestAddFieldThenGrowItsLabels()
  local b = writer.batch()
  b:add_field { form = "customers", name = "Writer Tier", type = "SingleSelect" }
  b:add_field { form = "customers", name = "Bad Type", type = "Singleselect" }
  local res = b:apply()
  assert_eq(res.applied, 1, tostring(res.items[1].error))
  assert_eq(res.failed, 1)
  assert(res.items[2].error:find("SingleSelect", 1, true), "a bad type names the allowed ones: " .. res.items[2].error)

  local g = writer.batch()
  g:grow_enum("customers", "Writer Tier", { "Gold", "Silver" })
  g:grow_enum("customers", "Customer Type", { "Franchise" })
  local gres = g:apply()
  assert_eq(gres.applied, 2, tostring(gres.items[1].error) .. " / " .. tostring(gres.items[2].error))
  local fields = assert(reader.fields("customers"))
  local tier = find(fields, function(f) return f.name == "Writer Tier" end)
  assert(tier, "the new field is in the form definitions")
  local labels = table.concat(tier.labels or {}, ",")
  assert(labels:find("Gold", 1, true) and labels:find("Silver", 1, true), "its labels grew: " .. labels)
  raises(function() g:grow_enum("customers", "Writer Tier", "Gold") end, "table expected")
end

function TestRecordNamedByKeyIsFoundInTheCache()
  local customers = assert(reader.customers())
  local c = customers[5]
  local b = writer.batch()
  -- A customer named by its ERP code gets the id its update needs, and the
  -- plan shows the before.
  b:update("customers", { code = c.code }, { name = "Found By Code" })
  b:update("customers", { code = "NO-SUCH-CODE" }, { name = "x" })
  local res = b:apply { dry_run = true }
  assert_eq(res.items[1].status, "planned")
  assert_eq(res.items[1].changes, "name: " .. c.name .. " → Found By Code")
  assert_eq(res.items[2].status, "failed")
  assert(res.items[2].error:find('no customer with code "NO-SUCH-CODE"', 1, true), res.items[2].error)
end

function TestReplaceMustNotEmptyWhatItLeavesOut()
  local c = assert(reader.customers())[6]
  local b = writer.batch()
  -- Only some values: the replace would empty the rest, so it is refused.
  b:replace("customers", { id = c.id, code = c.code, name = "Partial" })
  -- The record read, changed and replaced whole keeps everything else.
  local whole = assert(reader.customers())[6]
  whole.name = "Replaced Whole"
  b:replace("customers", whole)
  local res = b:apply()
  assert_eq(res.items[1].status, "failed")
  assert(res.items[1].error:find("replace would empty", 1, true), res.items[1].error)
  assert_eq(res.items[2].status, "applied", res.items[2].error)
  local after = by_code(c.code)
  assert_eq(after.name, "Replaced Whole")
  for name, v in pairs(c.custom) do
    assert_eq(after.custom[name], v, "custom." .. name .. " kept by the replace")
  end
end

function TestUnknownBatchMethodNamesTheClosest()
  local b = writer.batch()
  raises(function() b:creat("tax_rates", {}) end, 'writer batch has no "creat"; did you mean "create"?')
  raises(function() writer.bacth() end, 'writer has no "bacth"; did you mean "batch"?')
end
