// What the server does with requests it must refuse: too big, malformed, too
// slow. Each refusal is an App Services error envelope (client-api §7) with the
// status DECISIONS 5 fixes, and none of them disturbs other clients. fetch
// cannot send a malformed request or trickle bytes, so those use raw sockets.

import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { describe, test } from "node:test";

import { appPath, checkEnvelope, parseResponse, rawExchange, sleep, useServer } from "./harness.mjs";

const MAX_BODY = 1024;
const MAX_HEADER = 2048;
const READ_TIMEOUT_MS = 500;

// One I/O thread, so a stalled connection would visibly stall everyone else.
let server;
useServer(
  {
    args: [
      "--io-threads", "1",
      "--max-body-bytes", String(MAX_BODY),
      "--max-header-bytes", String(MAX_HEADER),
      "--read-timeout-ms", String(READ_TIMEOUT_MS),
    ],
  },
  (s) => (server = s),
);

const loginPath = () => appPath(server.appId, "/auth/providers/anon-user/login");

// Checks a raw response is a JSON error envelope with the given status and code.
function checkRawEnvelope(exchange, status, errorCode) {
  const res = exchange.response;
  assert.ok(res, `no HTTP response; got ${JSON.stringify(exchange.raw.slice(0, 200))}`);
  assert.equal(res.status, status, exchange.raw.slice(0, 500));
  assert.equal(res.headers["content-type"], "application/json");
  assert.ok(res.headers["x-request-id"], "X-Request-Id is set");
  checkEnvelope(assert, JSON.parse(res.body), errorCode);
}

async function healthy() {
  const res = await fetch(server.url + "/healthz");
  await res.arrayBuffer();
  return res.status;
}

describe("request bodies", () => {
  test("a body over --max-body-bytes is 413 RequestBodyTooLarge", async () => {
    const res = await fetch(server.url + loginPath(), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(MAX_BODY * 4) }),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.ok(res.headers.get("x-request-id"));
    checkEnvelope(assert, await res.json(), "RequestBodyTooLarge");
  });

  test("a declared Content-Length over the limit is refused without waiting for the body", async () => {
    const ex = await rawExchange(
      server.port,
      `POST ${loginPath()} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${100 * 1024 * 1024}\r\n\r\n{"a":`,
    );
    checkRawEnvelope(ex, 413, "RequestBodyTooLarge");
  });

  test("a chunked body that grows over the limit is 413", async () => {
    const chunk = "y".repeat(600);
    const part = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const ex = await rawExchange(server.port, [
      `POST ${loginPath()} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
      part,
      part,
      part,
      "0\r\n\r\n",
    ]);
    checkRawEnvelope(ex, 413, "RequestBodyTooLarge");
  });

  test("a body of exactly --max-body-bytes is accepted", async () => {
    const prefix = '{"pad":"';
    const body = prefix + "z".repeat(MAX_BODY - prefix.length - 2) + '"}';
    assert.equal(Buffer.byteLength(body), MAX_BODY);
    const res = await fetch(server.url + loginPath(), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    await res.arrayBuffer();
    assert.notEqual(res.status, 413);
    assert.notEqual(res.status, 400, "valid JSON is not a BadRequest");
  });

  test("malformed JSON with Content-Type application/json is 400 BadRequest", async () => {
    const cases = [
      [loginPath(), "application/json", '{"username": "a@b.c", '],
      [loginPath(), "application/json;charset=utf-8", "{not json}"],
      ["/api/client/v2.0/auth/session", "application/json", "[1, 2"],
    ];
    for (const [path, type, body] of cases) {
      const res = await fetch(server.url + path, {
        method: "POST",
        headers: { "Content-Type": type },
        body,
      });
      assert.equal(res.status, 400, `${path} ${type} ${body}`);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.ok(res.headers.get("x-request-id"));
      checkEnvelope(assert, await res.json(), "BadRequest");
    }
  });

  test("an empty body with a JSON Content-Type is not malformed (realm-core sends that on GET)", async () => {
    const res = await fetch(server.url + appPath(server.appId, "/location"), {
      headers: { "Content-Type": "application/json;charset=utf-8" },
    });
    assert.equal(res.status, 200);
    assert.equal(typeof (await res.json()).hostname, "string");
  });
});

describe("routes and framing", () => {
  test("an unknown route is 404 with an envelope", async () => {
    const res = await fetch(server.url + "/no/such/route?x=1", { method: "DELETE" });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/json");
    checkEnvelope(assert, await res.json());
  });

  test("a request line over --max-header-bytes is 431 RequestHeaderTooLarge", async () => {
    const ex = await rawExchange(
      server.port,
      `GET /healthz?q=${"a".repeat(MAX_HEADER * 2)} HTTP/1.1\r\nHost: t\r\n\r\n`,
    );
    checkRawEnvelope(ex, 431, "RequestHeaderTooLarge");
  });

  test("one header over --max-header-bytes is 431 RequestHeaderTooLarge", async () => {
    const ex = await rawExchange(
      server.port,
      `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${"b".repeat(MAX_HEADER * 2)}\r\n\r\n`,
    );
    checkRawEnvelope(ex, 431, "RequestHeaderTooLarge");
  });

  test("many small headers adding up over --max-header-bytes are 431", async () => {
    let headers = "";
    for (let i = 0; headers.length < MAX_HEADER * 2; i++) headers += `X-H${i}: ${"c".repeat(40)}\r\n`;
    const ex = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: t\r\n${headers}\r\n`);
    checkRawEnvelope(ex, 431, "RequestHeaderTooLarge");
  });

  test("malformed HTTP is 400 and the connection is closed", async () => {
    const garbage = [
      "THIS IS NOT HTTP\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
    ];
    for (const bytes of garbage) {
      const ex = await rawExchange(server.port, bytes, { timeoutMs: 3_000, keepOpen: true });
      assert.ok(ex.response, `no response to ${JSON.stringify(bytes)}: ${JSON.stringify(ex.raw)}`);
      assert.equal(ex.response.status, 400, JSON.stringify(bytes));
      // The whole response may arrive before the close; the close must follow.
      const closed = ex.closed || (await waitClose(ex.socket));
      assert.ok(closed, `connection left open after 400 to ${JSON.stringify(bytes)}`);
    }
  });
});

// Waits up to 2 s for the server to close a socket, then destroys it.
async function waitClose(socket) {
  if (socket.closed) return true;
  const closed = once(socket, "close").then(() => true);
  const result = await Promise.race([closed, sleep(2_000).then(() => false)]);
  socket.destroy();
  return result;
}

// Opens a connection that sends `request` one byte every intervalMs until the
// server closes it. Returns { startedAt, closed (promise of close time),
// isClosed(), sent(), received() }.
async function trickle(request, intervalMs) {
  const socket = net.connect({ host: "127.0.0.1", port: server.port });
  await once(socket, "connect");
  const startedAt = Date.now();
  let closedAt = null;
  let sent = 0;
  let received = Buffer.alloc(0);
  socket.on("error", () => {}); // EPIPE/ECONNRESET once the server gave up on us.
  socket.on("data", (d) => (received = Buffer.concat([received, d])));
  const closed = once(socket, "close").then(() => (closedAt = Date.now()));
  (async () => {
    while (closedAt === null && sent < request.length) {
      socket.write(request[sent++]);
      await sleep(intervalMs);
    }
  })();
  return {
    startedAt,
    closed,
    socket,
    isClosed: () => closedAt !== null,
    sent: () => sent,
    received: () => received,
  };
}

describe("slow clients", () => {
  const request = `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ${"s".repeat(20)}\r\n\r\n`;

  // Anything the server sends a timed-out client is a 408 envelope; closing
  // without a word is fine too.
  function checkTimedOutReply(received) {
    if (received.length === 0) return;
    const res = parseResponse(received);
    assert.ok(res, `unexpected bytes: ${JSON.stringify(received.toString("latin1").slice(0, 200))}`);
    assert.equal(res.status, 408);
    checkEnvelope(assert, JSON.parse(res.body), "RequestTimeout");
  }

  test("a client sending one byte per second is closed after --read-timeout-ms; others are served meanwhile", async () => {
    const slow = await Promise.all(Array.from({ length: 8 }, () => trickle(request, 1000)));

    // While they trickle, on the only I/O thread, other clients get answers.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(server.url + appPath(server.appId, "/location"));
      assert.equal(res.status, 200);
      assert.equal(typeof (await res.json()).hostname, "string");
    }
    assert.ok(
      slow.some((s) => !s.isClosed()),
      "the answers above came while slow clients were still connected",
    );

    for (const s of slow) {
      const closedAt = await Promise.race([s.closed, sleep(5_000).then(() => null)]);
      assert.ok(closedAt !== null, "the slow client was never disconnected");
      const lasted = closedAt - s.startedAt;
      assert.ok(lasted >= READ_TIMEOUT_MS * 0.8, `closed after ${lasted} ms, before the timeout`);
      assert.ok(lasted < READ_TIMEOUT_MS + 2_500, `closed only after ${lasted} ms`);
      assert.ok(s.sent() < request.length, "closed before the request was complete");
      checkTimedOutReply(s.received());
    }
  });

  test("a trickle faster than the timeout is still cut off (a deadline per request, not per read)", async () => {
    const s = await trickle(request, 150); // A full request would take about 8 s.
    const closedAt = await Promise.race([s.closed, sleep(5_000).then(() => null)]);
    assert.ok(closedAt !== null, "a steady trickle kept the connection open");
    assert.ok(closedAt - s.startedAt < READ_TIMEOUT_MS + 2_500, `closed after ${closedAt - s.startedAt} ms`);
    assert.ok(s.sent() < request.length);
    checkTimedOutReply(s.received());
  });
});

describe("afterwards", () => {
  test("the server still answers /healthz", async () => {
    assert.equal(await healthy(), 200);
  });

  test("SIGTERM stops it with exit status 0", async () => {
    const { code, signal } = await server.stop();
    assert.equal(signal, null, `killed by ${signal}\n${server.stderr()}`);
    assert.equal(code, 0, server.stderr());
  });
});
