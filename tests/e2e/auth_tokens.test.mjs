// Access and refresh tokens (client-api §4, §5, §6, §7): claims, expiry and
// transparent refresh through realm-web 2.0.1, logout, and every way a raw
// request can present a bad token. The auth app's access tokens live 3 s.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { sleep, useServer } from "./harness.mjs";
import {
  ACCESS_TOKEN_LIFETIME_S,
  AUTH_APP,
  AUTH_APP_ID,
  AUTH_ENV,
  HEX24,
  P,
  decodeJwt,
  emailUser,
  expectRawError,
  mintJwt,
  raw,
  rawLogin,
  tamperSignature,
  unsignedCopy,
} from "./auth_helpers.mjs";

let server;
useServer({ apps: [AUTH_APP], env: AUTH_ENV }, (s) => (server = s));

describe("token contents", () => {
  test("access and refresh tokens carry the documented claims", async () => {
    const { user } = await emailUser(server, { tag: "claims" });

    const access = decodeJwt(user.accessToken);
    assert.equal(access.header.alg, "HS256");
    assert.ok(access.signature.length > 0, "access token is signed");
    const a = access.payload;
    assert.equal(a.sub, user.id);
    assert.equal(a.typ, "access");
    assert.ok(Number.isInteger(a.exp), `integer exp: ${a.exp}`);
    assert.ok(Number.isInteger(a.iat), `integer iat: ${a.iat}`);
    assert.equal(a.exp - a.iat, ACCESS_TOKEN_LIFETIME_S, "plinth.json sets a 3 s lifetime");
    assert.ok(Math.abs(a.iat - Date.now() / 1000) < 60, "iat is now");
    assert.equal(a.iss, AUTH_APP_ID);
    assert.match(a.baas_device_id, HEX24);
    assert.ok(!("user_data" in a), "no user_data claim: custom user data is off in this app");
    assert.equal(user.deviceId, a.baas_device_id);
    assert.deepEqual(user.customData, {});

    const refresh = decodeJwt(user.refreshToken);
    assert.ok(refresh.signature.length > 0, "refresh token is signed");
    const r = refresh.payload;
    assert.equal(r.typ, "refresh");
    assert.ok(Number.isInteger(r.exp), `integer exp: ${r.exp}`);
    assert.ok(Number.isInteger(r.iat), `integer iat: ${r.iat}`);
    assert.ok(r.exp > a.exp, "the refresh token outlives the access token");
  });

  test("raw refresh returns a new access token for the same user", async () => {
    const { user } = await emailUser(server, { tag: "rawrefresh" });
    const res = await raw(server, "POST", `${P}/auth/session`, { token: user.refreshToken });
    assert.ok(res.status >= 200 && res.status < 300, `refresh status ${res.status}: ${res.text}`);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(typeof res.json.access_token, "string");
    const claims = decodeJwt(res.json.access_token).payload;
    assert.equal(claims.sub, user.id);
    assert.equal(claims.typ, "access");

    const profile = await raw(server, "GET", `${P}/auth/profile`, { token: res.json.access_token });
    assert.equal(profile.status, 200, profile.text);
    assert.equal(profile.json.user_id, user.id);
  });
});

describe("expiry", () => {
  test("an expired access token is 401 InvalidSession and realm-web refreshes it transparently", async () => {
    const { user, email } = await emailUser(server, { tag: "expiry" });
    const before = user.accessToken;
    await sleep((ACCESS_TOKEN_LIFETIME_S + 1) * 1000);

    const res = await raw(server, "GET", `${P}/auth/profile`, { token: before });
    expectRawError(res, 401, "InvalidSession", "profile with an expired access token");

    await user.refreshProfile(); // 401 → POST /auth/session → retry
    assert.notEqual(user.accessToken, before, "realm-web got a new access token");
    assert.equal(user.profile.email, email);
    const claims = decodeJwt(user.accessToken).payload;
    assert.equal(claims.sub, user.id);
    assert.ok(claims.iat > decodeJwt(before).payload.iat - 1);
    assert.ok(claims.exp > Date.now() / 1000, "the new token is not expired");
  });
});

describe("logout", () => {
  test("logOut revokes the refresh token", async () => {
    const { user } = await emailUser(server, { tag: "logout" });
    const oldRefresh = user.refreshToken;
    await user.logOut();
    assert.equal(user.state, "logged-out");
    assert.equal(user.refreshToken, null);

    const res = await raw(server, "POST", `${P}/auth/session`, { token: oldRefresh });
    const body = expectRawError(res, 401, "InvalidSession", "refresh after logout");
    assert.match(body.error, /failed to find refresh token/);

    // Logging out the same token again: 204, or the same 401 realm-web tolerates.
    const again = await raw(server, "DELETE", `${P}/auth/session`, { token: oldRefresh });
    if (again.status === 204) {
      assert.equal(again.text, "");
      assert.equal(again.headers.get("content-type"), null);
    } else {
      const b = expectRawError(again, 401, "InvalidSession", "second logout");
      assert.match(b.error, /failed to find refresh token/);
    }
  });

  test("raw logout is 204 with no body and no Content-Type; other sessions survive", async () => {
    const { user, email, password } = await emailUser(server, { tag: "rawlogout" });
    const second = await rawLogin(server, "local-userpass", { username: email, password });
    assert.equal(second.status, 200, second.text);

    const res = await raw(server, "DELETE", `${P}/auth/session`, { token: second.json.refresh_token });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, "");
    assert.equal(res.headers.get("content-type"), null);

    // The first session is untouched.
    const refresh = await raw(server, "POST", `${P}/auth/session`, { token: user.refreshToken });
    assert.ok(refresh.status >= 200 && refresh.status < 300, refresh.text);
  });
});

describe("bad tokens", () => {
  const profilePath = `${P}/auth/profile`;

  test("no Authorization header is 401 MissingAuthReq", async () => {
    const res = await raw(server, "GET", profilePath);
    expectRawError(res, 401, "MissingAuthReq");
  });

  test("a garbage bearer token is 401 InvalidSession", async () => {
    expectRawError(await raw(server, "GET", profilePath, { token: "garbage" }), 401, "InvalidSession");
    expectRawError(await raw(server, "POST", `${P}/auth/session`, { token: "garbage" }), 401, "InvalidSession");
  });

  test("a refresh token where an access token belongs (and vice versa) is 401 InvalidSession", async () => {
    const { user } = await emailUser(server, { tag: "swap" });
    const res = await raw(server, "GET", profilePath, { token: user.refreshToken });
    expectRawError(res, 401, "InvalidSession", "refresh token on profile");
    const res2 = await raw(server, "POST", `${P}/auth/session`, { token: user.accessToken });
    expectRawError(res2, 401, "InvalidSession", "access token on session refresh");
  });

  test("a token with a changed signature is 401 InvalidSession", async () => {
    const { user } = await emailUser(server, { tag: "tamper" });
    await user.refreshAccessToken(); // fresh: access tokens live 3 s
    const good = await raw(server, "GET", profilePath, { token: user.accessToken });
    assert.equal(good.status, 200, good.text);
    const res = await raw(server, "GET", profilePath, { token: tamperSignature(user.accessToken) });
    expectRawError(res, 401, "InvalidSession", "tampered access token");
    const res2 = await raw(server, "POST", `${P}/auth/session`, { token: tamperSignature(user.refreshToken) });
    expectRawError(res2, 401, "InvalidSession", "tampered refresh token");
  });

  test("a token with the right claims signed with another key is 401 InvalidSession", async () => {
    const { user } = await emailUser(server, { tag: "otherkey" });
    await user.refreshAccessToken(); // fresh: access tokens live 3 s
    const { header, payload } = decodeJwt(user.accessToken);
    const forged = mintJwt(payload, { header, secret: "some-other-key-entirely-0123456789abcdef" });
    const res = await raw(server, "GET", profilePath, { token: forged });
    expectRawError(res, 401, "InvalidSession");
  });

  test('a token with header alg "none" is 401', async () => {
    const { user } = await emailUser(server, { tag: "algnone" });
    await user.refreshAccessToken(); // fresh: access tokens live 3 s
    const res = await raw(server, "GET", profilePath, { token: unsignedCopy(user.accessToken) });
    expectRawError(res, 401);
    const res2 = await raw(server, "POST", `${P}/auth/session`, { token: unsignedCopy(user.refreshToken) });
    expectRawError(res2, 401);
  });

  test("a token with a forged later exp is rejected", async () => {
    const { user } = await emailUser(server, { tag: "forgedexp" });
    await user.refreshAccessToken(); // fresh: access tokens live 3 s
    const { parts, payload } = decodeJwt(user.accessToken);
    const body = Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 3600 })).toString("base64url");
    const forged = `${parts[0]}.${body}.${parts[2]}`;
    const res = await raw(server, "GET", profilePath, { token: forged });
    expectRawError(res, 401, "InvalidSession");
  });
});

describe("app-scoped aliases", () => {
  test("GET A/auth/profile answers like P/auth/profile", async () => {
    const { user, email } = await emailUser(server, { tag: "alias" });
    await user.refreshAccessToken();
    const plain = await raw(server, "GET", `${P}/auth/profile`, { token: user.accessToken });
    const scoped = await raw(server, "GET", `${P}/app/${AUTH_APP_ID}/auth/profile`, { token: user.accessToken });
    assert.equal(plain.status, 200, plain.text);
    assert.equal(scoped.status, 200, scoped.text);
    assert.equal(scoped.headers.get("content-type"), "application/json");
    assert.deepEqual(scoped.json, plain.json);
    assert.equal(scoped.json.user_id, user.id);
    assert.equal(scoped.json.data.email, email);

    const missing = await raw(server, "GET", `${P}/app/${AUTH_APP_ID}/auth/profile`);
    expectRawError(missing, 401, "MissingAuthReq");
  });
});
