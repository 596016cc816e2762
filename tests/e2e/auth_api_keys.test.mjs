// User API keys (client-api §2 rows 15-20, §12 api-key) through realm-web
// 2.0.1's user.apiKeys and Credentials.apiKey.

import assert from "node:assert/strict";
import { test } from "node:test";

import { useServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_ENV,
  HEX24,
  P,
  Realm,
  emailUser,
  expectRawError,
  expectRealmError,
  newApp,
  raw,
} from "./auth_helpers.mjs";

// The fields every key object has (a server may add more).
const pick = ({ _id, name, disabled }) => ({ _id, name, disabled });

let server;
useServer({ apps: [AUTH_APP], env: AUTH_ENV }, (s) => (server = s));

test("create, fetch, list, disable, enable, log in with, and delete a key", async () => {
  const { user } = await emailUser(server, { tag: "keys" });

  assert.deepEqual(await user.apiKeys.fetchAll(), [], "a new user has no keys");

  const created = await user.apiKeys.create("k1");
  assert.equal(typeof created._id, "string", `_id is a plain string: ${JSON.stringify(created)}`);
  assert.match(created._id, HEX24);
  assert.equal(typeof created.key, "string");
  assert.ok(created.key.length >= 16, "the key is a real secret");
  assert.equal(created.name, "k1");
  assert.equal(created.disabled, false);

  const fetched = await user.apiKeys.fetch(created._id);
  assert.deepEqual(pick(fetched), { _id: created._id, name: "k1", disabled: false });
  assert.ok(!("key" in fetched), "no key in a fetch");

  const listed = await user.apiKeys.fetchAll();
  assert.equal(listed.length, 1);
  assert.deepEqual(pick(listed[0]), { _id: created._id, name: "k1", disabled: false });
  assert.ok(!("key" in listed[0]), "no key in the list");

  // Log in with the key: the owner.
  const asKey = await newApp(server).logIn(Realm.Credentials.apiKey(created.key));
  assert.equal(asKey.id, user.id);

  // Disabled: login fails, the key shows as disabled.
  await user.apiKeys.disable(created._id);
  assert.equal((await user.apiKeys.fetch(created._id)).disabled, true);
  await expectRealmError(
    newApp(server).logIn(Realm.Credentials.apiKey(created.key)),
    401,
    undefined,
    "login with a disabled key",
  );

  // Enabled again: login works.
  await user.apiKeys.enable(created._id);
  assert.equal((await user.apiKeys.fetch(created._id)).disabled, false);
  const again = await newApp(server).logIn(Realm.Credentials.apiKey(created.key));
  assert.equal(again.id, user.id);

  // Deleted: gone from fetch and list, login fails.
  await user.apiKeys.delete(created._id);
  await expectRealmError(user.apiKeys.fetch(created._id), 404, "APIKeyNotFound", "fetch after delete");
  assert.deepEqual(await user.apiKeys.fetchAll(), []);
  await expectRealmError(
    newApp(server).logIn(Realm.Credentials.apiKey(created.key)),
    401,
    undefined,
    "login with a deleted key",
  );
  assert.equal(user.state, "active", "the owner stayed logged in through the 404s");
});

test("a wrong key does not log in", async () => {
  await expectRealmError(
    newApp(server).logIn(Realm.Credentials.apiKey("not-a-real-key-0123456789abcdef0123456789")),
    401,
  );
});

test("another user's key id is 404 APIKeyNotFound for every operation", async () => {
  const owner = await emailUser(server, { tag: "keyowner" });
  const other = await emailUser(server, { tag: "keyother" });
  const { _id } = await owner.user.apiKeys.create("mine");

  await expectRealmError(other.user.apiKeys.fetch(_id), 404, "APIKeyNotFound", "fetch");
  await expectRealmError(other.user.apiKeys.disable(_id), 404, "APIKeyNotFound", "disable");
  await expectRealmError(other.user.apiKeys.enable(_id), 404, "APIKeyNotFound", "enable");
  await expectRealmError(other.user.apiKeys.delete(_id), 404, "APIKeyNotFound", "delete");
  assert.deepEqual(await other.user.apiKeys.fetchAll(), []);

  // Still there, still enabled, for its owner.
  assert.deepEqual(pick(await owner.user.apiKeys.fetch(_id)), { _id, name: "mine", disabled: false });

  // An id that never existed.
  await expectRealmError(owner.user.apiKeys.fetch("0123456789abcdef01234567"), 404, "APIKeyNotFound");
});

test("a duplicate key name is 409", async () => {
  const { user } = await emailUser(server, { tag: "keydup" });
  await user.apiKeys.create("same");
  await expectRealmError(user.apiKeys.create("same"), 409);
  assert.equal((await user.apiKeys.fetchAll()).length, 1);
  // A different user may use the same name.
  const other = await emailUser(server, { tag: "keydup2" });
  const k = await other.user.apiKeys.create("same");
  assert.equal(k.name, "same");
});

test("raw API key routes: refresh token required, errors are JSON envelopes", async () => {
  const { user } = await emailUser(server, { tag: "keyraw" });
  const none = await raw(server, "GET", `${P}/auth/api_keys`);
  expectRawError(none, 401, "MissingAuthReq");

  const created = await raw(server, "POST", `${P}/auth/api_keys`, {
    token: user.refreshToken,
    body: { name: "rawkey" },
  });
  assert.ok(created.status >= 200 && created.status < 300, created.text);
  assert.equal(created.headers.get("content-type"), "application/json");
  assert.match(created.json._id, HEX24);

  const disable = await raw(server, "PUT", `${P}/auth/api_keys/${created.json._id}/disable`, {
    token: user.refreshToken,
  });
  assert.ok(disable.status >= 200 && disable.status < 300, disable.text);
  if (disable.text === "") assert.equal(disable.headers.get("content-type"), null, "bodiless success");

  const missing = await raw(server, "GET", `${P}/auth/api_keys/0123456789abcdef01234567`, {
    token: user.refreshToken,
  });
  expectRawError(missing, 404, "APIKeyNotFound");
});
