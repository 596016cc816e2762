// Test harness for the end-to-end tests: starts a real `plinth serve`, talks
// to it, and makes sure it is gone afterwards.
//
//   const server = await startServer({ args: ["--max-body-bytes", "1024"] });
//   after(() => server.stop());
//   await fetch(server.url + "/healthz");
//
// The binary is $PLINTH_BIN, or <repo>/build/plinth. Each server gets a fresh
// data directory (removed by stop()) and a free port on 127.0.0.1. The app
// defaults to examples/quickstart; its id is read from root_config.json.

import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, beforeEach } from "node:test";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const QUICKSTART = join(REPO_ROOT, "examples", "quickstart");
export const PLINTH_BIN = process.env.PLINTH_BIN || join(REPO_ROOT, "build", "plinth");

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

// Every server still running. A test that fails (or a runner that gives up on
// a file) must never leave one behind: stop() is meant to be called from an
// after() hook, and these process-level handlers are the backstop.
const live = new Set();

function killAllNow() {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

process.on("exit", killAllNow);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killAllNow();
    // The once() listener is removed, so this re-raise takes the default action.
    process.kill(process.pid, signal);
  });
}

/** Reads an app directory's root_config.json (App Services export format). */
export function readRootConfig(appDir) {
  return JSON.parse(readFileSync(join(appDir, "root_config.json"), "utf8"));
}

/** The app id of an app directory. */
export function appIdOf(appDir) {
  const id = readRootConfig(appDir).app_id;
  if (typeof id !== "string" || id === "") {
    throw new Error(`${appDir}/root_config.json has no string app_id`);
  }
  return id;
}

/**
 * Writes a minimal app directory (anonymous auth only) into a new temp dir and
 * returns its path. For tests that need an app other than examples/quickstart.
 * The caller removes it (rm(dir, {recursive: true})).
 */
export async function makeTempApp({ appId = "e2e-app-abcde", name = "e2e" } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "plinth-e2e-app-"));
  const root = {
    app_id: appId,
    name,
    config_version: 20210101,
    location: "US-VA",
    deployment_model: "GLOBAL",
  };
  await writeFile(join(dir, "root_config.json"), JSON.stringify(root, null, 2) + "\n");
  await mkdir(join(dir, "auth"));
  const providers = { "anon-user": { name: "anon-user", type: "anon-user", disabled: false } };
  await writeFile(join(dir, "auth", "providers.json"), JSON.stringify(providers, null, 2) + "\n");
  return dir;
}

/**
 * Starts `plinth serve` and resolves once it logged its "listening" line.
 *   apps  app directories (default: [examples/quickstart]); appId is the first one's
 *   args  extra command-line flags
 *   env   extra environment variables
 * Returns { url, port, appId, stop(), stderr(), logLines(), waitForLog(pred) }.
 */
export async function startServer({ apps = [QUICKSTART], args = [], env = {} } = {}) {
  const appId = appIdOf(apps[0]);
  const dataDir = await mkdtemp(join(tmpdir(), "plinth-e2e-data-"));
  const argv = ["serve"];
  for (const app of apps) argv.push("--app", app);
  argv.push("--data", dataDir, "--listen", "127.0.0.1:0", ...args);

  let child;
  try {
    child = spawn(PLINTH_BIN, argv, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  live.add(child);

  let stderrText = "";
  let stdoutText = "";
  let partial = "";
  const lines = []; // parsed JSON log lines, in order
  const lineWaiters = new Set();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    stdoutText += chunk;
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    stderrText += chunk;
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      let obj;
      try {
        obj = JSON.parse(line);
      } catch {
        continue; // Not a log line (e.g. a sanitizer report); still in stderr().
      }
      if (obj && typeof obj === "object") {
        lines.push(obj);
        for (const waiter of lineWaiters) waiter(obj);
      }
    }
  });

  const exited = new Promise((resolveExit) => {
    child.on("exit", (code, signal) => {
      live.delete(child);
      resolveExit({ code, signal });
    });
    // A binary that could not be spawned at all never emits "exit".
    child.on("error", (error) => {
      if (child.pid === undefined) {
        live.delete(child);
        resolveExit({ code: null, signal: null, error });
      }
    });
  });
  const spawnError = new Promise((_, reject) => child.on("error", reject));
  spawnError.catch(() => {}); // Handled through the race below.

  const describe = () =>
    `plinth ${argv.join(" ")}\n--- stderr ---\n${stderrText}` +
    (stdoutText ? `\n--- stdout ---\n${stdoutText}` : "");

  let stopping = null;
  async function stop() {
    if (!stopping) {
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
          timer.unref();
          const result = await exited;
          clearTimeout(timer);
          await rm(dataDir, { recursive: true, force: true });
          return result;
        }
        const result = await exited;
        await rm(dataDir, { recursive: true, force: true });
        return result;
      })();
    }
    return stopping;
  }

  // Resolves with the first log line (already seen from index `from` on, or
  // still to come) that satisfies pred; rejects after timeoutMs. Log lines may
  // trail the response they describe, so tests wait for them instead of
  // reading once. logLines().length before an action is a good `from`.
  function waitForLog(pred, { timeoutMs = 5_000, from = 0 } = {}) {
    const seen = lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveLine, reject) => {
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => {
              lineWaiters.delete(waiter);
              reject(new Error(`no matching log line within ${timeoutMs} ms\n${describe()}`));
            }, timeoutMs);
      const waiter = (obj) => {
        if (pred(obj)) {
          clearTimeout(timer);
          lineWaiters.delete(waiter);
          resolveLine(obj);
        }
      };
      lineWaiters.add(waiter);
    });
  }

  let listening;
  let readyTimer;
  try {
    listening = await Promise.race([
      waitForLog((l) => l.msg === "listening" && typeof l.listen === "string", {
        timeoutMs: Infinity,
      }),
      new Promise((_, reject) => {
        readyTimer = setTimeout(
          () => reject(new Error(`plinth did not log "listening" within ${READY_TIMEOUT_MS} ms\n${describe()}`)),
          READY_TIMEOUT_MS,
        );
      }),
      exited.then(({ code, signal, error }) => {
        if (error) throw new Error(`cannot start ${PLINTH_BIN}: ${error.message}\n${describe()}`);
        throw new Error(`plinth exited (code ${code}, signal ${signal}) before listening\n${describe()}`);
      }),
      spawnError.then(null, (err) => {
        throw new Error(`cannot start ${PLINTH_BIN}: ${err.message}\n${describe()}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(readyTimer);
  }

  const port = Number(listening.listen.slice(listening.listen.lastIndexOf(":") + 1));
  if (!Number.isInteger(port) || port <= 0) {
    await stop();
    throw new Error(`cannot parse the port from ${JSON.stringify(listening)}\n${describe()}`);
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    appId,
    dataDir,
    stop,
    exited,
    stderr: () => stderrText,
    logLines: () => lines.slice(),
    waitForLog,
    describe,
  };
}

/**
 * Registers hooks that give the enclosing file or describe() its own server:
 *   let server;
 *   useServer({ args: [...] }, (s) => (server = s));
 * The server starts before the first test and is stopped after the last one,
 * whatever happened in between. If it cannot start, every test fails with the
 * reason (a failing before() hook would only mark them cancelled, which a
 * summary counting "# fail" would miss).
 */
export function useServer(options, onStarted) {
  let server = null;
  let startError = null;
  before(async () => {
    try {
      server = await startServer(options);
      onStarted(server);
    } catch (err) {
      startError = err;
    }
  });
  beforeEach(() => {
    if (startError) throw startError;
  });
  after(() => server?.stop());
}

/** `/api/client/v2.0/app/{appId}` + rest. */
export function appPath(appId, rest = "") {
  return `/api/client/v2.0/app/${encodeURIComponent(appId)}${rest}`;
}

/**
 * Asserts that a parsed body is App Services' error envelope (client-api §7):
 * string `error`, string `error_code`, optional string `link`, no null fields.
 * Returns the body for further checks.
 */
export function checkEnvelope(assert, body, errorCode) {
  assert.equal(typeof body, "object");
  assert.notEqual(body, null);
  assert.equal(typeof body.error, "string", `error must be a string: ${JSON.stringify(body)}`);
  assert.ok(body.error.length > 0, "error must not be empty");
  assert.equal(typeof body.error_code, "string", `error_code must be a string: ${JSON.stringify(body)}`);
  if (errorCode !== undefined) assert.equal(body.error_code, errorCode);
  if ("link" in body) assert.equal(typeof body.link, "string", "link, when present, is a string");
  for (const [key, value] of Object.entries(body)) {
    assert.notEqual(value, null, `field ${key} is null`);
  }
  return body;
}

/**
 * Sends raw bytes on a fresh TCP connection and collects what comes back.
 * Resolves when one whole HTTP response has arrived (by Content-Length or
 * chunked framing), when the server closes, or after timeoutMs.
 * Result: { response: {status, headers, body} | null, closed, timedOut, raw }.
 * `data` may be a string/Buffer or an array of them, written in order.
 */
export function rawExchange(port, data, { timeoutMs = 5_000, keepOpen = false } = {}) {
  return new Promise((resolveExchange, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let raw = Buffer.alloc(0);
    let done = false;
    const finish = (fields) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!keepOpen || fields.closed) socket.destroy();
      resolveExchange({ response: parseResponse(raw), raw: raw.toString("latin1"), socket, ...fields });
    };
    const timer = setTimeout(() => finish({ closed: false, timedOut: true }), timeoutMs);
    socket.on("connect", () => {
      for (const part of [].concat(data)) socket.write(part);
    });
    socket.on("data", (chunk) => {
      raw = Buffer.concat([raw, chunk]);
      if (parseResponse(raw)?.complete) finish({ closed: false, timedOut: false });
    });
    socket.on("close", () => finish({ closed: true, timedOut: false }));
    socket.on("error", (err) => {
      // A reset after the server answered and closed still counts as closed.
      if (err.code === "ECONNRESET" || err.code === "EPIPE") return;
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

/**
 * Parses the first HTTP/1.1 response in buf. Returns null when the status line
 * and headers are not complete yet, else {status, headers, body, complete}.
 * Header names are lower-cased; repeated headers are joined with ", ".
 */
export function parseResponse(buf) {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return null;
  const headers = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let rest = buf.subarray(end + 4);
  let body;
  let complete;
  if (headers["transfer-encoding"]?.toLowerCase().includes("chunked")) {
    const parts = [];
    complete = false;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n");
      if (lineEnd < 0) break;
      const size = parseInt(rest.subarray(0, lineEnd).toString("latin1"), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      if (rest.length < lineEnd + 2 + size + 2) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers["content-length"] ?? 0);
    complete = rest.length >= length;
    body = rest.subarray(0, length);
  }
  return { status: Number(m[1]), headers, body: body.toString("utf8"), complete };
}

/** Small sleep helper. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
