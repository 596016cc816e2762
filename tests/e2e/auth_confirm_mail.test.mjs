// Email confirmation and password reset by mail (client-api §2 rows 9-13,
// §12 local-userpass) through realm-web 2.0.1, with plinth sending SMTP to a
// sink in this process. The same server also serves the auth app, for the
// cross-app token check (UserAppDomainMismatch).

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import { startServer } from "./harness.mjs";
import {
  AUTH_APP,
  AUTH_ENV,
  CONFIRM_APP,
  CONFIRM_APP_ID,
  P,
  Realm,
  emailUser,
  expectRawError,
  expectRealmError,
  extractTokenLink,
  mailSubject,
  newApp,
  raw,
  rawLogin,
  startMailSink,
  uniqueEmail,
  waitForMailTo,
} from "./auth_helpers.mjs";

const CONFIRM_URL = "http://localhost/confirm";
const RESET_URL = "http://localhost/reset";
const MAIL_FROM = "plinth@example.test";

let server;
let sink;
let startError;
before(async () => {
  try {
    sink = await startMailSink();
    server = await startServer({
      apps: [CONFIRM_APP, AUTH_APP],
      env: AUTH_ENV,
      args: ["--smtp-url", sink.url, "--mail-from", MAIL_FROM],
    });
  } catch (err) {
    startError = err;
  }
});
beforeEach(() => {
  if (startError) throw startError;
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const confirmApp = () => newApp(server, CONFIRM_APP_ID);

/** Registers email and confirms it through the mailed link; returns the App used. */
async function registerConfirmed(email, password) {
  const app = confirmApp();
  const from = sink.messages.length;
  await app.emailPasswordAuth.registerUser({ email, password });
  const mail = await waitForMailTo(sink, email, CONFIRM_URL, { from });
  const { token, tokenId } = extractTokenLink(mail.raw, CONFIRM_URL);
  await app.emailPasswordAuth.confirmUser({ token, tokenId });
  return app;
}

test("registration mails a confirmation link; the user logs in only after confirming", async () => {
  const app = confirmApp();
  const email = uniqueEmail("confirm");
  const password = "p4ssw0rd!";
  const from = sink.messages.length;

  // Raw: 201, empty, no Content-Type, as with auto-confirm.
  const reg = await raw(server, "POST", `${P}/app/${CONFIRM_APP_ID}/auth/providers/local-userpass/register`, {
    body: { email, password },
  });
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.text, "");
  assert.equal(reg.headers.get("content-type"), null);

  await expectRealmError(
    app.logIn(Realm.Credentials.emailPassword(email, password)),
    401,
    "InvalidPassword",
    "login before confirming",
  );

  const mail = await waitForMailTo(sink, email, CONFIRM_URL, { from });
  assert.equal(mail.from, MAIL_FROM, "envelope sender is --mail-from");
  assert.match(mailSubject(mail.raw) ?? "", /Confirm/, "subject is confirmEmailSubject");
  const { token, tokenId } = extractTokenLink(mail.raw, CONFIRM_URL);
  assert.ok(token.length > 0 && tokenId.length > 0);

  await app.emailPasswordAuth.confirmUser({ token, tokenId });
  const user = await app.logIn(Realm.Credentials.emailPassword(email, password));
  assert.equal(user.profile.email, email);

  // The token is spent.
  await expectRealmError(
    app.emailPasswordAuth.confirmUser({ token, tokenId }),
    400,
    "UserpassTokenInvalid",
    "confirming twice",
  );
  // Resending for a confirmed user, and for nobody.
  await expectRealmError(
    app.emailPasswordAuth.resendConfirmationEmail({ email }),
    400,
    "UserAlreadyConfirmed",
    "resend to a confirmed user",
  );
  await expectRealmError(
    app.emailPasswordAuth.resendConfirmationEmail({ email: uniqueEmail("nobody") }),
    404,
    "UserNotFound",
    "resend to an unknown email",
  );
});

test("a made-up confirmation token is 400", async () => {
  const app = confirmApp();
  await expectRealmError(
    app.emailPasswordAuth.confirmUser({ token: "a".repeat(64), tokenId: "0123456789abcdef01234567" }),
    400,
    undefined,
    "made-up token",
  );
});

test("resendConfirmationEmail sends a fresh link that confirms the user", async () => {
  const app = confirmApp();
  const email = uniqueEmail("resend");
  const password = "p4ssw0rd!";
  let from = sink.messages.length;
  await app.emailPasswordAuth.registerUser({ email, password });
  await waitForMailTo(sink, email, CONFIRM_URL, { from });

  from = sink.messages.length;
  await app.emailPasswordAuth.resendConfirmationEmail({ email });
  const second = await waitForMailTo(sink, email, CONFIRM_URL, { from });
  const { token, tokenId } = extractTokenLink(second.raw, CONFIRM_URL);
  await app.emailPasswordAuth.confirmUser({ token, tokenId });
  const user = await app.logIn(Realm.Credentials.emailPassword(email, password));
  assert.equal(user.profile.email, email);
});

test("password reset by mail: the new password works, the old one does not", async () => {
  const email = uniqueEmail("reset");
  const app = await registerConfirmed(email, "oldpass1");
  await app.logIn(Realm.Credentials.emailPassword(email, "oldpass1"));

  const from = sink.messages.length;
  await app.emailPasswordAuth.sendResetPasswordEmail({ email });
  const mail = await waitForMailTo(sink, email, RESET_URL, { from });
  assert.match(mailSubject(mail.raw) ?? "", /Reset/, "subject is resetPasswordSubject");
  const { token, tokenId } = extractTokenLink(mail.raw, RESET_URL);

  await app.emailPasswordAuth.resetPassword({ token, tokenId, password: "newpass1" });

  const fresh = confirmApp();
  const user = await fresh.logIn(Realm.Credentials.emailPassword(email, "newpass1"));
  assert.equal(user.profile.email, email);
  await expectRealmError(
    confirmApp().logIn(Realm.Credentials.emailPassword(email, "oldpass1")),
    401,
    "InvalidPassword",
    "old password after reset",
  );
});

test("an access token of one app is refused on another app's route: 401 UserAppDomainMismatch", async () => {
  // A confirmed user of the confirm app, so the credentials themselves are good.
  const email = uniqueEmail("domain");
  await registerConfirmed(email, "p4ssw0rd!");

  // A user of the auth app (served by the same process).
  const { user } = await emailUser(server, { tag: "domain" });
  await user.refreshAccessToken(); // fresh: auth-app access tokens live 3 s

  const res = await rawLogin(
    server,
    "local-userpass",
    { username: email, password: "p4ssw0rd!" },
    { appId: CONFIRM_APP_ID, token: user.accessToken, link: true },
  );
  expectRawError(res, 401, "UserAppDomainMismatch");
});
