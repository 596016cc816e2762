// Anonymous users and identity linking (client-api §3.4, §3.5, §5) through
// realm-web 2.0.1.

import assert from "node:assert/strict";
import { test } from "node:test";

import { useServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_ENV,
  P,
  Realm,
  emailUser,
  expectRawError,
  expectRealmError,
  newApp,
  raw,
  rawLogin,
  uniqueEmail,
} from "./auth_helpers.mjs";

let server;
useServer({ apps: [AUTH_APP], env: AUTH_ENV }, (s) => (server = s));

test("anonymous login gives an anon-user with one anon-user identity and empty profile data", async () => {
  const app = newApp(server);
  const user = await app.logIn(Realm.Credentials.anonymous());
  assert.equal(typeof user.id, "string");
  assert.ok(user.id.length > 0);
  assert.equal(user.providerType, "anon-user");
  assert.deepEqual(
    user.identities.map((i) => i.providerType),
    ["anon-user"],
  );
  assert.equal(typeof user.identities[0].id, "string");
  assert.deepEqual(user.profile, {});
  assert.equal(user.state, "active");

  // Raw profile: the documented shape (§5).
  const res = await raw(server, "GET", `${P}/auth/profile`, { token: user.accessToken });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(res.json.user_id, user.id);
  assert.equal(res.json.type, "normal");
  assert.deepEqual(res.json.data, {});
  assert.equal(res.json.identities.length, 1);
  assert.equal(res.json.identities[0].provider_type, "anon-user");
});

test("anonymous(false) creates a new user every time; each login is a new server user", async () => {
  const app = newApp(server);
  const a = await app.logIn(Realm.Credentials.anonymous(false));
  const b = await app.logIn(Realm.Credentials.anonymous(false));
  assert.notEqual(a.id, b.id);

  // Two raw anonymous logins: two users.
  const r1 = await rawLogin(server, "anon-user", {});
  const r2 = await rawLogin(server, "anon-user", {});
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r2.status, 200, r2.text);
  assert.notEqual(r1.json.user_id, r2.json.user_id);

  // A different App (own storage) cannot reuse either.
  const c = await newApp(server).logIn(Realm.Credentials.anonymous());
  assert.ok(![a.id, b.id].includes(c.id));
});

test("an anonymous user links an email identity and keeps its id", async () => {
  const app = newApp(server);
  const anon = await app.logIn(Realm.Credentials.anonymous());
  const anonId = anon.id;

  const email = uniqueEmail("link");
  const password = "p4ssw0rd!";
  await app.emailPasswordAuth.registerUser({ email, password });
  await anon.linkCredentials(Realm.Credentials.emailPassword(email, password));

  assert.equal(anon.id, anonId);
  assert.deepEqual(
    anon.identities.map((i) => i.providerType),
    ["anon-user", "local-userpass"],
  );
  assert.equal(anon.profile.email, email);

  // Logging in with the linked email later gives the same user.
  const again = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
  assert.equal(again.id, anonId);
  assert.deepEqual(
    again.identities.map((i) => i.providerType),
    ["anon-user", "local-userpass"],
  );
});

test("linking an identity that belongs to another user is 409 AuthError", async () => {
  // The email identity already has its own user (it logged in).
  const owner = await emailUser(server, { tag: "owned" });

  const app = newApp(server);
  const anon = await app.logIn(Realm.Credentials.anonymous());
  await expectRealmError(
    anon.linkCredentials(Realm.Credentials.emailPassword(owner.email, owner.password)),
    409,
    "AuthError",
  );
  // Nothing changed for either user.
  await anon.refreshProfile();
  assert.deepEqual(
    anon.identities.map((i) => i.providerType),
    ["anon-user"],
  );
  const again = await newApp(server).logIn(Realm.Credentials.emailPassword(owner.email, owner.password));
  assert.equal(again.id, owner.user.id);

  // The raw error is the JSON envelope (fresh access token: they live 3 s).
  await anon.refreshAccessToken();
  const res = await rawLogin(
    server,
    "local-userpass",
    { username: owner.email, password: owner.password },
    { link: true, token: anon.accessToken },
  );
  expectRawError(res, 409, "AuthError");
});
