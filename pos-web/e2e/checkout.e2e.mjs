// End to end: a real local agent (the packaged jar) serves this app; Chromium (Debian's, driven by playwright-core)
// signs in, opens a till, sells three items with a discount and tax, pays cash with change and sees the receipt;
// the events are checked over the agent's API. Then the agent is killed before a checkout is paid and restarted:
// the sale, kept by the browser, is recorded exactly once. Screenshots go to test-results/.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";

const root = resolve(import.meta.dirname, "..", "..");
const jar = join(root, "local-agent", "target", "local-agent.jar");
const dist = resolve(import.meta.dirname, "..", "dist");
const shots = resolve(import.meta.dirname, "..", "test-results");
mkdirSync(shots, { recursive: true });
const java = join(execFileSync(join(root, "scripts", "find-jdk.sh")).toString().trim(), "bin", "java");
const data = mkdtempSync(join(tmpdir(), "pos-e2e-"));

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}
const port = await freePort();
const mgmt = await freePort();
const base = `http://127.0.0.1:${port}`;

// The agent checks who calls its accounting API: the test reads the branch's events as the tenant's bootstrap admin.
const adminToken = randomBytes(24).toString("hex");

let agent;
async function startAgent(log) {
  agent = spawn(java, ["-jar", jar], {
    env: { ...process.env, DCS_DATA_DIR: data, DCS_GRPC_PORT: String(port), DCS_MANAGEMENT_PORT: String(mgmt),
      DCS_BRANCH_ID: "branch-e2e", DCS_SAMPLE_DATA: "true", DCS_WEB_DIR: dist, DCS_ADMIN_TOKEN: adminToken },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  agent.stdout.on("data", (d) => { out += d; });
  agent.stderr.on("data", (d) => { out += d; });
  const deadline = Date.now() + 120_000;
  while (!out.includes("serving gRPC and gRPC-Web")) {
    if (Date.now() > deadline || agent.exitCode !== null) throw new Error(`agent did not start (${log}):\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
function killAgent() {
  return new Promise((ok) => { agent.once("exit", ok); agent.kill("SIGKILL"); });
}

async function api(method, body) {
  const r = await fetch(`${base}/cps.enterprise.v4.AccountingSwarmProtocol/${method}`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, `${method} answered ${r.status}`);
  return r.json();
}
async function events() {
  const all = [];
  let cursor = "";
  for (;;) {
    const page = await api("GetEventsByRange", { limit: 1000, cursor });
    all.push(...(page.events ?? []));
    if (!page.hasMore) return all;
    cursor = page.nextCursor;
  }
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
let failed = false;
try {
  await startAgent("first start");
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(base + "/");

  // Sign in and open the till.
  await page.fill("input[name=cashier]", "1001");
  await page.fill("input[name=pin]", "1234");
  await page.screenshot({ path: join(shots, "1-sign-in.png") });
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=open-till]");
  await page.fill("input[name=opening-cash]", "100.00");
  await page.screenshot({ path: join(shots, "2-open-till.png") });
  await page.keyboard.press("Enter");

  // Three items (milk twice), a discount, cash with change.
  await page.waitForSelector("[data-testid=product-p-milk]");
  await page.click("[data-testid=product-p-milk]");
  await page.click("[data-testid=product-p-milk]");
  await page.click("[data-testid=product-p-bread]");
  await page.click("[data-testid=product-p-wine]");
  await page.fill("input[name=cart-discount]", "0.50");
  await page.fill("input[name=cash]", "20.00");
  await page.waitForFunction(() => document.querySelector("[data-testid=total]")?.textContent === "14.36 EUR");
  await page.screenshot({ path: join(shots, "3-cart.png") });
  await page.keyboard.press("F4");
  await page.waitForSelector("[data-testid=receipt]");
  const receiptText = await page.textContent("[data-testid=receipt]");
  assert.match(receiptText, /Total\s*14\.36 EUR/);
  assert.equal(await page.textContent("[data-testid=receipt-change]"), "5.64");
  const hash = /Receipt hash ([0-9a-f]{64})/.exec(receiptText)?.[1];
  assert.ok(hash, "the receipt shows the agent's receipt hash");
  await page.screenshot({ path: join(shots, "4-receipt.png") });

  // The agent recorded the sale's events.
  const sold = (await events()).filter((e) => e.type === "SALE_COMPLETED");
  assert.equal(sold.length, 1);
  assert.equal(sold[0].amountMinor, "1436");
  const saleId = sold[0].correlationId;
  const types = (await events()).filter((e) => e.correlationId === saleId).map((e) => e.type);
  for (const t of ["SALE_INITIATED", "INVENTORY_RESERVED", "PAYMENT_CAPTURED", "INVENTORY_SOLD", "LEDGER_ENTRY_POSTED"]) {
    assert.ok(types.includes(t), `missing ${t}`);
  }

  // The agent goes away in the middle of the next checkout: the browser keeps the sale and re-sends it.
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=product-p-coffee]");
  await page.click("[data-testid=product-p-coffee]");
  await killAgent();
  await page.fill("input[name=cash]", "10.00");
  await page.click("[data-testid=pay]");
  await page.waitForSelector("text=kept on this till");
  await page.waitForSelector("text=agent unreachable");
  await page.screenshot({ path: join(shots, "5-agent-away.png") });
  // What waits on disk holds the sale but not the session token (nor a PIN): only this tab's memory has those.
  const disk = await page.evaluate(async () => {
    const token = JSON.parse(sessionStorage.getItem("dcs-pos-session") ?? "{}").token ?? "";
    const db = await new Promise((ok, ko) => {
      const open = indexedDB.open("dcs-pos");
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    const values = await new Promise((ok, ko) => {
      const all = db.transaction("pending-checkouts").objectStore("pending-checkouts").getAll();
      all.onsuccess = () => ok(all.result);
      all.onerror = () => ko(all.error);
    });
    const text = values.map((v) => new TextDecoder("latin1").decode(v)).join("|");
    return { token, queued: values.length, hasToken: token.length > 0 && text.includes(token), hasPin: text.includes("1234") };
  });
  assert.equal(disk.queued, 1, "the unpaid sale waits in IndexedDB");
  assert.ok(disk.token.length > 20, "the tab is signed in");
  assert.equal(disk.hasToken, false, "no session token in IndexedDB");
  assert.equal(disk.hasPin, false, "no PIN in IndexedDB");
  await startAgent("restart");
  await page.waitForFunction(() => !document.querySelector("[data-testid=sync]")?.textContent?.includes("waiting for the agent"),
    null, { timeout: 60_000 });
  await page.screenshot({ path: join(shots, "6-agent-back.png") });
  // Several more resend rounds pass: still exactly one more sale.
  await new Promise((r) => setTimeout(r, 7000));
  const after = (await events()).filter((e) => e.type === "SALE_COMPLETED");
  assert.equal(after.length, 2, "the queued sale is recorded exactly once");
  assert.equal(after.filter((e) => e.amountMinor === "799").length, 1);
  console.log("pos-web e2e passed; screenshots in test-results/");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  if (agent && agent.exitCode === null) await killAgent();
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
