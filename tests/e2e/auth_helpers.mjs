// Shared helpers for the authentication end-to-end tests (auth_*.test.mjs):
// the two test apps, realm-web App construction with private storage, raw
// HTTP helpers, JWT decoding/minting with node:crypto, an SMTP mail sink, and
// the `plinth users ...` command line.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as Realm from "realm-web";
import { SMTPServer } from "smtp-server";

import { PLINTH_BIN, appIdOf, checkEnvelope, sleep } from "./harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

/** tests/e2e/apps/auth: anon, local-userpass (auto-confirm), api-key, custom-token; 3 s access tokens. */
export const AUTH_APP = join(HERE, "apps", "auth");
/** tests/e2e/apps/auth-confirm: local-userpass with e-mail confirmation. */
export const CONFIRM_APP = join(HERE, "apps", "auth-confirm");
export const AUTH_APP_ID = appIdOf(AUTH_APP); // "auth-e2e-abcde"
export const CONFIRM_APP_ID = appIdOf(CONFIRM_APP); // "auth-confirm-abcde"

/** The custom-token signing key (secret `customJwtKey`, env PLINTH_SECRET_CUSTOMJWTKEY). */
export const JWT_SECRET = "e2e_custom-jwt_signing-key_0123456789abcdefABCDEF";
/** Environment every auth test server gets. */
export const AUTH_ENV = { PLINTH_SECRET_CUSTOMJWTKEY: JWT_SECRET };
/** plinth.json of the auth app: access tokens live this long. */
export const ACCESS_TOKEN_LIFETIME_S = 3;

export const P = "/api/client/v2.0";
export const HEX24 = /^[0-9a-f]{24}$/;

export { Realm };

/**
 * In-memory realm-web storage private to one App. realm-web's default storage
 * is one process-wide object keyed by app id, so without this an App created
 * in one test would see (and reuse) the users logged in by another.
 */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
    this.listeners = new Set();
  }
  get(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  set(key, value) {
    this.map.set(key, value);
    this.fire();
  }
  remove(key) {
    this.map.delete(key);
    this.fire();
  }
  prefix(part) {
    return new PrefixedStorage(this, part);
  }
  clear(prefix = "") {
    for (const key of [...this.map.keys()]) if (key.startsWith(prefix)) this.map.delete(key);
    this.fire();
  }
  addListener(listener) {
    this.listeners.add(listener);
  }
  removeListener(listener) {
    this.listeners.delete(listener);
  }
  fire() {
    for (const listener of this.listeners) listener();
  }
}

class PrefixedStorage {
  constructor(storage, part) {
    this.storage = storage;
    this.part = part;
  }
  get(key) {
    return this.storage.get(`${this.part}:${key}`);
  }
  set(key, value) {
    return this.storage.set(`${this.part}:${key}`, value);
  }
  remove(key) {
    return this.storage.remove(`${this.part}:${key}`);
  }
  prefix(part) {
    return new PrefixedStorage(this, part);
  }
  clear(prefix = "") {
    return this.storage.clear(`${this.part}:${prefix}`);
  }
  addListener(listener) {
    return this.storage.addListener(listener);
  }
  removeListener(listener) {
    return this.storage.removeListener(listener);
  }
}

/** A fresh realm-web App (own storage) talking to server. */
export function newApp(server, appId = AUTH_APP_ID) {
  return new Realm.App({ id: appId, baseUrl: server.url, storage: new MemoryStorage() });
}

let emailCounter = 0;
/** An e-mail address no other test uses. */
export function uniqueEmail(tag = "user") {
  emailCounter += 1;
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${emailCounter}@example.test`;
}

/** Registers and logs in an email/password user with realm-web; returns {app, user, email, password}. */
export async function emailUser(server, { tag = "user", password = "p4ssw0rd!", app } = {}) {
  app ??= newApp(server);
  const email = uniqueEmail(tag);
  await app.emailPasswordAuth.registerUser({ email, password });
  const user = await app.logIn(Realm.Credentials.emailPassword(email, password));
  return { app, user, email, password };
}

/**
 * Awaits promise and asserts it rejected with a realm-web MongoDBRealmError of
 * the given HTTP status and (when given) error code. Returns the error.
 */
export async function expectRealmError(promise, status, errorCode, what = "") {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  const prefix = what ? `${what}: ` : "";
  assert.ok(err, `${prefix}expected a ${status}${errorCode ? " " + errorCode : ""} error, got success`);
  assert.ok(
    err instanceof Realm.MongoDBRealmError,
    `${prefix}expected a MongoDBRealmError, got ${err?.stack ?? err}`,
  );
  assert.equal(err.statusCode, status, `${prefix}status of: ${err.message}`);
  if (errorCode !== undefined) assert.equal(err.errorCode, errorCode, `${prefix}errorCode of: ${err.message}`);
  return err;
}

/**
 * A raw HTTP request. Returns {status, headers (Headers), text, json (parsed or
 * undefined)}. token is put in "Authorization: Bearer ..."; body (object) is
 * sent as JSON.
 */
export async function raw(server, method, path, { token, body, headers = {} } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  const res = await fetch(server.url + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Asserts a raw response is an error: the status, exactly
 * "Content-Type: application/json", and the {error, error_code} envelope with
 * the given code (when given). Returns the body.
 */
export function expectRawError(res, status, errorCode, what = "") {
  const prefix = what ? `${what}: ` : "";
  assert.equal(res.status, status, `${prefix}status (body ${res.text})`);
  assert.equal(res.headers.get("content-type"), "application/json", `${prefix}content-type`);
  assert.ok(res.json, `${prefix}body is JSON: ${res.text}`);
  return checkEnvelope(assert, res.json, errorCode);
}

/** Raw login: POST A/auth/providers/{provider}/login. */
export function rawLogin(server, provider, body, { appId = AUTH_APP_ID, token, link = false } = {}) {
  const q = link ? "?link=true" : "";
  return raw(server, "POST", `${P}/app/${appId}/auth/providers/${provider}/login${q}`, { body, token });
}

/** base64url (or base64, padded or not) → Buffer. */
export function b64urlDecode(s) {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

export function b64urlEncode(data) {
  return Buffer.from(data).toString("base64url");
}

/** Splits a JWT into {header, payload, signature, parts}; header and payload parsed. */
export function decodeJwt(token) {
  assert.equal(typeof token, "string", "token is a string");
  const parts = token.split(".");
  assert.equal(parts.length, 3, `JWT has three segments: ${token}`);
  return {
    header: JSON.parse(b64urlDecode(parts[0]).toString("utf8")),
    payload: JSON.parse(b64urlDecode(parts[1]).toString("utf8")),
    signature: parts[2],
    parts,
  };
}

/**
 * Mints a JWT. alg "HS256" (default) signs with secret; alg "none" leaves the
 * signature empty. header fields are merged over {alg, typ: "JWT"}.
 */
export function mintJwt(payload, { secret = JWT_SECRET, alg = "HS256", header = {} } = {}) {
  const h = b64urlEncode(JSON.stringify({ alg, typ: "JWT", ...header }));
  const p = b64urlEncode(JSON.stringify(payload));
  if (alg === "none") return `${h}.${p}.`;
  const sig = createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url");
  return `${h}.${p}.${sig}`;
}

/** A custom-token payload for the auth app, valid for an hour. */
export function customClaims(sub, extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { aud: AUTH_APP_ID, sub, iat: now, exp: now + 3600, ...extra };
}

/** A token with one signature character changed (still valid base64url). */
export function tamperSignature(token) {
  const dot = token.lastIndexOf(".");
  const sig = token.slice(dot + 1);
  assert.ok(sig.length > 2, "token has a signature");
  // Change a character in the middle (the last one may carry padding bits only).
  const i = Math.floor(sig.length / 2);
  const c = sig[i] === "A" ? "B" : "A";
  return token.slice(0, dot + 1) + sig.slice(0, i) + c + sig.slice(i + 1);
}

/** Re-encodes a token's header/payload unsigned with alg "none". */
export function unsignedCopy(token) {
  const { header, payload } = decodeJwt(token);
  return mintJwt(payload, { alg: "none", header: { ...header, alg: "none" } });
}

/** Retries fn (async, returns truthy when done) until it succeeds or timeoutMs passes; returns the last value. */
export async function eventually(fn, { timeoutMs = 5_000, intervalMs = 150 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

/** Runs `plinth ...args` synchronously (env: extra variables): {code, stdout, stderr}. */
export function plinthCli(args, env = {}) {
  const r = spawnSync(PLINTH_BIN, args, { encoding: "utf8", timeout: 20_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
}

// ---------------------------------------------------------------------------
// Mail

/**
 * An SMTP server on 127.0.0.1 (free port) that accepts everything and keeps
 * the raw messages: {port, url, messages: [{from, to, raw}], waitFor(pred), close()}.
 */
export async function startMailSink() {
  const messages = [];
  const waiters = new Set();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on("data", (c) => chunks.push(c));
      stream.on("end", () => {
        const msg = {
          from: session.envelope.mailFrom?.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        };
        messages.push(msg);
        for (const waiter of waiters) waiter(msg);
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    smtp.once("error", reject);
    smtp.listen(0, "127.0.0.1", () => {
      smtp.off("error", reject);
      resolve();
    });
  });
  smtp.on("error", () => {}); // A client going away mid-session is not a test failure.
  const port = smtp.server.address().port;

  function waitFor(pred, { timeoutMs = 10_000 } = {}) {
    const seen = messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `no matching mail within ${timeoutMs} ms; got ${messages.length}:\n` +
              messages.map((m) => `to ${m.to.join(",")}\n${m.raw.slice(0, 2000)}`).join("\n---\n"),
          ),
        );
      }, timeoutMs);
      const waiter = (msg) => {
        if (pred(msg)) {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(msg);
        }
      };
      waiters.add(waiter);
    });
  }

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor,
    close: () => new Promise((resolve) => smtp.close(() => resolve())),
  };
}

/** The first mail to `to` whose text contains urlPrefix (after messages.length was `from`). */
export function waitForMailTo(sink, to, urlPrefix, { from = 0, timeoutMs = 10_000 } = {}) {
  return sink.waitFor(
    (m) =>
      sink.messages.indexOf(m) >= from &&
      m.to.map((a) => a.toLowerCase()).includes(to.toLowerCase()) &&
      mailText(m.raw).includes(urlPrefix),
    { timeoutMs },
  );
}

function splitHeaders(rawPart) {
  const m = /\r?\n\r?\n/.exec(rawPart);
  const head = m ? rawPart.slice(0, m.index) : rawPart;
  const body = m ? rawPart.slice(m.index + m[0].length) : "";
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** Decodes quoted-printable text (soft line breaks, =XX escapes) as UTF-8. */
export function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i];
    if (ch === "=" && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodePart(headers, body) {
  const cte = (headers["content-transfer-encoding"] || "").toLowerCase();
  if (cte === "quoted-printable") return decodeQuotedPrintable(body);
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

/**
 * The decoded text of a raw RFC 5322 message: the text/plain parts (all text
 * parts if there is no text/plain), transfer encodings undone.
 */
export function mailText(rawMessage) {
  const texts = [];
  const walk = (rawPart) => {
    const { headers, body } = splitHeaders(rawPart);
    const type = (headers["content-type"] || "text/plain").toLowerCase();
    const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] || "")?.[1];
    if (type.startsWith("multipart/") && boundary) {
      const pieces = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      for (const piece of pieces.slice(1)) {
        if (piece.startsWith("--")) break;
        walk(piece.replace(/^[ \t]*\r?\n/, ""));
      }
    } else if (type.startsWith("text/")) {
      texts.push({ plain: type.startsWith("text/plain"), text: decodePart(headers, body) });
    }
  };
  walk(rawMessage);
  const plain = texts.filter((t) => t.plain);
  return (plain.length ? plain : texts).map((t) => t.text).join("\n");
}

/** The subject header of a raw message. */
export function mailSubject(rawMessage) {
  return splitHeaders(rawMessage).headers.subject;
}

/**
 * Finds `<urlPrefix>?token=<t>&tokenId=<id>` in the decoded text of a message
 * and returns {token, tokenId, url}.
 */
export function extractTokenLink(rawMessage, urlPrefix) {
  const text = mailText(rawMessage);
  const esc = urlPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${esc}\\?token=([^&\\s"'<>]+)&tokenId=([^&\\s"'<>]+)`).exec(text);
  assert.ok(m, `no ${urlPrefix}?token=..&tokenId=.. link in the mail text:\n${text}\n--- raw ---\n${rawMessage}`);
  return { token: decodeURIComponent(m[1]), tokenId: decodeURIComponent(m[2]), url: m[0] };
}
