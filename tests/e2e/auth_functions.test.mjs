// The auth hooks that run the app's functions (issue 7 item 6), through
// realm-web 2.0.1 against tests/e2e/apps/auth-functions: the local-userpass
// confirmation function (register, confirm/call), the reset function
// (reset/call) and the custom-function provider. The functions there
// record what they were given in authfn.tokens; issuedTokens reads it back.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { appIdOf, useServer } from "./harness.mjs";
import { P, Realm, expectRawError, expectRealmError, newApp, raw, rawLogin, uniqueEmail } from "./auth_helpers.mjs";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "apps", "auth-functions");
const APP_ID = appIdOf(APP_DIR);
const U = `${P}/app/${APP_ID}/auth/providers/local-userpass`;

let server;
// One I/O thread: a hook that ran on it would hold up every other request
// (see "off the I/O thread" below).
useServer({ apps: [APP_DIR], args: ["--io-threads", "1"] }, (s) => (server = s));

const app = () => newApp(server, APP_ID);
const PASSWORD = "p4ssw0rd!";

/** What the app's confirmation or reset function recorded for email (oldest first). */
async function issued(email, kind) {
  const anon = await app().logIn(Realm.Credentials.anonymous());
  return anon.functions.issuedTokens(email, kind);
}

async function canLogIn(email, password) {
  try {
    await app().logIn(Realm.Credentials.emailPassword(email, password));
    return true;
  } catch (e) {
    assert.ok(e instanceof Realm.MongoDBRealmError, String(e));
    assert.equal(e.statusCode, 401, e.message);
    return false;
  }
}

describe("confirmation function", () => {
  test("success: the account is confirmed at once; the function saw token, tokenId and username", async () => {
    for (const tag of ["ok", "async"]) {
      const email = uniqueEmail(tag);
      await app().emailPasswordAuth.registerUser({ email, password: PASSWORD });
      assert.ok(await canLogIn(email, PASSWORD), `${tag}: logs in right after register`);
      const [seen] = await issued(email, "confirm");
      assert.equal(seen.username, email);
      assert.match(seen.token, /^[0-9a-f]{64}$/);
      assert.match(seen.tokenId, /^[0-9a-f]{24}$/);
      // The token was used up by the confirmation.
      await expectRealmError(
        app().emailPasswordAuth.confirmUser({ token: seen.token, tokenId: seen.tokenId }),
        400,
        "UserpassTokenInvalid",
      );
    }
  });

  test("pending: the account waits until the confirm route gets the function's token", async () => {
    const email = uniqueEmail("pending");
    await app().emailPasswordAuth.registerUser({ email, password: PASSWORD });
    assert.equal(await canLogIn(email, PASSWORD), false, "a pending account cannot log in");
    const [seen] = await issued(email, "confirm");
    await expectRealmError(
      app().emailPasswordAuth.confirmUser({ token: "0".repeat(64), tokenId: seen.tokenId }),
      400,
      "UserpassTokenInvalid",
      "a wrong token",
    );
    await app().emailPasswordAuth.confirmUser({ token: seen.token, tokenId: seen.tokenId });
    assert.ok(await canLogIn(email, PASSWORD), "confirmed through the ordinary route");
    // Registering again is a taken name, as for any account.
    await expectRealmError(
      app().emailPasswordAuth.registerUser({ email, password: PASSWORD }),
      409,
      "AccountNameInUse",
    );
  });

  test("fail: register is 400 'failed to confirm user' and leaves no account behind", async () => {
    const email = uniqueEmail("fail");
    const err = await expectRealmError(
      app().emailPasswordAuth.registerUser({ email, password: PASSWORD }),
      400,
      "BadRequest",
    );
    assert.match(err.message, new RegExp(`failed to confirm user "${email.replace(/[.]/g, "\\.")}"`));
    assert.equal(await canLogIn(email, PASSWORD), false);
    // No pending account: the same address gets the function's answer again, not 409.
    await expectRealmError(app().emailPasswordAuth.registerUser({ email, password: PASSWORD }), 400, "BadRequest");
    await expectRealmError(app().emailPasswordAuth.retryCustomConfirmation({ email }), 404, "UserNotFound");
    // The refused token was dropped with the account.
    const seen = await issued(email, "confirm");
    assert.equal(seen.length, 2);
    await expectRealmError(
      app().emailPasswordAuth.confirmUser({ token: seen[0].token, tokenId: seen[0].tokenId }),
      400,
      "UserpassTokenInvalid",
    );
  });

  test("a throwing function: 400 FunctionExecutionError with its message, no pending account", async () => {
    const email = uniqueEmail("throw");
    const err = await expectRealmError(
      app().emailPasswordAuth.registerUser({ email, password: PASSWORD }),
      400,
      "FunctionExecutionError",
    );
    assert.match(err.message, /no confirmation for throw-/);
    await expectRealmError(
      app().emailPasswordAuth.registerUser({ email, password: PASSWORD }),
      400,
      "FunctionExecutionError",
      "registering again runs the function again (no account was kept)",
    );
    await expectRealmError(app().emailPasswordAuth.retryCustomConfirmation({ email }), 404, "UserNotFound");
  });

  test("an answer that is not {status: success|pending|fail} is a FunctionExecutionError", async () => {
    for (const tag of ["badstatus", "bare"]) {
      const email = uniqueEmail(tag);
      const err = await expectRealmError(
        app().emailPasswordAuth.registerUser({ email, password: PASSWORD }),
        400,
        "FunctionExecutionError",
        tag,
      );
      assert.match(err.message, /confirmation function 'confirmUser' must return \{status/);
      assert.equal(await canLogIn(email, PASSWORD), false);
    }
  });

  test("confirm/call (retryCustomConfirmation) runs the function again with a new token", async () => {
    const email = uniqueEmail("second");
    await app().emailPasswordAuth.registerUser({ email, password: PASSWORD });
    assert.equal(await canLogIn(email, PASSWORD), false, "pending after register");
    await app().emailPasswordAuth.retryCustomConfirmation({ email: email.toUpperCase() });
    assert.ok(await canLogIn(email, PASSWORD), "the second run said success");
    const seen = await issued(email, "confirm");
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0].tokenId, seen[1].tokenId);
    await expectRealmError(
      app().emailPasswordAuth.retryCustomConfirmation({ email }),
      400,
      "UserAlreadyConfirmed",
    );
    await expectRealmError(
      app().emailPasswordAuth.retryCustomConfirmation({ email: uniqueEmail("nobody") }),
      404,
      "UserNotFound",
    );
  });

  test("confirm/call answering pending keeps the account; each run's token confirms it", async () => {
    const email = uniqueEmail("pending");
    await app().emailPasswordAuth.registerUser({ email, password: PASSWORD });
    await app().emailPasswordAuth.retryCustomConfirmation({ email });
    assert.equal(await canLogIn(email, PASSWORD), false);
    const seen = await issued(email, "confirm");
    assert.equal(seen.length, 2);
    await app().emailPasswordAuth.confirmUser({ token: seen[1].token, tokenId: seen[1].tokenId });
    assert.ok(await canLogIn(email, PASSWORD));
  });
});

/** A confirmed email/password account (the confirmation function says success to "ok-"). */
async function confirmedAccount() {
  const email = uniqueEmail("ok");
  await app().emailPasswordAuth.registerUser({ email, password: PASSWORD });
  return email;
}

describe("reset function", () => {
  test("success: the password changes at once; the function got the details and the extra arguments", async () => {
    const email = await confirmedAccount();
    await app().emailPasswordAuth.callResetPasswordFunction(
      { email, password: "new-password-1" },
      "approve",
      { n: 42, nested: [1, "two"] },
    );
    assert.ok(await canLogIn(email, "new-password-1"));
    assert.equal(await canLogIn(email, PASSWORD), false, "the old password no longer works");
    const [seen] = await issued(email, "reset");
    assert.equal(seen.username, email);
    assert.equal(seen.password, "new-password-1");
    assert.equal(seen.mode, "approve");
    assert.deepEqual(seen.rest, [{ n: 42, nested: [1, "two"] }]);
    assert.match(seen.token, /^[0-9a-f]{64}$/);
    // Used up.
    await expectRealmError(
      app().emailPasswordAuth.resetPassword({ token: seen.token, tokenId: seen.tokenId, password: "again-123" }),
      400,
      "UserpassTokenInvalid",
    );
  });

  test("pending: nothing changes until the reset route gets the function's token", async () => {
    const email = await confirmedAccount();
    await app().emailPasswordAuth.callResetPasswordFunction({ email, password: "asked-for-1" }, "pending");
    assert.ok(await canLogIn(email, PASSWORD), "the old password still works");
    assert.equal(await canLogIn(email, "asked-for-1"), false);
    const [seen] = await issued(email, "reset");
    // The reset route sets the password given to it then.
    await app().emailPasswordAuth.resetPassword({ token: seen.token, tokenId: seen.tokenId, password: "final-pass-2" });
    assert.ok(await canLogIn(email, "final-pass-2"));
    assert.equal(await canLogIn(email, PASSWORD), false);
    assert.equal(await canLogIn(email, "asked-for-1"), false);
  });

  test("fail: 400 'failed to reset password for user'; the password is unchanged", async () => {
    const email = await confirmedAccount();
    const err = await expectRealmError(
      app().emailPasswordAuth.callResetPasswordFunction({ email, password: "denied-pass" }, "deny"),
      400,
      "BadRequest",
    );
    assert.match(err.message, /failed to reset password for user "/);
    assert.ok(await canLogIn(email, PASSWORD));
    assert.equal(await canLogIn(email, "denied-pass"), false);
  });

  test("a throwing function: 400 FunctionExecutionError with its message; the password is unchanged", async () => {
    const email = await confirmedAccount();
    const err = await expectRealmError(
      app().emailPasswordAuth.callResetPasswordFunction({ email, password: "thrown-pass" }, "throw", "by policy"),
      400,
      "FunctionExecutionError",
    );
    assert.match(err.message, /reset refused: by policy/);
    assert.ok(await canLogIn(email, PASSWORD));
    // The token the failed run got is gone too.
    const [seen] = await issued(email, "reset");
    await expectRealmError(
      app().emailPasswordAuth.resetPassword({ token: seen.token, tokenId: seen.tokenId, password: "sneaky-123" }),
      400,
      "UserpassTokenInvalid",
    );
  });

  test("a bad answer is a FunctionExecutionError; unknown email 404; bad password 400", async () => {
    const email = await confirmedAccount();
    const err = await expectRealmError(
      app().emailPasswordAuth.callResetPasswordFunction({ email, password: "whatever-1" }, "unknown-mode"),
      400,
      "FunctionExecutionError",
    );
    assert.match(err.message, /reset function 'resetPassword' must return \{status/);
    assert.ok(await canLogIn(email, PASSWORD));
    await expectRealmError(
      app().emailPasswordAuth.callResetPasswordFunction({ email: uniqueEmail("nobody"), password: "whatever-1" }, "approve"),
      404,
      "UserNotFound",
    );
    await expectRealmError(
      app().emailPasswordAuth.callResetPasswordFunction({ email, password: "123" }, "approve"),
      400,
      "BadRequest",
    );
    const res = await raw(server, "POST", `${U}/reset/call`, {
      body: { email, password: "whatever-1", arguments: "approve" },
    });
    expectRawError(res, 400, "BadRequest", "arguments that are not an array");
    assert.ok(await canLogIn(email, PASSWORD));
  });
});

describe("custom-function provider", () => {
  const fn = (payload) => Realm.Credentials.function(payload);
  const uniqueName = (tag) => uniqueEmail(tag).replace("@example.test", "");

  test("a returned string id makes a new user; the same id logs in the same user", async () => {
    const username = uniqueName("cf");
    const first = await app().logIn(fn({ mode: "string", username }));
    assert.match(first.id, /^[0-9a-f]{24}$/);
    assert.equal(first.providerType, "custom-function");
    const profile = await raw(server, "GET", `${P}/auth/profile`, { token: first.accessToken });
    assert.equal(profile.status, 200, profile.text);
    assert.deepEqual(
      profile.json.identities.map((i) => [i.id, i.provider_type]),
      [[username, "custom-function"]],
    );
    const second = await app().logIn(fn({ mode: "object", username, name: "ignored later" }));
    assert.equal(second.id, first.id, "the same external id is the same user");
    const other = await app().logIn(fn({ mode: "string", username: username + "-2" }));
    assert.notEqual(other.id, first.id);
  });

  test("{id, name}: name fills the new user's data.name", async () => {
    const username = uniqueName("named");
    const user = await app().logIn(fn({ mode: "object", username, name: "Ada Lovelace" }));
    assert.equal(user.profile.name, "Ada Lovelace");
    const async = await app().logIn(fn({ mode: "async", username }));
    assert.equal(async.id, user.id, "a returned promise is awaited");
  });

  test("the payload reaches the function decoded from canonical EJSON", async () => {
    const username = uniqueName("types");
    const user = await app().logIn(fn({ mode: "types", username, pin: 42 }));
    const profile = await raw(server, "GET", `${P}/auth/profile`, { token: user.accessToken });
    assert.equal(profile.json.identities[0].id, `types-number-42-${username}`);
  });

  test("a custom-function identity links to an anonymous user, and then logs that user in", async () => {
    const username = uniqueName("link");
    const anon = await app().logIn(Realm.Credentials.anonymous());
    await anon.linkCredentials(fn({ mode: "object", username, name: "Linked" }));
    const again = await app().logIn(fn({ mode: "string", username }));
    assert.equal(again.id, anon.id);
    const profile = await raw(server, "GET", `${P}/auth/profile`, { token: again.accessToken });
    assert.deepEqual(
      profile.json.identities.map((i) => i.provider_type),
      ["anon-user", "custom-function"],
    );
    assert.equal(profile.json.data.name, "Linked");
  });

  test("a throwing function refuses the login: 401 AuthError with its message", async () => {
    const err = await expectRealmError(app().logIn(fn({ mode: "throw", username: "mallory" })), 401, "AuthError");
    assert.match(err.message, /unknown user mallory/);
  });

  test("answers other than a non-empty string or {id, name?} are 400 FunctionExecutionError", async () => {
    for (const mode of ["number", "empty", "noid", "badname", "undefined"]) {
      const err = await expectRealmError(
        app().logIn(fn({ mode, username: uniqueName("bad") })),
        400,
        "FunctionExecutionError",
        mode,
      );
      assert.match(err.message, /authentication function 'authenticate' must return/, mode);
    }
    // Raw: a body that is not an object is refused before any function runs.
    const res = await rawLogin(server, "custom-function", "[1,2]", { appId: APP_ID });
    expectRawError(res, 400);
  });
});

describe("off the I/O thread", () => {
  /**
   * Runs hook (which keeps the app's function busy for a second) and, while it
   * runs, asks for the location; with the server's one I/O thread, the
   * location can only answer first if the hook runs on the worker pool.
   */
  async function answersWhileBusy(hook) {
    let hookDone = false;
    const running = hook().then(() => (hookDone = true));
    await new Promise((r) => setTimeout(r, 300)); // the function is running by now
    const res = await raw(server, "GET", `${P}/app/${APP_ID}/location`);
    assert.equal(res.status, 200);
    assert.equal(hookDone, false, "the location answered while the function was still running");
    await running;
  }

  test("custom-function login, register with a confirmation function, reset/call", async () => {
    const username = uniqueEmail("slow").replace("@example.test", "");
    await answersWhileBusy(() => app().logIn(Realm.Credentials.function({ mode: "slow", username })));
    const email = uniqueEmail("slow");
    await answersWhileBusy(() => app().emailPasswordAuth.registerUser({ email, password: PASSWORD }));
    assert.ok(await canLogIn(email, PASSWORD));
    await answersWhileBusy(() =>
      app().emailPasswordAuth.callResetPasswordFunction({ email, password: "slow-reset-1" }, "slow"),
    );
    assert.ok(await canLogIn(email, "slow-reset-1"));
  });
});
