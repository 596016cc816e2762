// `plinth users ...` (list, create, disable, enable, revoke-sessions, delete)
// run against the data directory of a live `plinth serve`, and the effect of
// each on that server as realm-web 2.0.1 and raw requests see it.

import assert from "node:assert/strict";
import { test } from "node:test";

import { useServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_ENV,
  P,
  Realm,
  emailUser,
  eventually,
  expectRawError,
  expectRealmError,
  newApp,
  plinthCli,
  raw,
  uniqueEmail,
} from "./auth_helpers.mjs";

let server;
useServer({ apps: [AUTH_APP], env: AUTH_ENV }, (s) => (server = s));

/**
 * `plinth users <args> --app <auth app> --data <server's data dir>`, with the
 * same environment (the app's secrets) as the server.
 */
function users(...args) {
  return plinthCli(["users", ...args, "--app", AUTH_APP, "--data", server.dataDir], AUTH_ENV);
}

/** Asserts exit 0 and exactly one line on stdout; returns it. */
function oneLineOk(r, what) {
  assert.equal(r.code, 0, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `${what} prints one line: ${r.stdout}`);
  return lines[0];
}

/** Tries an email/password login until it yields (status, code) or the time is up. */
async function loginOutcome(email, password, { want, timeoutMs = 5_000 }) {
  let last;
  await eventually(
    async () => {
      try {
        const user = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
        last = { ok: true, user };
      } catch (err) {
        last = { ok: false, status: err.statusCode, code: err.errorCode, err };
      }
      return want(last);
    },
    { timeoutMs },
  );
  return last;
}

/** Tries a raw refresh until it is refused (401) or the time is up. */
async function refreshRefused(refreshToken, timeoutMs = 5_000) {
  let res;
  await eventually(
    async () => {
      res = await raw(server, "POST", `${P}/auth/session`, { token: refreshToken });
      return res.status === 401;
    },
    { timeoutMs },
  );
  return res;
}

test("users list prints one line per user, with the user id", async () => {
  const a = await emailUser(server, { tag: "list-a" });
  const b = await newApp(server).logIn(Realm.Credentials.anonymous());
  const r = users("list");
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  const withA = lines.filter((l) => l.includes(a.user.id));
  const withB = lines.filter((l) => l.includes(b.id));
  assert.equal(withA.length, 1, `one line for ${a.user.id}:\n${r.stdout}`);
  assert.equal(withB.length, 1, `one line for ${b.id}:\n${r.stdout}`);
  assert.notEqual(withA[0], withB[0]);
});

test("disable refuses logins (UserDisabled) and refreshes; enable lets the user back in", async () => {
  const { user, email, password } = await emailUser(server, { tag: "disable" });
  const refreshToken = user.refreshToken;

  oneLineOk(users("disable", user.id), "users disable");

  const refused = await loginOutcome(email, password, { want: (o) => !o.ok && o.status === 401 });
  assert.equal(refused.ok, false, "login still works after disable");
  assert.equal(refused.status, 401, refused.err?.message);
  assert.equal(refused.code, "UserDisabled", refused.err?.message);

  const res = await refreshRefused(refreshToken);
  expectRawError(res, 401, undefined, "refresh of a disabled user");

  oneLineOk(users("enable", user.id), "users enable");
  const back = await loginOutcome(email, password, { want: (o) => o.ok });
  assert.ok(back.ok, `login after enable: ${back.err?.message}`);
  assert.equal(back.user.id, user.id);
});

test("create makes a user who can log in", async () => {
  const email = uniqueEmail("clicreate");
  const r = users("create", "--email", email, "--password", "p4ssw0rd!");
  const line = oneLineOk(r, "users create");
  assert.match(line, /created/);

  const outcome = await loginOutcome(email, "p4ssw0rd!", { want: (o) => o.ok });
  assert.ok(outcome.ok, `login as the created user: ${outcome.err?.message}`);
  assert.equal(outcome.user.profile.email, email);

  // The same email again is an error (one line on stderr, non-zero exit).
  const dup = users("create", "--email", email, "--password", "p4ssw0rd!");
  assert.notEqual(dup.code, 0, dup.stdout);
  assert.equal(dup.stderr.trim().split("\n").length, 1, dup.stderr);
});

test("revoke-sessions ends every refresh token of the user", async () => {
  const { user, email, password } = await emailUser(server, { tag: "revoke" });
  const second = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
  assert.equal(second.id, user.id);

  oneLineOk(users("revoke-sessions", user.id), "users revoke-sessions");

  for (const token of [user.refreshToken, second.refreshToken]) {
    const res = await refreshRefused(token);
    expectRawError(res, 401, "InvalidSession", "refresh after revoke-sessions");
  }
  // Logging in again still works (the user is not disabled).
  const again = await newApp(server).logIn(Realm.Credentials.emailPassword(email, password));
  assert.equal(again.id, user.id);
});

test("delete removes the user: prints 'deleted', login fails afterwards", async () => {
  const { user, email, password } = await emailUser(server, { tag: "clidelete" });
  const line = oneLineOk(users("delete", user.id), "users delete");
  assert.match(line, /deleted/);

  const outcome = await loginOutcome(email, password, { want: (o) => !o.ok });
  assert.equal(outcome.ok, false, "login still works after delete");
  await expectRealmError(
    newApp(server).logIn(Realm.Credentials.emailPassword(email, password)),
    401,
    "InvalidPassword",
  );
  const list = users("list");
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(user.id), "the deleted user is not listed");
});

test("an unknown user id is a one-line error and a non-zero exit", () => {
  // The command itself works (so the failures below are about the id).
  assert.equal(users("list").code, 0, users("list").stderr);
  for (const cmd of ["disable", "enable", "revoke-sessions", "delete"]) {
    const r = users(cmd, "0123456789abcdef01234567");
    assert.notEqual(r.code, 0, `${cmd}: exit ${r.code}, stdout ${r.stdout}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${cmd} stderr: ${r.stderr}`);
    assert.ok(lines[0].length > 0);
  }
});
