// App Services functions through realm-web 2.0.1 (docs/functions.md):
// user.functions.<name>(...) becomes POST functions/call {name, arguments},
// run on the app's JS threads as the caller. The app is tests/e2e/apps/functions
// (plinth.json: 3 s time limit, 64 MiB per call, 2 JS threads, queue 200,
// results up to 1 MiB):
//   appdb.notes    owner-only (owner_id == %%user.id)
//   appdb.numbers  readable when the private function util/isEven says so (%function)
//   myapp.users    custom user data (user_account_id), written by setMyData as system
// The abuse cases check after each one that the server still answers and
// that the next call on the same JS threads works.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { appIdOf, checkEnvelope, useServer } from "./harness.mjs";
import { P, Realm, expectRealmError, newApp, raw } from "./auth_helpers.mjs";

const FUNCTIONS_APP = join(dirname(fileURLToPath(import.meta.url)), "apps", "functions");
const APP_ID = appIdOf(FUNCTIONS_APP); // "functions-e2e-abcde"
const { ObjectId, EJSON } = Realm.BSON;

let server;
useServer({ apps: [FUNCTIONS_APP] }, (s) => (server = s));

async function anonUser() {
  return newApp(server, APP_ID).logIn(Realm.Credentials.anonymous());
}

/** The server still answers, and a trivial call on the JS threads works. */
async function stillHealthy(user) {
  const res = await fetch(`${server.url}${P}/app/${APP_ID}/location`);
  assert.equal(res.status, 200);
  assert.equal(await user.functions.sum(20, 22), 42);
}

test("arguments and results round-trip their EJSON types exactly", async () => {
  const user = await anonUser();
  const when = new Date(1700000000123);
  const id = new ObjectId();
  const args = [7, 2.5, "text", when, id, { nested: { list: [1, "two", null, [3]] } }, [true, false]];
  const echoed = await user.functions.echo(...args);
  assert.equal(EJSON.stringify(echoed, { relaxed: false }), EJSON.stringify(args, { relaxed: false }));
  assert.ok(echoed[3] instanceof Date);
  assert.ok(echoed[4] instanceof ObjectId);
  assert.equal(await user.functions.sum(2, 3), 5);
  assert.equal(await user.functions.callFunction("sum", "a", "b"), "ab");
  // The wire form: canonical EJSON in and out. A whole Double becomes a JS
  // number and comes back as Int32, as in App Services (js-bson's EJSON);
  // a Long stays a Long.
  const res = await raw(server, "POST", `${P}/app/${APP_ID}/functions/call`, {
    token: user.accessToken,
    body: { name: "echo", arguments: [{ $numberLong: "9007199254740993" }, { $numberDouble: "1" }] },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, [{ $numberLong: "9007199254740993" }, { $numberInt: "1" }]);
});

test("a throwing function surfaces its message as FunctionExecutionError", async () => {
  const user = await anonUser();
  const err = await expectRealmError(user.functions.fail("the message"), 400, "FunctionExecutionError");
  assert.match(err.error, /the message/);
  const thrownValue = await expectRealmError(user.functions.failWithValue(), 400, "FunctionExecutionError");
  assert.match(thrownValue.error, /plain object|object/);
  const missing = await expectRealmError(user.functions.needsModule(), 400, "FunctionExecutionError");
  assert.match(missing.error, /lodash/);
  await stillHealthy(user);
});

test("unknown, private and can_evaluate-false functions are refused", async () => {
  const user = await anonUser();
  await expectRealmError(user.functions.nope(), 404, "FunctionNotFound");
  const priv = await expectRealmError(user.functions.secret(), 403, "NotCallable");
  assert.doesNotMatch(priv.error, /the secret/);
  // ... while another function may call the private one.
  assert.equal(await user.functions.callSecret(), "the secret");
  await expectRealmError(user.functions.proOnly(), 403, "NotCallable");
  // can_evaluate sees the caller's current custom data.
  assert.equal(await user.functions.setMyData({ plan: "pro" }), true);
  assert.equal(await user.functions.proOnly(), "pro feature");
  const res = await raw(server, "POST", `${P}/app/${APP_ID}/functions/call`, {
    body: { name: "sum", arguments: [1, 2] },
  });
  assert.equal(res.status, 401);
});

test("context shows the caller, its custom data, values and the request", async () => {
  const user = await anonUser();
  const before = await user.functions.whoami();
  assert.equal(before.id, user.id);
  assert.equal(before.type, "normal");
  assert.deepEqual(before.custom_data, {});
  assert.equal(before.system, false);
  assert.equal(before.greeting, "hello from values");
  assert.equal(before.action, "whoami");
  await user.functions.setMyData({ color: "green" });
  const after = await user.functions.whoami();
  assert.equal(after.custom_data.color, "green");
  assert.equal(after.custom_data.user_account_id, user.id);
});

test("context.services runs under the caller's rules, and without them as system", async () => {
  const alice = await anonUser();
  const bob = await anonUser();
  const tag = `t${Date.now()}`;
  assert.deepEqual(await alice.functions.addNote(alice.id, `${tag}-a`), [`${tag}-a`]);
  assert.deepEqual(await bob.functions.addNote(bob.id, `${tag}-b`), [`${tag}-b`]);
  // A note for someone else is refused by the rules, and nothing is written.
  const forged = await expectRealmError(bob.functions.addNote(alice.id, `${tag}-x`), 400, "FunctionExecutionError");
  assert.match(forged.error, /not permitted/);
  // The run_as_system copy bypasses the rules: it sees both users' notes.
  const all = await bob.functions.addNoteAsSystem(alice.id, `${tag}-s`);
  for (const text of [`${tag}-a`, `${tag}-b`, `${tag}-s`]) assert.ok(all.includes(text), text);
  assert.ok(!all.includes(`${tag}-x`));
  // distinct through context.services sees the caller's notes only.
  assert.deepEqual(
    (await alice.functions.myTexts()).filter((t) => t.startsWith(tag)),
    [`${tag}-a`, `${tag}-s`],
  );
  assert.deepEqual(
    (await alice.mongoClient("mongodb-atlas").db("appdb").collection("notes").find({ text: { $regex: tag } }))
      .map((d) => d.text)
      .sort(),
    [`${tag}-a`, `${tag}-s`],
  );
});

test("a %function rule decides which documents a user sees", async () => {
  const user = await anonUser();
  const numbers = user.mongoClient("mongodb-atlas").db("appdb").collection("numbers");
  const batch = Date.now();
  // insert: true for the "even" role only; the odd document has no role.
  await numbers.insertOne({ batch, n: 2 });
  await numbers.insertOne({ batch, n: 4 });
  await expectRealmError(numbers.insertOne({ batch, n: 3 }), 403, "NoMatchingRuleFound");
  const seen = await numbers.find({ batch });
  assert.deepEqual(seen.map((d) => d.n).sort(), [2, 4]);
});

test("globals set by one call are not seen by the next", async () => {
  const user = await anonUser();
  for (let i = 0; i < 4; i++) {
    assert.equal(await user.functions.leakGlobal(), true);
    assert.deepEqual(await user.functions.readGlobal(), ["undefined", "undefined"]);
  }
});

test("an endless loop stops at the time limit while the server answers", async () => {
  const user = await anonUser();
  const started = Date.now();
  const spinning = expectRealmError(user.functions.spin(), 400, "ExecutionTimeLimitExceeded");
  // While one JS thread spins, HTTP and the other JS thread still answer.
  const res = await fetch(`${server.url}${P}/app/${APP_ID}/location`);
  assert.equal(res.status, 200);
  assert.equal(await user.functions.sum(1, 1), 2);
  await spinning;
  assert.ok(Date.now() - started < 15_000);
  await stillHealthy(user);
});

test("unbounded allocation is stopped with a memory error", async () => {
  const user = await anonUser();
  const err = await expectRealmError(user.functions.allocate(), 400, "FunctionExecutionError");
  assert.match(err.error, /memory/i);
  await stillHealthy(user);
});

test("deep recursion fails cleanly", async () => {
  const user = await anonUser();
  const err = await expectRealmError(user.functions.recurse(0), 400, "FunctionExecutionError");
  assert.match(err.error, /recursion/i);
  await stillHealthy(user);
});

test("a result over the size limit is refused", async () => {
  const user = await anonUser();
  const res = await raw(server, "POST", `${P}/app/${APP_ID}/functions/call`, {
    token: user.accessToken,
    body: { name: "huge", arguments: [] },
  });
  assert.equal(res.status, 400);
  checkEnvelope(assert, res.json, "BadRequest");
  assert.match(res.json.error, /larger than|size/i);
  await stillHealthy(user);
});

test("a promise that never settles fails instead of hanging", async () => {
  const user = await anonUser();
  const err = await expectRealmError(user.functions.neverResolves(), 400);
  assert.ok(["FunctionExecutionError", "ExecutionTimeLimitExceeded"].includes(err.errorCode), err.errorCode);
  await stillHealthy(user);
});

test("thousands of concurrent calls: each answered, overflow refused with 429", async () => {
  const user = await anonUser();
  const token = user.accessToken;
  const calls = [];
  for (let i = 0; i < 2000; i++) {
    calls.push(
      fetch(`${server.url}${P}/app/${APP_ID}/functions/call`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "slowEcho", arguments: [i, 1] }),
      }).then(async (r) => ({ status: r.status, retry: r.headers.get("retry-after"), body: await r.json() })),
    );
  }
  const results = await Promise.all(calls);
  let ok = 0;
  let refused = 0;
  results.forEach((r, i) => {
    if (r.status === 200) {
      ok++;
      assert.deepEqual(r.body, { $numberInt: String(i) });
    } else {
      assert.equal(r.status, 429, JSON.stringify(r.body));
      assert.equal(r.body.error_code, "TooManyRequests");
      assert.equal(r.retry, "1");
      refused++;
    }
  });
  assert.equal(ok + refused, 2000);
  assert.ok(ok >= 200, `only ${ok} calls ran`);
  await stillHealthy(user);
});
