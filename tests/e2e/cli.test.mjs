// The plinth command line: exit codes, one-line errors, every config mistake
// reported at once, and a clean exit on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { PLINTH_BIN, QUICKSTART, startServer } from "./harness.mjs";

function plinth(args) {
  const r = spawnSync(PLINTH_BIN, args, { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function tempDir(t) {
  const dir = await mkdtemp(join(tmpdir(), "plinth-cli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("version prints the version and exits 0", () => {
  const r = plinth(["version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^plinth \d+\.\d+\.\d+\n$/);
});

test("help is available for every command", () => {
  for (const args of [["--help"], ["serve", "--help"], ["check", "--help"]]) {
    const r = plinth(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.stdout, /Usage|Options/);
  }
  assert.match(plinth(["serve", "--help"]).stdout, /--public-url/);
});

test("bad flags give one line on stderr and exit 2", async (t) => {
  const data = await tempDir(t);
  const cases = [
    ["serve", "--bogus"],
    ["serve", "--data", data], // --app missing
    ["serve", "--app", join(data, "does-not-exist"), "--data", data],
    ["serve", "--app", QUICKSTART, "--data", data, "--listen", "nonsense"],
    ["serve", "--app", QUICKSTART, "--data", data, "--listen", "127.0.0.1:99999"],
    ["serve", "--app", QUICKSTART, "--data", data, "--io-threads", "0"],
    ["serve", "--app", QUICKSTART, "--data", data, "--public-url", "ftp://x"],
    ["serve", "--app", QUICKSTART, "--data", data, "--log-level", "loud"],
    ["nosuchcommand"],
  ];
  for (const args of cases) {
    const r = plinth(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")} printed: ${r.stderr}`);
    assert.match(lines[0], /^plinth/);
  }
});

test("a mistyped flag is named, not reported as a missing required one", () => {
  const r = plinth(["serve", "--ap", QUICKSTART, "--data", "x"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --ap/);
});

test("an app directory with several mistakes reports them all, with file and field", async (t) => {
  const dir = await tempDir(t);
  const app = join(dir, "app");
  await mkdir(join(app, "auth"), { recursive: true });
  await mkdir(join(app, "triggers"), { recursive: true });
  await writeFile(join(app, "root_config.json"),
    JSON.stringify({ app_id: "broken-abcde", name: "7up", environment: "staging" }));
  await writeFile(join(app, "auth", "providers.json"),
    JSON.stringify({ "anon-user": { name: "anon-user", type: "anon-usr", disabled: false } }));
  await writeFile(join(app, "auth", "custom_user_data.json"),
    JSON.stringify({ enabled: true, mongo_service_name: "mongodb-atlas", database_name: "myapp",
                     collection_name: "users", on_user_creation_function_name: "missingFn" }));
  await writeFile(join(app, "triggers", "t.json"), "{ not json");

  for (const args of [["serve", "--app", app, "--data", join(dir, "data")], ["check", "--app", app]]) {
    const r = plinth(args);
    assert.equal(r.code, 2, r.stderr);
    for (const expected of [
      /root_config\.json: name/,
      /root_config\.json: environment/,
      /auth\/providers\.json: anon-user\.type/,
      /auth\/custom_user_data\.json: user_id_field/,
      /auth\/custom_user_data\.json: on_user_creation_function_name/,
      /auth\/custom_user_data\.json: mongo_service_name/,
      /triggers\/t\.json/,
    ]) {
      assert.match(r.stderr, expected, `${args[0]} output lacks ${expected}:\n${r.stderr}`);
    }
  }
});

test("check accepts the quickstart app", () => {
  const r = plinth(["check", "--app", QUICKSTART]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ok \(app_id quickstart-abcde\)/);
});

test("a port already in use is a clear runtime error (exit 1)", async (t) => {
  const data = await tempDir(t);
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const { port } = blocker.address();
  const r = plinth(["serve", "--app", QUICKSTART, "--data", data, "--listen", `127.0.0.1:${port}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /in use/i);
});

test("a second server on the same data directory is refused", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const r = plinth(["serve", "--app", QUICKSTART, "--data", server.dataDir, "--listen", "127.0.0.1:0"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /in use by another plinth process/);
});

test("secrets set, list and delete keep values out of output and the file owner-only", async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, "data");
  const set = spawnSync(PLINTH_BIN, ["secrets", "set", "--data", data, "jwtKey"],
    { input: "super-secret-value-123\n", encoding: "utf8" });
  assert.equal(set.status, 0, set.stderr);
  const { statSync, readFileSync } = await import("node:fs");
  assert.equal(statSync(join(data, "secrets.json")).mode & 0o077, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(data, "secrets.json"), "utf8")),
    { jwtKey: "super-secret-value-123" });

  const list = plinth(["secrets", "list", "--data", data]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /jwtKey \(file\)/);
  assert.doesNotMatch(list.stdout + list.stderr, /super-secret-value/);

  assert.equal(plinth(["secrets", "delete", "--data", data, "nope"]).code, 1);
  assert.equal(plinth(["secrets", "delete", "--data", data, "jwtKey"]).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(data, "secrets.json"), "utf8")), {});
});
