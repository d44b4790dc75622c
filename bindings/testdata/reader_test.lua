local reader = require "reader"
local json = require "json"
local csv = require "csv"

local function tables_filter(list, key)
  local out = {}
  for _, r in ipairs(list) do
    if r[key] then out[#out + 1] = r end
  end
  return out
end

local function first_with(list, pred)
  for _, r in ipairs(list) do
    if pred(r) then return r end
  end
end

function TestCustomersArePlainTables()
  local customers, err = reader.customers()
  assert(customers, err)
  assert_eq(#customers, 40, "every customer is read")
  local c = customers[1]
  assert(type(c.id) == "number" and c.id == math.floor(c.id), "ids are integers")
  assert(type(c.code) == "string")
  local keys = 0
  for _ in pairs(c) do keys = keys + 1 end
  assert(keys > 5, "pairs walks the standard properties")
  table.sort(customers, function(a, b) return a.id > b.id end)
  assert(customers[1].id > customers[40].id, "table.sort works on the list")
  local text = assert(json.encode(c))
  assert(text:find('"custom"'), "json sees the custom table")
  assert(csv.encode({ c }), "csv takes a record")
end

function TestCustomFieldsByNameAndIdentifier()
  local customers = assert(reader.customers())
  local c = first_with(customers, function(r) return rawget(r.custom, "Credit Limit (R)") ~= nil end)
  assert(c, "some customer has a credit limit")
  assert_eq(type(c.custom["Credit Limit (R)"]), "number", "numbers arrive as numbers")
  assert_eq(c.custom.credit_limit_r, c.custom["Credit Limit (R)"], "identifier name finds the same field")
  local region = first_with(customers, function(r) return rawget(r.custom, "Région") ~= nil end)
  assert(region and region.custom.region == region.custom["Région"], "accents fold in identifiers")
  local addr = first_with(customers, function(r) return rawget(r.custom, "Delivery Address") ~= nil end)
  assert(addr and addr.custom.delivery_address.city ~= nil, "addresses are {street, city, state, zip}")
  local days = first_with(customers, function(r) return rawget(r.custom, "Trading Days") ~= nil end)
  assert(days and type(days.custom.trading_days) == "table", "multi-selects are arrays")
end

function TestEmptyFieldIsNilUnknownFieldRaises()
  local customers = assert(reader.customers())
  local c = first_with(customers, function(r) return rawget(r.custom, "Notes") == nil end)
  assert(c, "some customer has no notes")
  assert_eq(c.custom.Notes, nil, "a defined but empty field reads as nil")
  local ok, err = pcall(function() return customers[1].custom["Credit Limt (R)"] end)
  assert(not ok, "a misspelt field raises")
  assert(tostring(err):find("Credit Limit (R)", 1, true), "the error names the closest field: " .. tostring(err))
end

function TestOrdersCarryRepAndFormValues()
  local orders = assert(reader.orders())
  assert(#orders > 0)
  local o = orders[1]
  assert(type(o.user_name) == "string", "orders carry the rep from their interaction")
  assert(type(o.user_id) == "number")
  local with_terms = first_with(orders, function(r) return rawget(r.custom, "Payment Terms") ~= nil end)
  assert(with_terms, "order-form values reach the order")
  local quotes = assert(reader.quotes())
  assert(#quotes == 0 or type(quotes[1].user_name) == "string", "quotes carry their rep too")
end

function TestCompletedFormsPerForm()
  local visits = assert(reader.completed_forms { form = "Store Visit" })
  for _, f in ipairs(visits) do
    assert_eq(f.form_name, "Store Visit")
  end
  local ok, err = pcall(reader.completed_forms, { form = 1, bogus = true })
  assert(not ok and tostring(err):find("bogus"), "unknown options raise")
  local none, ferr = reader.completed_forms { form = "Stor Visit" }
  assert(none == nil and ferr:find("Store Visit", 1, true), "an unknown form name suggests the closest")
end

function TestRefreshAndGenericList()
  assert(reader.tax_rates { refresh = true })
  local statuses, err = reader.list("/taxrates", { flags = { "show_nulls" } })
  assert(statuses, err)
  assert(#statuses > 0)
  local fields = assert(reader.fields("customers"))
  local found = first_with(fields, function(f) return f.name == "Credit Limit (R)" end)
  assert(found and found.ident == "credit_limit_r")
end

-- Completed forms have one field set per form: reader.fields lists every
-- custom form's fields in form order, each naming its form.
function TestCompletedFormFields()
  local fields = assert(reader.fields("completed_forms"))
  local visit = {}
  for _, f in ipairs(fields) do
    assert(f.form ~= "Customer" and f.form ~= "Order Details" and f.form ~= "Dropbox", f.form)
    if f.form == "Store Visit" then visit[#visit + 1] = f.name end
  end
  assert_eq(table.concat(visit, "|"),
    "Shelf Share (%)|Competitor Activity|Store Layout|Merchandising|Follow-up Needed|Visit Notes|Ranges Checked")
end

-- A form definition's custom_fields is the form's list of field
-- definitions, kept as a plain property (not custom field values).
function TestFormDefinitionsKeepTheirFields()
  local forms = assert(reader.form_definitions())
  local customer = first_with(forms, function(f) return f.name == "Customer" end)
  assert(customer, "the Customer form is listed")
  assert_eq(customer.custom, nil, "form definitions have no custom table")
  assert(type(customer.custom_fields) == "table" and #customer.custom_fields > 0, "custom_fields is kept")
  local limit = first_with(customer.custom_fields, function(f) return f.name == "Credit Limit (R)" end)
  assert(limit, "the fields are the form's fields")
  assert(type(limit.id) == "number" and type(limit.type) == "string" and type(limit.required) == "boolean")
  local enum = first_with(customer.custom_fields, function(f) return f.enumeration_values ~= nil end)
  assert(enum and type(enum.enumeration_values[1].label) == "string", "enum fields carry their values")
  local slim = assert(reader.form_definitions { fields = { "name", "custom_fields" } })
  assert_eq(#slim[1].custom_fields > 0, true, "the fields option may ask for custom_fields")
  local listed = assert(reader.list("/formdefinitions", { flags = { "show_enums" } }))
  assert_eq(#listed[1].custom_fields, #forms[1].custom_fields, "reader.list keeps them too")
end

function TestMisspeltEntitySuggests()
  local ok, err = pcall(function() return reader.custmers() end)
  assert(not ok and tostring(err):find('"customers"', 1, true), tostring(err))
  -- reader.fields raises the same way, rather than returning nil, err.
  ok, err = pcall(reader.fields, "custmers")
  assert(not ok and tostring(err):find("bad argument #1", 1, true) and tostring(err):find('"customers"', 1, true), tostring(err))
  assert_eq(#assert(reader.fields("warehouses")), 0, "an entity without custom fields has none")
end

function TestFieldsOption()
  local slim = assert(reader.customers { fields = { "code", "active", "custom.Credit Limit (R)" } })
  assert_eq(#slim, 40)
  local c = slim[1]
  local keys = {}
  for k in pairs(c) do keys[#keys + 1] = k end
  table.sort(keys)
  assert(#keys <= 3, "only the fields asked for: " .. table.concat(keys, ","))
  -- A property left out raises when read, naming the fix; so does a near
  -- miss of a property customers have.
  local okn, errn = pcall(function() return c.name end)
  assert(not okn and tostring(errn):find('property "name" was not loaded: add "name" to the fields option', 1, true), tostring(errn))
  local okt, errt = pcall(function() return c.nmae end)
  assert(not okt and tostring(errt):find('customers have no property "nmae"; did you mean "name"', 1, true), tostring(errt))
  -- A name far from every property is the script's own: nil until set.
  assert(c.flagged == nil)
  c.flagged = true
  assert(c.flagged == true and slim[2].flagged == nil)
  local okc, errc = pcall(function() return slim[1].custom.Notes end)
  assert(not okc and tostring(errc):find("was not loaded"), tostring(errc))
  -- A loaded property the API sent as null reads as nil; numbers index nothing.
  local sparse = assert(reader.customers { fields = { "code", "default_warehouse_id" } })
  local nulls = 0
  for _, r in ipairs(sparse) do
    if rawget(r, "default_warehouse_id") == nil then
      nulls = nulls + 1
      assert_eq(r.default_warehouse_id, nil)
    end
  end
  assert(nulls > 0, "some customers have no default warehouse")
  assert_eq(sparse[1][1], nil)
  local okx, errx = pcall(function() return sparse[1].custom end)
  assert(not okx and tostring(errx):find('add "custom" or "custom.NAME"', 1, true), tostring(errx))
  -- The encoders read projected records without tripping (pretty and
  -- the tables helpers: e2e_scripts_test.go).
  assert(json.encode(slim[1]):find('"code"', 1, true))
  assert(csv.encode(sparse):find("default_warehouse_id", 1, true))
  local _ = c.custom.credit_limit_r -- loaded: reads (maybe nil) without error
  local ok, err = pcall(function() return c.custom["Customer Type"] end)
  assert(not ok and tostring(err):find("was not loaded"), tostring(err))
  local ok2, err2 = pcall(reader.customers, { fields = { "nmae" } })
  assert(not ok2 and tostring(err2):find('"name"'), tostring(err2))
  local ok3, err3 = pcall(reader.customers, { fields = { "custom.Credt Limit (R)" } })
  assert(not ok3 and tostring(err3):find("Credit Limit", 1, true), tostring(err3))
  local orders = assert(reader.orders { fields = { "id", "user_name", "custom" } })
  assert(orders[1].user_name ~= nil and orders[1].custom ~= nil)
end

-- Records read whole: a slip of a property's name raises with the closest
-- (a report would otherwise read it as empty in every row); a property the
-- API sent as null and a key of the script's own read as nil.
function TestWholeRecordsCatchSlips()
  local orders = assert(reader.orders())
  local o = orders[1]
  for name, want in pairs({ totl_amount = "total_amount", refrence = "reference", currency_cod = "currency_code", Id = "id", custm = "custom", user_nmae = "user_name" }) do
    local ok, err = pcall(function() return o[name] end)
    assert(not ok and tostring(err):find(('orders have no property "%s"; did you mean "%s"'):format(name, want), 1, true), name .. ": " .. tostring(err))
  end
  assert_eq(o.total, nil, "a script's own key (a prefix of a property) is not a slip")
  assert_eq(o.week, nil)
  for _, own in ipairs({ "customer", "dates", "ids", "item", "discounts", "" }) do
    assert_eq(o[own], nil, own .. " extends or is the singular of a property: the script's own")
  end
  -- A name the script sets on some records is its own on all of them,
  -- however close to a property ("refrence" is one letter from reference).
  local ok0 = pcall(function() return orders[3].refrence end)
  assert(not ok0, "a slip before the script set it")
  orders[2].refrence = "mine"
  assert_eq(orders[3].refrence, nil)
  assert_eq(orders[2].refrence, "mine")
  assert_eq(#tables_filter(orders, "refrence"), 1)
  o.total = 1
  assert_eq(o.total, 1)
  local c = assert(reader.customers())
  local nulls = 0
  for _, r in ipairs(c) do
    if rawget(r, "default_warehouse_id") == nil then
      nulls = nulls + 1
      assert_eq(r.default_warehouse_id, nil)
    end
  end
  assert(nulls > 0, "some customers have no default warehouse")
  -- Whole records list their properties for Tab completion, and encode
  -- as before.
  local names = rawget(getmetatable(o), "__names")
  assert(#names > 10, "properties for completion")
  assert(json.encode(o):find('"total_amount"', 1, true))
  -- reader.list knows no entity: its records stay plain.
  assert_eq(getmetatable(assert(reader.list("/warehouses"))[1]), nil)
end

-- The custom table's metatable lists every field it may hold (set or
-- empty) in __names, read raw by the REPL's Tab completion.
function TestCustomNamesForCompletion()
  local c = assert(reader.customers())[1]
  local names = rawget(getmetatable(c.custom), "__names")
  local set = {}
  for _, n in ipairs(names) do set[n] = true end
  assert(set["Credit Limit (R)"] and set["Notes"] and set["Région"], table.concat(names, ", "))
  local slim = assert(reader.customers { fields = { "custom.Notes" } })[1]
  local only = rawget(getmetatable(slim.custom), "__names")
  assert_eq(#only, 1)
  assert_eq(only[1], "Notes")
end

-- csv columns are looked up on the first record as a script would read
-- them: an identifier names its display-name column, and a slip raises
-- instead of writing a column empty in every row.
function TestCSVColumnsThroughRecords()
  local c = assert(reader.customers())
  local text = csv.encode({ c[1] }, { columns = { "code", "custom.credit_limit_r" }, only = true })
  assert(text:find("^code,custom.Credit Limit %(R%)\r?\n"), text)
  assert(not text:find("\n[^,]+,\r?\n"), "the identifier's column has the value: " .. text)
  for cols, want in pairs({
    [{ "nmae" }] = 'columns: customers have no property "nmae"; did you mean "name"?',
    [{ "custom.Custmer Type" }] = 'columns: no custom field "Custmer Type"; did you mean "Customer Type"',
  }) do
    local ok, err = pcall(csv.encode, c, { columns = cols })
    assert(not ok and tostring(err):find(want, 1, true), tostring(err))
  end
  -- A part of an address field, and a column behind rows that lack it
  -- (a left join whose first row has no right side).
  local addr = csv.encode({ c[1] }, { columns = { "custom.Delivery Address.city" }, only = true })
  assert(addr:find("^custom.Delivery Address.city\r?\n[^\n]+"), addr)
  local joined = { { left = {} }, { left = {}, right = c[1] } }
  local text2 = csv.encode(joined, { columns = { "right.custom.credit_limit_r" }, only = true })
  assert(text2:find("^right.custom.Credit Limit %(R%)\r?\n"), text2)
  local okj, errj = pcall(csv.encode, joined, { columns = { "right.custom.Credt Limit (R)" } })
  assert(not okj and tostring(errj):find('no custom field "Credt Limit (R)"', 1, true), tostring(errj))
  -- A property null everywhere, and rows the script built, stay as asked.
  assert(csv.encode(c, { columns = { "default_warehouse_id" }, only = true }))
  assert_eq(csv.encode({ { a = 1 } }, { columns = { "b" } }), "b,a\n,1\n")
end

-- Setting a custom field: by identifier it lands under the display name;
-- a misspelt name raises as reading it does.
function TestCustomFieldAssignment()
  local c = assert(reader.customers())[1]
  c.custom.credit_limit_r = 123
  assert_eq(rawget(c.custom, "Credit Limit (R)"), 123)
  assert_eq(rawget(c.custom, "credit_limit_r"), nil)
  local ok, err = pcall(function() c.custom.Regoin = "North" end)
  assert(not ok and tostring(err):find('customers have no custom field "Regoin"; did you mean', 1, true), tostring(err))
end
