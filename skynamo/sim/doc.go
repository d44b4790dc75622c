// Package sim is a simulated Skynamo instance speaking the public API v1
// over real HTTP, for tests, benchmarks and demos (`skynamo sim`).
//
// It is written from Skynamo's OpenAPI description and the observed
// behaviour recorded in the shared FACTS.md, independently of the client in
// package skynamo, so that a misreading in one shows up as a failure in the
// other. It imports nothing from the client.
//
// What it does, in the order API Gateway does it:
//   - routing: an unknown path or a method a path lacks answers 403
//     {"message":"Missing Authentication Token"} (only GETs are served);
//   - keys: a wrong or missing x-api-key or x-api-client answers 403
//     {"message":"Forbidden"};
//   - faults (Faults, SetFaults): a usage-plan quota (429 "Limit
//     Exceeded"), throttling (429 "Too Many Requests", from a token bucket
//     or at random, optionally with Retry-After; throttled requests do not
//     use the quota) and failing backends (502), after a configurable
//     latency that gives way when the client stops waiting;
//   - lists with page_number/page_size, filters and flags (show_nulls,
//     show_enums), and single items by id (and invoices by external id).
//
// The data is a seeded demo company (users, warehouses, tax rates, price
// lists in ZAR and USD, products with order units, prices, stock levels,
// customers with custom fields of every type, six months of orders, quotes
// and credit requests with their interactions and completed forms,
// invoices, visit frequencies, contacts, tasks, scheduled visits and
// customer comments). The same Seed, sizes and Now give byte-identical
// data. Versioned records share one row_version counter, handed out in
// order of last change.
//
// Where the real API's behaviour is unknown (FACTS.md, "Unknowns"),
// Behaviour and SetBehaviour switch between the candidates: the rate and
// burst of the gateway, lists ordered by id or by last_modified_time,
// new records at the end or not, `row_version` or the 2023 `version`, and
// Churn, data changing between the pages of a pull. Mutate makes those
// changes (deletes, updates, inserts made like the seeded records) on
// demand, deterministically from the seed.
//
// Records are kept in id order (and, once UnstableOrder has been asked
// for, also in last_modified_time order) with their JSON encoded once per
// flag set and cached until they change, so serving a page is mostly
// copying bytes. One RWMutex guards the data: reads run concurrently,
// changes (Mutate, TouchCustomers, churn, switching behaviours) take the
// write lock and drop the cached encodings and filter results of what they
// touch.
package sim
