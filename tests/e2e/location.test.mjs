// Location discovery (client-api §1.2) and the response rules every route
// follows (§1.4, §7), first through realm-web 2.0.1 as an app would use it,
// then with raw requests.

import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";

import * as Realm from "realm-web";

import { QUICKSTART, appPath, checkEnvelope, readRootConfig, useServer } from "./harness.mjs";

const rootConfig = readRootConfig(QUICKSTART);

let server;
useServer({}, (s) => (server = s));

const locationPath = () => appPath(server.appId, "/location");

// A fetch that records every URL realm-web asks for, then does the real fetch.
function recordingFetch(calls) {
  return (input, init) => {
    calls.push({ url: String(input?.url ?? input), method: init?.method ?? "GET" });
    return fetch(input, init);
  };
}

// GET through node:http, which (unlike fetch) lets the test choose the Host header.
function getWithHost(port, path, host) {
  return new Promise((resolveGet, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: "GET", headers: { Host: host, Accept: "application/json" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolveGet({ status: res.statusCode, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("realm-web 2.0.1", () => {
  test("requests the location lazily, once, and uses the hostname it returned", async () => {
    const calls = [];
    const app = new Realm.App({ id: server.appId, baseUrl: server.url, fetch: recordingFetch(calls) });
    assert.equal(calls.length, 0, "constructing the App sends nothing");

    const hostname = await app.locationUrl;
    assert.equal(hostname, server.url, "hostname comes from the Host header realm-web sent");
    assert.deepEqual(calls, [{ url: server.url + locationPath(), method: "GET" }]);

    assert.equal(await app.locationUrl, hostname);
    assert.equal(calls.length, 1, "the location is requested once per App instance");

    const logged = await server.waitForLog((l) => l.path === locationPath() && l.status === 200);
    assert.equal(logged.status, 200);
  });

  test("anonymous logIn discovers the location first, then goes to the login route", async () => {
    // Default transport (Node's global fetch), as an app would use it.
    const app = new Realm.App({ id: server.appId, baseUrl: server.url });
    const from = server.logLines().length;
    const loginPath = appPath(server.appId, "/auth/providers/anon-user/login");

    let user;
    let error;
    try {
      user = await app.logIn(Realm.Credentials.anonymous());
    } catch (err) {
      error = err;
    }

    // The location request happened, succeeded, and was this App's first request.
    const located = await server.waitForLog((l) => l.path === locationPath(), { from });
    assert.equal(located.status, 200);
    // The SDK then went on to the login route, on the discovered hostname.
    const login = await server.waitForLog((l) => l.path === loginPath, { from });
    assert.equal(login.method ?? "POST", "POST");

    if (error) {
      // Until login exists the server answers it with an error; what matters
      // here is that the failure is the login's (or a later step's), not the location's.
      assert.ok(error instanceof Realm.MongoDBRealmError, `unexpected error type: ${error}`);
      assert.notEqual(error.url, server.url + locationPath(), `location failed: ${error.message}`);
      assert.ok(error.url.startsWith(server.url + "/api/client/v2.0/"), error.url);
      assert.equal(typeof error.statusCode, "number");
      assert.ok(error.statusCode >= 400, String(error.statusCode));
      // The server's envelope reached the SDK intact (string error and error_code).
      assert.equal(typeof error.error, "string", error.message);
      assert.equal(typeof error.errorCode, "string", error.message);
    } else {
      assert.equal(typeof user.id, "string");
    }
  });
});

describe("location endpoint", () => {
  test("answers 200 with the four fields and exactly Content-Type: application/json", async () => {
    const res = await fetch(server.url + locationPath(), { headers: { Accept: "application/json" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.ok(res.headers.get("x-request-id"), "X-Request-Id is set");
    const body = await res.json();
    for (const key of ["deployment_model", "location", "hostname", "ws_hostname"]) {
      assert.equal(typeof body[key], "string", `${key} in ${JSON.stringify(body)}`);
    }
    // realm-core also understands an optional sync_route; nothing else belongs here.
    const extra = Object.keys(body).filter(
      (k) => !["deployment_model", "location", "hostname", "ws_hostname", "sync_route"].includes(k),
    );
    assert.deepEqual(extra, []);
    assert.equal(body.hostname, server.url);
    assert.equal(body.ws_hostname, `ws://127.0.0.1:${server.port}`);
    assert.equal(body.deployment_model, rootConfig.deployment_model ?? "GLOBAL");
    assert.equal(body.location, rootConfig.location ?? "US-VA");
  });

  test("takes hostname and ws_hostname from the Host header", async () => {
    const res = await getWithHost(server.port, locationPath(), "app.example.test:8443");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json");
    const body = JSON.parse(res.body);
    assert.equal(body.hostname, "http://app.example.test:8443");
    assert.equal(body.ws_hostname, "ws://app.example.test:8443");
  });

  test("works without an Accept header and with a bearer token it does not need", async () => {
    // realm-core sends no headers; realm-web sends Authorization whenever a user is logged in.
    const res = await fetch(server.url + locationPath(), {
      headers: { Authorization: "Bearer not-a-token" },
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).hostname, server.url);
  });

  test("answers 404 AppNotFound for an unknown app id", async () => {
    const res = await fetch(server.url + appPath("no-such-app-zzzzz", "/location"));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.ok(res.headers.get("x-request-id"));
    checkEnvelope(assert, await res.json(), "AppNotFound");
  });
});

describe("every route", () => {
  test("an unknown route is a 404 envelope with no null fields", async () => {
    for (const path of ["/definitely/not/a/route", "/api/client/v2.0/nope"]) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get("content-type"), "application/json", path);
      assert.ok(res.headers.get("x-request-id"), path);
      checkEnvelope(assert, await res.json());
    }
  });

  test("each response has its own X-Request-Id", async () => {
    const ids = new Set();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(server.url + locationPath());
      await res.arrayBuffer();
      ids.add(res.headers.get("x-request-id"));
    }
    assert.equal(ids.size, 3);
    assert.ok(![...ids].includes(null));
  });

  test("CORS: a preflight is answered, and the real response allows the origin", async () => {
    const origin = "http://localhost:3000";
    const pre = await fetch(server.url + appPath(server.appId, "/auth/providers/anon-user/login"), {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,accept",
      },
    });
    await pre.arrayBuffer();
    assert.ok(pre.status >= 200 && pre.status < 300, `preflight status ${pre.status}`);
    const allowOrigin = pre.headers.get("access-control-allow-origin");
    assert.ok(allowOrigin === "*" || allowOrigin === origin, `Allow-Origin: ${allowOrigin}`);
    const methods = (pre.headers.get("access-control-allow-methods") ?? "").toUpperCase();
    for (const m of ["GET", "POST", "PUT", "DELETE"]) assert.ok(methods.includes(m), `Allow-Methods: ${methods}`);
    // "*" does not cover Authorization (Fetch standard), so it must be named.
    const allowHeaders = (pre.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["authorization", "content-type", "accept"]) {
      assert.ok(allowHeaders.includes(h), `Allow-Headers: ${allowHeaders}`);
    }

    const res = await fetch(server.url + locationPath(), { headers: { Origin: origin } });
    await res.arrayBuffer();
    const actual = res.headers.get("access-control-allow-origin");
    assert.ok(actual === "*" || actual === origin, `Allow-Origin on GET: ${actual}`);
  });

  test("/healthz, /readyz and /metrics answer", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const res = await fetch(server.url + path);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
      assert.ok(res.headers.get("x-request-id"), path);
    }
    const res = await fetch(server.url + "/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^# (HELP|TYPE) /m, "Prometheus text format");
  });
});

describe("--public-url", () => {
  let pub;
  useServer({ args: ["--public-url", "http://public.example.test:9999/"] }, (s) => (pub = s));

  test("sets hostname (without the trailing slash) and ws_hostname, whatever the Host", async () => {
    for (const host of [undefined, "other.example.test"]) {
      const res = host
        ? await getWithHost(pub.port, appPath(pub.appId, "/location"), host)
        : await fetch(pub.url + appPath(pub.appId, "/location")).then(async (r) => ({
            status: r.status,
            headers: { "content-type": r.headers.get("content-type") },
            body: await r.text(),
          }));
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-type"], "application/json");
      const body = JSON.parse(res.body);
      assert.equal(body.hostname, "http://public.example.test:9999");
      assert.equal(body.ws_hostname, "ws://public.example.test:9999");
    }
  });

  test("realm-web follows it", async () => {
    const app = new Realm.App({ id: pub.appId, baseUrl: pub.url });
    assert.equal(await app.locationUrl, "http://public.example.test:9999");
  });

  test("SIGTERM stops the server with exit status 0", async () => {
    const { code, signal } = await pub.stop();
    assert.equal(signal, null, `killed by ${signal}\n${pub.stderr()}`);
    assert.equal(code, 0, pub.stderr());
  });
});
