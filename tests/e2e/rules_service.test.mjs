// The MongoDB service under rules (docs/mongodb-service.md, docs/rules.md)
// through realm-web 2.0.1: user.mongoClient("mongodb-atlas").db(..).collection(..)
// becomes POST functions/call with a `service`, run as the caller under the
// collection's rules.json. The app is tests/e2e/apps/rules:
//   appdb.notes     owner-only (owner_id == %%user.id), owners insert and delete
//   appdb.profiles  everyone reads name and owner_id; owners read/write theirs, never delete
//   myapp.users     the quickstart custom-user-data rules (no client inserts)
// Every refusal is also checked from the owner's side: what it could see
// before is exactly what it sees after. Requests realm-web cannot make (bad
// input, wire types) are raw fetches.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { appIdOf, checkEnvelope, useServer } from "./harness.mjs";
import { P, Realm, emailUser, expectRealmError, newApp, raw } from "./auth_helpers.mjs";

const RULES_APP = join(dirname(fileURLToPath(import.meta.url)), "apps", "rules");
const RULES_APP_ID = appIdOf(RULES_APP); // "rules-e2e-abcde"
const SERVICE = "mongodb-atlas";
const callPath = `${P}/app/${RULES_APP_ID}/functions/call`;
const { ObjectId, EJSON } = Realm.BSON;

let server;
useServer({ apps: [RULES_APP] }, (s) => (server = s));

/** A logged-in anonymous user of its own App (a new user every call). */
async function anonUser() {
  return newApp(server, RULES_APP_ID).logIn(Realm.Credentials.anonymous());
}

function collection(user, name = "notes", db = "appdb") {
  return user.mongoClient(SERVICE).db(db).collection(name);
}

const notes = (user) => collection(user, "notes");
const profiles = (user) => collection(user, "profiles");

/** Inserts `count` notes owned by user, tagged `tag`; returns their ids. */
async function seedNotes(user, tag, count = 2) {
  const docs = [];
  for (let i = 0; i < count; i++) docs.push({ owner_id: user.id, tag, n: i, text: `${tag} secret ${i}` });
  const { insertedIds } = await notes(user).insertMany(docs);
  return insertedIds;
}

/** Everything user can read in a collection, in _id order, as canonical EJSON text. */
async function snapshot(user, name = "notes") {
  const docs = await collection(user, name).find({}, { sort: { _id: 1 } });
  return EJSON.stringify(docs, { relaxed: false });
}

/** An owner with seeded notes and a second user: {owner, other, ids, before}. */
async function ownerAndOther(tag) {
  const owner = await anonUser();
  const other = await anonUser();
  const ids = await seedNotes(owner, tag);
  const before = await snapshot(owner);
  return { owner, other, ids, before };
}

/** Asserts the owner still reads exactly `before`. */
async function assertUnchanged(owner, before, what = "owner's notes") {
  assert.equal(await snapshot(owner), before, `${what} unchanged`);
}

/** Raw functions/call; body is sent as is. */
function rawCall(token, body) {
  return raw(server, "POST", callPath, { token, body });
}

/** Raw call of a MongoDB action on appdb.<collection> with one argument document. */
function rawAction(user, name, args = {}, { collection: coll = "notes", database = "appdb" } = {}) {
  return rawCall(user.accessToken, {
    name,
    arguments: [{ database, collection: coll, ...args }],
    service: SERVICE,
  });
}

/** Asserts a raw response is the JSON error envelope with this status and code. */
function expectEnvelope(res, status, errorCode, what = "") {
  const prefix = what ? `${what}: ` : "";
  assert.equal(res.status, status, `${prefix}status (body ${res.text})`);
  assert.equal(res.headers.get("content-type"), "application/json", `${prefix}content-type`);
  assert.ok(res.json, `${prefix}body is JSON: ${res.text}`);
  return checkEnvelope(assert, res.json, errorCode);
}

// ---------------------------------------------------------------------------
// The owner's own notes

test("an owner inserts, finds and counts its notes; results decode to ObjectId, array and numbers", async () => {
  const { user } = await emailUser(server, { tag: "crud", app: newApp(server, RULES_APP_ID) });
  const c = notes(user);

  const one = await c.insertOne({ owner_id: user.id, title: "first", n: 1 });
  assert.deepEqual(Object.keys(one), ["insertedId"]);
  assert.ok(one.insertedId instanceof ObjectId, `insertedId is an ObjectId: ${one.insertedId}`);

  const many = await c.insertMany([
    { owner_id: user.id, title: "second", n: 2 },
    { owner_id: user.id, title: "third", n: 3 },
  ]);
  assert.deepEqual(Object.keys(many), ["insertedIds"]);
  assert.ok(Array.isArray(many.insertedIds));
  assert.equal(many.insertedIds.length, 2);
  for (const id of many.insertedIds) assert.ok(id instanceof ObjectId);

  const all = await c.find({}, { sort: { n: 1 } });
  assert.ok(Array.isArray(all));
  assert.deepEqual(
    all.map((d) => d.title),
    ["first", "second", "third"],
  );
  assert.ok(all[0]._id instanceof ObjectId);
  assert.equal(all[0]._id.toHexString(), one.insertedId.toHexString());
  assert.equal(all[1]._id.toHexString(), many.insertedIds[0].toHexString(), "insertedIds keep input order");
  assert.equal(typeof all[0].n, "number");
  assert.equal(all[0].owner_id, user.id);

  const limited = await c.find({ n: { $gte: 2 } }, { sort: { n: -1 }, limit: 1, projection: { title: 1, _id: 0 } });
  assert.deepEqual(limited, [{ title: "third" }]);

  const found = await c.findOne({ title: "second" });
  assert.equal(found.n, 2);
  assert.equal(await c.findOne({ title: "nope" }), null);

  const count = await c.count();
  assert.equal(typeof count, "number");
  assert.equal(count, 3);
  assert.equal(await c.count({ n: { $gt: 1 } }), 2);
});

test("an owner updates its notes: counts are numbers, upsertedId only after an upsert", async () => {
  const user = await anonUser();
  const c = notes(user);
  await seedNotes(user, "upd", 3);

  const one = await c.updateOne({ n: 0 }, { $set: { done: true } });
  assert.deepEqual(one, { matchedCount: 1, modifiedCount: 1 });
  assert.equal(typeof one.matchedCount, "number");
  assert.equal(typeof one.modifiedCount, "number");
  assert.ok(!("upsertedId" in one), "no upsertedId without an upsert");

  const many = await c.updateMany({}, { $inc: { n: 10 } });
  assert.deepEqual(many, { matchedCount: 3, modifiedCount: 3 });

  const noop = await c.updateOne({ n: 10 }, { $set: { done: true } });
  assert.deepEqual(noop, { matchedCount: 1, modifiedCount: 0 }, "setting the same value modifies nothing");

  const none = await c.updateMany({ n: 99 }, { $set: { done: true } });
  assert.deepEqual(none, { matchedCount: 0, modifiedCount: 0 });

  const upserted = await c.updateOne(
    { tag: "upd", n: 42 },
    { $set: { owner_id: user.id, text: "made by upsert" } },
    { upsert: true },
  );
  assert.equal(upserted.matchedCount, 0);
  assert.equal(upserted.modifiedCount, 0);
  assert.ok(upserted.upsertedId instanceof ObjectId, `upsertedId is an ObjectId: ${upserted.upsertedId}`);
  const made = await c.findOne({ _id: upserted.upsertedId });
  assert.equal(made.n, 42, "the filter's equality fields are in the upserted document");
  assert.equal(made.text, "made by upsert");

  const after = await c.findOneAndUpdate({ n: 11 }, { $set: { title: "new" } }, { returnNewDocument: true });
  assert.equal(after.title, "new", "returnNewDocument returns the document after the update");
  assert.equal(after.n, 11);
  assert.ok(after._id instanceof ObjectId);
  const beforeDoc = await c.findOneAndUpdate({ n: 11 }, { $set: { title: "newer" } });
  assert.equal(beforeDoc.title, "new", "without returnNewDocument it is the document before");
  assert.equal(await c.findOneAndUpdate({ n: 1234 }, { $set: { title: "x" } }), null);
  assert.equal((await c.findOne({ n: 11 })).title, "newer");
});

test("an owner deletes its notes: deletedCount is a number, findOneAndDelete returns the document", async () => {
  const user = await anonUser();
  const c = notes(user);
  await seedNotes(user, "del", 5);

  const one = await c.deleteOne({ n: 0 });
  assert.deepEqual(one, { deletedCount: 1 });
  assert.equal(typeof one.deletedCount, "number");

  const gone = await c.findOneAndDelete({ n: 1 });
  assert.equal(gone.n, 1);
  assert.equal(gone.owner_id, user.id);
  assert.ok(gone._id instanceof ObjectId);
  assert.equal(await c.findOneAndDelete({ n: 1 }), null, "already deleted");

  assert.deepEqual(await c.deleteOne({ n: 77 }), { deletedCount: 0 });
  assert.deepEqual(await c.deleteMany({ n: { $gte: 3 } }), { deletedCount: 2 });
  assert.deepEqual(
    (await c.find()).map((d) => d.n),
    [2],
  );
  assert.deepEqual(await c.deleteMany({}), { deletedCount: 1 });
  assert.equal(await c.count(), 0);
});

test("on the wire: Int32 matched/modified/deleted counts, Int64 count, ObjectId ids", async () => {
  const user = await anonUser();

  let res = await rawAction(user, "insertOne", { document: { owner_id: user.id, n: 1 } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(Object.keys(res.json), ["insertedId"]);
  assert.match(res.json.insertedId.$oid, /^[0-9a-f]{24}$/);

  res = await rawAction(user, "insertMany", { documents: [{ owner_id: user.id, n: 2 }, { owner_id: user.id, n: 3 }] });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.insertedIds.length, 2);
  for (const id of res.json.insertedIds) assert.match(id.$oid, /^[0-9a-f]{24}$/);

  res = await rawAction(user, "updateMany", { query: {}, update: { $set: { seen: true } } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { matchedCount: { $numberInt: "3" }, modifiedCount: { $numberInt: "3" } });

  res = await rawAction(user, "count", { query: {} });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { $numberLong: "3" });

  res = await rawAction(user, "find", { query: { n: 1 } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.length, 1);
  assert.deepEqual(res.json[0].n, { $numberInt: "1" }, "documents are canonical EJSON too");

  res = await rawAction(user, "deleteMany", { query: {} });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { deletedCount: { $numberInt: "3" } });
});

// ---------------------------------------------------------------------------
// Another user's notes: invisible, and out of reach of every action

test("another user finds nothing of the owner's notes (find, findOne, count)", async () => {
  const { owner, other, ids, before } = await ownerAndOther("iso-read");
  const c = notes(other);
  assert.deepEqual(await c.find(), []);
  assert.deepEqual(await c.find({ owner_id: owner.id }), []);
  assert.deepEqual(await c.find({ _id: ids[0] }), []);
  assert.equal(await c.findOne(), null);
  assert.equal(await c.findOne({ _id: ids[0] }), null);
  assert.equal(await c.count(), 0);
  assert.equal(await c.count({ owner_id: owner.id }), 0);
  await assertUnchanged(owner, before);
  assert.equal(await notes(owner).count(), 2, "the owner still sees its two notes");
});

test("another user's updateMany({}, {$set}) matches nothing", async () => {
  const { owner, other, before } = await ownerAndOther("iso-updmany");
  const res = await notes(other).updateMany({}, { $set: { text: "hacked" } });
  assert.deepEqual(res, { matchedCount: 0, modifiedCount: 0 });
  await assertUnchanged(owner, before);
});

test("another user's deleteMany({}) deletes nothing", async () => {
  const { owner, other, before } = await ownerAndOther("iso-delmany");
  const res = await notes(other).deleteMany({});
  assert.deepEqual(res, { deletedCount: 0 });
  await assertUnchanged(owner, before);
});

test("another user's single-document writes (updateOne, deleteOne, findOneAnd*) match nothing", async () => {
  const { owner, other, ids, before } = await ownerAndOther("iso-one");
  const c = notes(other);
  assert.deepEqual(await c.updateOne({ _id: ids[0] }, { $set: { text: "hacked" } }), {
    matchedCount: 0,
    modifiedCount: 0,
  });
  assert.deepEqual(await c.deleteOne({ _id: ids[0] }), { deletedCount: 0 });
  assert.equal(await c.findOneAndUpdate({ _id: ids[0] }, { $set: { text: "hacked" } }), null);
  assert.equal(
    await c.findOneAndReplace({ _id: ids[0] }, { owner_id: other.id, text: "mine now" }),
    null,
  );
  assert.equal(await c.findOneAndDelete({ _id: ids[0] }), null);
  await assertUnchanged(owner, before);
  assert.equal(await notes(other).count(), 0, "nothing was created for the other user either");
});

test("another user's aggregate([{$match: {}}]) returns only its own documents", async () => {
  const { owner, other, before } = await ownerAndOther("iso-agg");
  assert.deepEqual(await notes(other).aggregate([{ $match: {} }]), []);
  assert.deepEqual(await notes(other).aggregate([{ $match: { owner_id: owner.id } }]), []);
  assert.deepEqual(await notes(other).aggregate([{ $project: { text: 1 } }]), []);
  assert.deepEqual(await notes(other).aggregate([{ $count: "n" }]), []);

  await notes(other).insertOne({ owner_id: other.id, text: "other's own" });
  const own = await notes(other).aggregate([{ $match: {} }]);
  assert.deepEqual(
    own.map((d) => d.text),
    ["other's own"],
  );
  // The owner's view is the same as ever (its own aggregate sees its two notes only).
  assert.equal((await notes(owner).aggregate([{ $match: {} }])).length, 2);
  await assertUnchanged(owner, before);
});

test("aggregate with $lookup joins only what the caller may read, and leaks nothing", async () => {
  const { owner, other, before } = await ownerAndOther("iso-lookup");
  // The other user has a document of its own for a $lookup to hang on,
  // with the tag the owner's notes carry.
  await notes(other).insertOne({ owner_id: other.id, tag: "iso-lookup", text: "bait" });
  const joined = await notes(other).aggregate([
    { $match: {} },
    { $lookup: { from: "notes", localField: "tag", foreignField: "tag", as: "joined" } },
  ]);
  assert.equal(joined.length, 1);
  assert.deepEqual(
    joined[0].joined.map((d) => d.text),
    ["bait"],
    "the owner's notes with the same tag are not joined",
  );
  assert.ok(!JSON.stringify(joined).includes("secret"), "no note of the owner leaks");
  // Behind $facet: a result without the owner's notes, or an error (while
  // $facet is not supported) that leaks nothing either.
  try {
    const faceted = await notes(other).aggregate([
      { $facet: { x: [{ $lookup: { from: "notes", pipeline: [], as: "all" } }] } },
    ]);
    assert.ok(!JSON.stringify(faceted).includes("secret"), "no note of the owner leaks");
  } catch (err) {
    assert.ok(!String(err.message).includes("secret"), `the error leaks no document: ${err.message}`);
  }
  await assertUnchanged(owner, before);
});

test("an upsert creating a document owned by someone else is refused: insert not permitted, 403", async () => {
  const { owner, other, before } = await ownerAndOther("iso-upsert");
  const err = await expectRealmError(
    notes(other).updateOne({ x: 1 }, { $set: { owner_id: owner.id } }, { upsert: true }),
    403,
    "NoMatchingRuleFound",
  );
  assert.equal(err.error, "insert not permitted");
  // No document was created, for either user.
  await assertUnchanged(owner, before);
  assert.equal(await notes(owner).count({ x: 1 }), 0);
  assert.equal(await notes(other).count(), 0);

  // The same raw: the envelope and status.
  const res = await rawAction(other, "updateOne", {
    query: { x: 1 },
    update: { $set: { owner_id: owner.id } },
    upsert: true,
  });
  expectEnvelope(res, 403, "NoMatchingRuleFound");
  assert.equal(res.json.error, "insert not permitted");
  await assertUnchanged(owner, before);
});

test("findOneAndReplace by the owner that hands the note to another user is refused", async () => {
  const { owner, other, ids, before } = await ownerAndOther("give-replace");
  await expectRealmError(
    notes(owner).findOneAndReplace({ _id: ids[0] }, { owner_id: other.id, text: "yours now" }),
    403,
    "NoMatchingRuleFound",
  );
  await assertUnchanged(owner, before);
  assert.equal(await notes(other).count(), 0, "the other user did not receive it");
});

test("updateOne by the owner that sets owner_id to someone else is refused", async () => {
  const { owner, other, ids, before } = await ownerAndOther("give-update");
  await expectRealmError(
    notes(owner).updateOne({ _id: ids[0] }, { $set: { owner_id: other.id } }),
    403,
    "NoMatchingRuleFound",
  );
  // updateMany stops at the first refused document and changes none.
  await expectRealmError(
    notes(owner).updateMany({}, { $set: { owner_id: other.id } }),
    403,
    "NoMatchingRuleFound",
  );
  await assertUnchanged(owner, before);
  assert.equal(await notes(other).count(), 0);
});

test("inserting a document with someone else's owner_id is refused", async () => {
  const { owner, other, before } = await ownerAndOther("plant");
  const err = await expectRealmError(
    notes(other).insertOne({ owner_id: owner.id, text: "planted" }),
    403,
    "NoMatchingRuleFound",
  );
  assert.equal(err.error, "insert not permitted");
  // insertMany is all or nothing: one foreign document refuses the lot.
  await expectRealmError(
    notes(other).insertMany([
      { owner_id: other.id, text: "fine" },
      { owner_id: owner.id, text: "planted" },
    ]),
    403,
    "NoMatchingRuleFound",
  );
  // A document with no owner_id at all matches no role either.
  await expectRealmError(notes(other).insertOne({ text: "orphan" }), 403, "NoMatchingRuleFound");
  await assertUnchanged(owner, before);
  assert.equal(await notes(other).count(), 0);
});

// ---------------------------------------------------------------------------
// appdb.profiles: field-level reads, no deletes

test("profiles: others read only name and owner_id; the owner reads and writes all of its own", async () => {
  const alice = await anonUser();
  const bob = await anonUser();
  const { insertedId } = await profiles(alice).insertOne({
    owner_id: alice.id,
    name: "Alice",
    email: "alice@example.test",
    address: { city: "Springfield" },
  });

  const mine = await profiles(alice).findOne({ _id: insertedId });
  assert.deepEqual(Object.keys(mine).sort(), ["_id", "address", "email", "name", "owner_id"]);

  // Bob sees Alice's profile, minus everything but name and owner_id (and no _id).
  const seen = await profiles(bob).find({ owner_id: alice.id });
  assert.deepEqual(seen, [{ name: "Alice", owner_id: alice.id }]);
  const asked = await profiles(bob).findOne({ owner_id: alice.id }, { projection: { email: 1, name: 1 } });
  assert.ok(!("email" in (asked ?? {})), `a projection does not uncover a hidden field: ${JSON.stringify(asked)}`);
  assert.ok(!("address" in (asked ?? {})));

  // Bob may not write Alice's profile: not matched.
  assert.deepEqual(await profiles(bob).updateOne({ owner_id: alice.id }, { $set: { name: "Mallory" } }), {
    matchedCount: 0,
    modifiedCount: 0,
  });
  assert.deepEqual(await profiles(bob).deleteMany({ owner_id: alice.id }), { deletedCount: 0 });

  // Alice updates hers.
  assert.deepEqual(await profiles(alice).updateOne({ _id: insertedId }, { $set: { email: "a@example.test" } }), {
    matchedCount: 1,
    modifiedCount: 1,
  });
  const after = await profiles(alice).findOne({ _id: insertedId });
  assert.equal(after.email, "a@example.test");
  assert.equal(after.name, "Alice");
});

test("profiles: the owner's deleteOne of its own profile is refused with NoMatchingRuleFound", async () => {
  const alice = await anonUser();
  const { insertedId } = await profiles(alice).insertOne({ owner_id: alice.id, name: "Alice" });
  const before = await snapshot(alice, "profiles");
  const err = await expectRealmError(profiles(alice).deleteOne({ _id: insertedId }), 403, "NoMatchingRuleFound");
  assert.equal(err.error, "delete not permitted");
  await expectRealmError(profiles(alice).deleteMany({}), 403, "NoMatchingRuleFound");
  await expectRealmError(profiles(alice).findOneAndDelete({ _id: insertedId }), 403, "NoMatchingRuleFound");
  assert.equal(await snapshot(alice, "profiles"), before, "the profile is still there");
});

// ---------------------------------------------------------------------------
// myapp.users: the quickstart custom-user-data rules

test("myapp.users (quickstart rules): a user finds nothing and may not insert its own document", async () => {
  const user = await anonUser();
  const users = collection(user, "users", "myapp");
  assert.deepEqual(await users.find(), []);
  assert.equal(await users.findOne({ user_account_id: user.id }), null);
  assert.equal(await users.count(), 0);

  const err = await expectRealmError(
    users.insertOne({ user_account_id: user.id, favoriteColor: "green" }),
    403,
    "NoMatchingRuleFound",
  );
  assert.equal(err.error, "insert not permitted");
  const res = await rawAction(user, "insertOne", { document: { user_account_id: user.id } }, {
    database: "myapp",
    collection: "users",
  });
  expectEnvelope(res, 403, "NoMatchingRuleFound");
  // An upsert is an insert too.
  await expectRealmError(
    users.updateOne({ user_account_id: user.id }, { $set: { favoriteColor: "red" } }, { upsert: true }),
    403,
    "NoMatchingRuleFound",
  );
  assert.deepEqual(await users.find(), [], "nothing was created");
});

// ---------------------------------------------------------------------------
// Bad input (raw): the error envelope, and nothing changes

test("bad input: an unknown action is 404 ServiceCommandNotFound", async () => {
  const { owner, before } = await ownerAndOther("bad-action");
  for (const name of ["bulkWrite", "deleteAll", "FIND"]) {
    const res = await rawAction(owner, name, { query: {} });
    expectEnvelope(res, 404, "ServiceCommandNotFound", name);
  }
  await assertUnchanged(owner, before);
});

test("bad input: $where in a query is 400", async () => {
  const { owner, before } = await ownerAndOther("bad-where");
  let res = await rawAction(owner, "find", { query: { $where: "true" } });
  expectEnvelope(res, 400, "MongoDBError", "find");
  res = await rawAction(owner, "deleteMany", { query: { $or: [{ $where: "true" }, { n: 0 }] } });
  expectEnvelope(res, 400, "MongoDBError", "deleteMany");
  res = await rawAction(owner, "aggregate", { pipeline: [{ $match: { $where: "true" } }] });
  expectEnvelope(res, 400, "MongoDBError", "aggregate");
  await assertUnchanged(owner, before);
});

// Whatever MongoDB itself would refuse (an unknown query or update operator)
// is a MongoDBError, as App Services reports it.
test("bad input: a malformed filter ({a: {$bogus: 1}}) is 400", async () => {
  const { owner, before } = await ownerAndOther("bad-filter");
  let res = await rawAction(owner, "find", { query: { a: { $bogus: 1 } } });
  expectEnvelope(res, 400, "MongoDBError", "find");
  res = await rawAction(owner, "updateMany", { query: { a: { $bogus: 1 } }, update: { $set: { text: "x" } } });
  expectEnvelope(res, 400, "MongoDBError", "updateMany");
  res = await rawAction(owner, "deleteMany", { query: { a: { $bogus: 1 } } });
  expectEnvelope(res, 400, "MongoDBError", "deleteMany");
  res = await rawAction(owner, "updateMany", { query: {}, update: { $bogus: { text: "x" } } });
  expectEnvelope(res, 400, "MongoDBError", "updateMany with an unknown update operator");
  await assertUnchanged(owner, before);
});

test("bad input: a missing collection is 400 MissingParameter", async () => {
  const { owner, before } = await ownerAndOther("bad-missing");
  for (const name of ["find", "insertOne", "deleteMany"]) {
    const res = await rawCall(owner.accessToken, {
      name,
      arguments: [{ database: "appdb", query: {}, document: { owner_id: owner.id } }],
      service: SERVICE,
    });
    expectEnvelope(res, 400, "MissingParameter", name);
  }
  await assertUnchanged(owner, before);
});

test("bad input: an argument of the wrong type (limit: \"x\") is 400 InvalidParameter", async () => {
  const { owner, before } = await ownerAndOther("bad-type");
  let res = await rawAction(owner, "find", { query: {}, limit: "x" });
  expectEnvelope(res, 400, "InvalidParameter", "find limit");
  res = await rawAction(owner, "updateMany", { query: {}, update: { $set: { text: "x" } }, upsert: "yes" });
  expectEnvelope(res, 400, "InvalidParameter", "updateMany upsert");
  res = await rawAction(owner, "deleteMany", { query: "everything" });
  expectEnvelope(res, 400, "InvalidParameter", "deleteMany query");
  await assertUnchanged(owner, before);
});

test("bad input: an unknown service is 404 ServiceNotFound", async () => {
  const { owner, before } = await ownerAndOther("bad-service");
  const res = await rawCall(owner.accessToken, {
    name: "deleteMany",
    arguments: [{ database: "appdb", collection: "notes", query: {} }],
    service: "no-such-service",
  });
  expectEnvelope(res, 404, "ServiceNotFound");
  await assertUnchanged(owner, before);
});

test("bad input: a call with no service is 404 FunctionNotFound", async () => {
  const { owner, before } = await ownerAndOther("bad-noservice");
  const res = await rawCall(owner.accessToken, {
    name: "deleteMany",
    arguments: [{ database: "appdb", collection: "notes", query: {} }],
  });
  expectEnvelope(res, 404, "FunctionNotFound");
  await assertUnchanged(owner, before);
});

test("bad input: a $out stage is 400 and writes nothing", async () => {
  const { owner, before } = await ownerAndOther("bad-out");
  const profilesBefore = await snapshot(owner, "profiles");
  for (const stage of [{ $out: "profiles" }, { $merge: { into: "profiles" } }]) {
    const res = await rawAction(owner, "aggregate", { pipeline: [{ $match: {} }, stage] });
    expectEnvelope(res, 400, "MongoDBError", Object.keys(stage)[0]);
  }
  await assertUnchanged(owner, before);
  assert.equal(await snapshot(owner, "profiles"), profilesBefore, "profiles unchanged");
});

test("bad input: no token is 401 MissingAuthReq", async () => {
  const { owner, before } = await ownerAndOther("bad-token");
  const res = await raw(server, "POST", callPath, {
    body: { name: "deleteMany", arguments: [{ database: "appdb", collection: "notes", query: {} }], service: SERVICE },
  });
  expectEnvelope(res, 401, "MissingAuthReq");
  await assertUnchanged(owner, before);
});

test("pipeline updates and projection expressions work through realm-web under rules", async () => {
  const { owner, other, ids, before } = await ownerAndOther("iso-pipeline");
  // The other user's pipeline update matches none of the owner's notes.
  const none = await notes(other).updateMany({}, [{ $set: { n: { $add: ["$n", 100] } } }]);
  assert.equal(none.matchedCount, 0);
  await assertUnchanged(owner, before);
  // The owner's own: expressions over the current document.
  const own = await notes(owner).updateOne({ _id: ids[1] }, [
    { $set: { n2: { $multiply: ["$n", 10] }, label: { $concat: ["$tag", "!"] } } },
    { $unset: "text" },
  ]);
  assert.equal(own.modifiedCount, 1);
  const shown = await notes(owner).findOne(
    { _id: ids[1] },
    { projection: { _id: 0, n2: 1, label: 1, next: { $add: ["$n2", 1] } } },
  );
  assert.deepEqual(shown, { n2: 10, label: "iso-pipeline!", next: 11 });
  // A pipeline handing the note to the other user is refused.
  await expectRealmError(
    notes(owner).updateOne({ _id: ids[0] }, [{ $set: { owner_id: other.id } }]),
    403,
    "NoMatchingRuleFound",
  );
});
