// Custom JWT authentication (client-api §12 custom-token) through realm-web
// 2.0.1's Credentials.jwt. Tokens are minted here with node:crypto (HS256,
// key = the app's customJwtKey secret from PLINTH_SECRET_CUSTOMJWTKEY).

import assert from "node:assert/strict";
import { test } from "node:test";

import { useServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_ENV,
  JWT_SECRET,
  Realm,
  customClaims,
  expectRawError,
  expectRealmError,
  mintJwt,
  newApp,
  rawLogin,
  tamperSignature,
} from "./auth_helpers.mjs";

let server;
useServer({ apps: [AUTH_APP], env: AUTH_ENV }, (s) => (server = s));

let subCounter = 0;
const newSub = () => `ext-${process.pid}-${Date.now()}-${++subCounter}`;
const now = () => Math.floor(Date.now() / 1000);

const jwtLogin = (token) => newApp(server).logIn(Realm.Credentials.jwt(token));

test("a valid token logs in; metadata fields fill the profile; same sub, same user", async () => {
  const sub = newSub();
  const token = mintJwt(
    customClaims(sub, { email: "jwt-user@example.test", user_data: { name: "Foo Bar", other: "x" } }),
  );
  const user = await jwtLogin(token);
  assert.equal(typeof user.id, "string");
  assert.notEqual(user.id, sub, "the user id is the server's, the identity id is the sub");
  assert.equal(user.providerType, "custom-token");
  assert.deepEqual(
    user.identities.map((i) => i.providerType),
    ["custom-token"],
  );
  assert.equal(user.identities[0].id, sub);
  assert.equal(user.profile.name, "Foo Bar");
  assert.equal(user.profile.email, "jwt-user@example.test");

  // A second token for the same sub (different iat/exp and name): same user.
  const again = await jwtLogin(
    mintJwt(customClaims(sub, { iat: now() - 5, exp: now() + 600, user_data: { name: "Foo Baz" } })),
  );
  assert.equal(again.id, user.id);

  // A different sub: a different user.
  const other = await jwtLogin(mintJwt(customClaims(newSub(), { user_data: { name: "Other" } })));
  assert.notEqual(other.id, user.id);
  assert.equal(other.profile.name, "Other");
});

test("metadata fields are optional", async () => {
  const user = await jwtLogin(mintJwt(customClaims(newSub())));
  assert.equal(user.profile.name, undefined);
  assert.equal(user.profile.email, undefined);
});

test("a token valid from a past nbf is accepted", async () => {
  const user = await jwtLogin(mintJwt(customClaims(newSub(), { nbf: now() - 60 })));
  assert.equal(typeof user.id, "string");
});

test("bad tokens are refused with 401", async () => {
  const sub = newSub();
  const cases = {
    "wrong signature": mintJwt(customClaims(sub), { secret: JWT_SECRET + "-not" }),
    "tampered signature": tamperSignature(mintJwt(customClaims(sub))),
    expired: mintJwt(customClaims(sub, { iat: now() - 7200, exp: now() - 3600 })),
    "missing exp": mintJwt((({ exp, ...rest }) => rest)(customClaims(sub))),
    "wrong aud": mintJwt(customClaims(sub, { aud: "some-other-app-abcde" })),
    "future nbf": mintJwt(customClaims(sub, { nbf: now() + 3600 })),
    "alg none": mintJwt(customClaims(sub), { alg: "none" }),
    "not a JWT": "definitely-not-a-jwt",
  };
  for (const [what, token] of Object.entries(cases)) {
    await expectRealmError(jwtLogin(token), 401, undefined, what);
  }
  // Raw: a 401 JSON envelope.
  const res = await rawLogin(server, "custom-token", { token: cases.expired });
  expectRawError(res, 401, undefined, "raw expired token");
  const res2 = await rawLogin(server, "custom-token", { token: cases["wrong aud"] });
  expectRawError(res2, 401, undefined, "raw wrong aud");

  // None of them created the user: the sub's first good login works normally.
  const user = await jwtLogin(mintJwt(customClaims(sub)));
  assert.equal(user.identities[0].id, sub);
});
