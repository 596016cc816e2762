// Custom user data end to end (docs/custom-user-data.md) through realm-web
// 2.0.1, on the seed's own example (examples/quickstart, unmodified) and on
// tests/e2e/apps/creation-fail, whose creation function writes the user's
// document and then throws for some emails (or spins past the time limit).

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { QUICKSTART, appIdOf, useServer } from "./harness.mjs";
import { Realm, expectRealmError, newApp, uniqueEmail, eventually } from "./auth_helpers.mjs";

const FAIL_APP = join(dirname(fileURLToPath(import.meta.url)), "apps", "creation-fail");
const QUICKSTART_ID = appIdOf(QUICKSTART);
const FAIL_ID = appIdOf(FAIL_APP);
const PASSWORD = "p4ssw0rd!";

let server;
useServer({ apps: [QUICKSTART, FAIL_APP] }, (s) => (server = s));

async function register(appId, tag) {
  const app = newApp(server, appId);
  const email = uniqueEmail(tag);
  await app.emailPasswordAuth.registerUser({ email, password: PASSWORD });
  return { app, email };
}

const usersOf = (user) => user.mongoClient("mongodb-atlas").db("myapp").collection("users");

test("quickstart: the creation function's document is in the first token", async () => {
  const { app, email } = await register(QUICKSTART_ID, "seed");
  const user = await app.logIn(Realm.Credentials.emailPassword(email, PASSWORD));
  assert.equal(user.customData.favorite_color, "blue");
  assert.equal(user.customData.user_account_id, user.id);
  // The owner changes it through the MongoDB service; the next refresh shows it.
  const updated = await usersOf(user).updateOne(
    { user_account_id: user.id },
    { $set: { favorite_color: "green" } },
  );
  assert.equal(updated.modifiedCount, 1);
  const fresh = await user.refreshCustomData();
  assert.equal(fresh.favorite_color, "green");
  assert.equal(user.customData.favorite_color, "green");
});

test("quickstart: another user cannot read or change someone's custom data", async () => {
  const a = await register(QUICKSTART_ID, "owner");
  const alice = await a.app.logIn(Realm.Credentials.emailPassword(a.email, PASSWORD));
  const b = await register(QUICKSTART_ID, "other");
  const bob = await b.app.logIn(Realm.Credentials.emailPassword(b.email, PASSWORD));
  const seen = await usersOf(bob).find({});
  assert.deepEqual(seen.map((d) => d.user_account_id), [bob.id]);
  assert.equal(await usersOf(bob).findOne({ user_account_id: alice.id }), null);
  const write = await usersOf(bob).updateOne({ user_account_id: alice.id }, { $set: { favorite_color: "red" } });
  assert.equal(write.matchedCount, 0);
  assert.equal((await alice.refreshCustomData()).favorite_color, "blue");
});

test("quickstart: anonymous users get their document too", async () => {
  const user = await newApp(server, QUICKSTART_ID).logIn(Realm.Credentials.anonymous());
  assert.equal(user.customData.favorite_color, "blue");
});

test("a throwing creation function blocks exactly that account and leaves nothing", async () => {
  const ok = await register(FAIL_ID, "fine");
  const fine = await ok.app.logIn(Realm.Credentials.emailPassword(ok.email, PASSWORD));
  assert.equal(fine.customData.plan, "free");

  const blocked = await register(FAIL_ID, "blocked");
  const err = await expectRealmError(
    blocked.app.logIn(Realm.Credentials.emailPassword(blocked.email, PASSWORD)),
    400,
    "FunctionExecutionError",
  );
  assert.match(err.error, /are not allowed/);
  // No document: the function's insert was staged and discarded with the account.
  assert.equal(await fine.functions.countDocsFor(blocked.email), 0);
  assert.equal(await fine.functions.countDocsFor(ok.email), 1);
  // No user either: a second try runs the function again and fails again.
  await expectRealmError(
    blocked.app.logIn(Realm.Credentials.emailPassword(blocked.email, PASSWORD)),
    400,
    "FunctionExecutionError",
  );
  assert.equal(await fine.functions.countDocsFor(blocked.email), 0);
});

test("a creation function past the time limit creates nothing", async () => {
  const ok = await register(FAIL_ID, "fine2");
  const fine = await ok.app.logIn(Realm.Credentials.emailPassword(ok.email, PASSWORD));
  const slow = await register(FAIL_ID, "slow");
  await expectRealmError(
    slow.app.logIn(Realm.Credentials.emailPassword(slow.email, PASSWORD)),
    400,
    "FunctionExecutionError",
  );
  assert.equal(await fine.functions.countDocsFor(slow.email), 0);
});
