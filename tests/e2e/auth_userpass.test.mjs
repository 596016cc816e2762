// Email/password authentication (client-api §2 rows 2/8, §3, §4.3, §7, §12)
// through realm-web 2.0.1 and raw HTTP: register, log in, profile, errors,
// per-username login throttling, user deletion.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { useServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_APP_ID,
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

const registerPath = `${P}/app/${AUTH_APP_ID}/auth/providers/local-userpass/register`;

describe("register", () => {
  test("201 with an empty body and no Content-Type", async () => {
    const res = await raw(server, "POST", registerPath, {
      body: { email: uniqueEmail("reg"), password: "p4ssw0rd!" },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.text, "");
    assert.equal(res.headers.get("content-type"), null, "a bodiless success carries no Content-Type");
  });

  test("realm-web registerUser resolves; registering the same email again is 409 AccountNameInUse", async () => {
    const app = newApp(server);
    const email = uniqueEmail("dup");
    await app.emailPasswordAuth.registerUser({ email, password: "p4ssw0rd!" });
    await expectRealmError(
      app.emailPasswordAuth.registerUser({ email, password: "other-password" }),
      409,
      "AccountNameInUse",
    );
    // The raw duplicate error is the JSON envelope.
    const res = await raw(server, "POST", registerPath, { body: { email, password: "p4ssw0rd!" } });
    expectRawError(res, 409, "AccountNameInUse");
  });

  test("passwords outside 6..128 characters are 400; the bounds themselves are accepted", async () => {
    const app = newApp(server);
    await expectRealmError(
      app.emailPasswordAuth.registerUser({ email: uniqueEmail("short"), password: "12345" }),
      400,
      undefined,
      "5-character password",
    );
    await expectRealmError(
      app.emailPasswordAuth.registerUser({ email: uniqueEmail("long"), password: "x".repeat(129) }),
      400,
      undefined,
      "129-character password",
    );
    const res = await raw(server, "POST", registerPath, { body: { email: uniqueEmail("short"), password: "12345" } });
    expectRawError(res, 400);

    // 6 and 128 characters are fine and can log in.
    for (const password of ["123456", "y".repeat(128)]) {
      const email = uniqueEmail("bound");
      await app.emailPasswordAuth.registerUser({ email, password });
      const user = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
      assert.equal(typeof user.id, "string");
    }
  });
});

describe("log in", () => {
  test("the same identity gets the same user id every time; profile has the email", async () => {
    const { user, email, password } = await emailUser(server, { tag: "login" });
    assert.equal(typeof user.id, "string");
    assert.ok(user.id.length > 0);
    assert.equal(user.providerType, "local-userpass");
    assert.equal(user.profile.email, email);
    assert.deepEqual(
      user.identities.map((i) => i.providerType),
      ["local-userpass"],
    );
    assert.equal(typeof user.identities[0].id, "string");
    assert.equal(typeof user.accessToken, "string");
    assert.equal(typeof user.refreshToken, "string");

    await user.refreshProfile();
    assert.equal(user.profile.email, email);

    // Again in the same App and in a different App: same user.
    const again = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
    assert.equal(again.id, user.id);
    assert.notEqual(again.refreshToken, user.refreshToken, "each login is its own session");

    // Raw login response: four strings, 24-hex device id.
    const res = await rawLogin(server, "local-userpass", { username: email, password });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.json.user_id, user.id);
    for (const key of ["access_token", "refresh_token", "user_id", "device_id"]) {
      assert.equal(typeof res.json[key], "string", key);
    }
    assert.match(res.json.device_id, /^[0-9a-f]{24}$/);
  });

  test("wrong password and unknown email are both 401 InvalidPassword", async () => {
    const { email } = await emailUser(server, { tag: "wrongpw" });
    const app = newApp(server);
    await expectRealmError(
      app.logIn(Realm.Credentials.emailPassword(email, "not-the-password")),
      401,
      "InvalidPassword",
      "wrong password",
    );
    await expectRealmError(
      app.logIn(Realm.Credentials.emailPassword(uniqueEmail("nobody"), "p4ssw0rd!")),
      401,
      "InvalidPassword",
      "unknown email",
    );
    assert.equal(app.currentUser, null, "no user got logged in");

    const res = await rawLogin(server, "local-userpass", { username: uniqueEmail("nobody"), password: "p4ssw0rd!" });
    expectRawError(res, 401, "InvalidPassword");
  });

  test("five failed logins for a username throttle the sixth attempt with 429 TooManyRequests", async () => {
    const { email, password } = await emailUser(server, { tag: "throttle" });
    for (let i = 0; i < 5; i++) {
      const res = await rawLogin(server, "local-userpass", { username: email, password: `wrong-${i}-pw` });
      expectRawError(res, 401, "InvalidPassword", `failed attempt ${i + 1}`);
    }
    // Even the right password is refused now.
    const res = await rawLogin(server, "local-userpass", { username: email, password });
    expectRawError(res, 429, "TooManyRequests", "sixth attempt");
    const retryAfter = res.headers.get("retry-after");
    assert.ok(retryAfter, "429 carries Retry-After");
    const seconds = Number(retryAfter);
    assert.ok(
      (Number.isInteger(seconds) && seconds > 0 && seconds <= 60) || !Number.isNaN(Date.parse(retryAfter)),
      `Retry-After is delay-seconds within the window or an HTTP date: ${retryAfter}`,
    );

    await expectRealmError(
      newApp(server).logIn(Realm.Credentials.emailPassword(email, password)),
      429,
      "TooManyRequests",
      "realm-web login while throttled",
    );

    // The throttle is per username: another user still logs in.
    const other = await emailUser(server, { tag: "notthrottled" });
    assert.equal(typeof other.user.id, "string");
  });
});

describe("delete user", () => {
  test("app.deleteUser succeeds; the identity and the access token are gone", async () => {
    const { app, user, email, password } = await emailUser(server, { tag: "delete" });
    await user.refreshAccessToken(); // fresh: access tokens live 3 s, this one must be revoked, not expired
    const oldAccess = user.accessToken;
    const oldRefresh = user.refreshToken;

    await app.deleteUser(user); // DELETE P/auth/delete, then DELETE P/auth/session: must not throw
    assert.equal(user.state, "removed");
    assert.equal(app.currentUser, null);

    const profile = await raw(server, "GET", `${P}/auth/profile`, { token: oldAccess });
    expectRawError(profile, 401, undefined, "profile with the deleted user's access token");

    const refresh = await raw(server, "POST", `${P}/auth/session`, { token: oldRefresh });
    expectRawError(refresh, 401, "InvalidSession", "refresh with the deleted user's refresh token");

    await expectRealmError(
      newApp(server).logIn(Realm.Credentials.emailPassword(email, password)),
      401,
      "InvalidPassword",
      "login after deletion",
    );
  });
});
