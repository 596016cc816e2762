// $lookup under rules through realm-web 2.0.1 (docs/rules.md, "$lookup"):
// a user of tests/e2e/apps/rules runs a realistic aggregation over its
// orders (appdb.orders, owner-only) joined with its notes (appdb.notes,
// owner-only) with $match, $lookup, $unwind, $group and $sort. Another user
// owns orders and notes with the same tags in both collections; none of
// them may reach the result, neither as a document nor as a count.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { appIdOf, useServer } from "./harness.mjs";
import { Realm, newApp } from "./auth_helpers.mjs";

const RULES_APP = join(dirname(fileURLToPath(import.meta.url)), "apps", "rules");
const RULES_APP_ID = appIdOf(RULES_APP);
const SERVICE = "mongodb-atlas";

let server;
useServer({ apps: [RULES_APP] }, (s) => (server = s));

async function anonUser() {
  return newApp(server, RULES_APP_ID).logIn(Realm.Credentials.anonymous());
}

const coll = (user, name) => user.mongoClient(SERVICE).db("appdb").collection(name);

/** Orders and notes of `user`, the same tags for every user. */
async function seed(user, scale) {
  await coll(user, "orders").insertMany([
    { owner_id: user.id, tag: "tea", qty: 1 * scale },
    { owner_id: user.id, tag: "tea", qty: 2 * scale },
    { owner_id: user.id, tag: "jam", qty: 4 * scale },
    { owner_id: user.id, tag: "jam", qty: 0 },
  ]);
  await coll(user, "notes").insertMany([
    { owner_id: user.id, tag: "tea", text: `tea note of ${user.id}` },
    { owner_id: user.id, tag: "jam", text: `jam note of ${user.id}` },
    { owner_id: user.id, tag: "jam", text: `second jam note of ${user.id}` },
  ]);
}

const PIPELINE = [
  { $match: { qty: { $gt: 0 } } },
  { $lookup: { from: "notes", localField: "tag", foreignField: "tag", as: "notes" } },
  { $unwind: "$notes" },
  {
    $group: {
      _id: "$tag",
      qty: { $sum: "$qty" },
      joined: { $sum: 1 },
      authors: { $addToSet: "$notes.owner_id" },
      texts: { $addToSet: "$notes.text" },
    },
  },
  { $sort: { _id: 1 } },
];

test("an owner's $match/$lookup/$unwind/$group/$sort sees exactly its own orders and notes", async () => {
  const alice = await anonUser();
  const bob = await anonUser();
  await seed(alice, 1);
  await seed(bob, 100);

  const result = await coll(alice, "orders").aggregate(PIPELINE);
  for (const row of result) row.texts.sort();
  assert.deepEqual(result, [
    // jam: one order with qty 4 (the qty 0 one is filtered), two notes.
    {
      _id: "jam",
      qty: 8,
      joined: 2,
      authors: [alice.id],
      texts: [`jam note of ${alice.id}`, `second jam note of ${alice.id}`],
    },
    // tea: two orders (1 + 2), one note each.
    { _id: "tea", qty: 3, joined: 2, authors: [alice.id], texts: [`tea note of ${alice.id}`] },
  ]);

  // Bob's view is his own, scaled: nothing of Alice's either.
  const bobs = await coll(bob, "orders").aggregate(PIPELINE);
  assert.deepEqual(
    bobs.map((r) => [r._id, r.qty, r.joined, r.authors]),
    [
      ["jam", 800, 2, [bob.id]],
      ["tea", 300, 2, [bob.id]],
    ],
  );
});

test("the pipeline form of $lookup reads the target under its rules too", async () => {
  const alice = await anonUser();
  const bob = await anonUser();
  await seed(alice, 1);
  await seed(bob, 100);
  const rows = await coll(alice, "orders").aggregate([
    { $match: { tag: "tea" } },
    {
      $lookup: {
        from: "notes",
        let: { t: "$tag" },
        pipeline: [{ $match: { $expr: { $eq: ["$tag", "$$t"] } } }, { $project: { _id: 0, owner_id: 1 } }],
        as: "notes",
      },
    },
    { $project: { _id: 0, qty: 1, notes: 1 } },
  ]);
  assert.deepEqual(rows, [
    { qty: 1, notes: [{ owner_id: alice.id }] },
    { qty: 2, notes: [{ owner_id: alice.id }] },
  ]);
  // A collection without rules reads as empty from a $lookup.
  const none = await coll(alice, "orders").aggregate([
    { $match: { tag: "jam", qty: 4 } },
    { $lookup: { from: "no_rules_here", localField: "tag", foreignField: "tag", as: "x" } },
    { $project: { _id: 0, x: 1 } },
  ]);
  assert.deepEqual(none, [{ x: [] }]);
});
