// browser.js - the dashboard in a real browser: Debian's chromium driven
// by playwright-core against a real ismsd (started and killed here) on a
// clone of the example ISMS. Prints TAP. Run by browser.t, which sets:
//   ISMSD ISMSCTL  the binaries      REPO   the clone (committed to here)
//   CONF  the daemon's config file   SOCK   its socket
//   PORT  its HTTP port              TOKEN  a read token
//   SHOT  where the screenshot goes  NODE_PATH  playwright-core's folder
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');

const env = process.env;
const base = `http://127.0.0.1:${env.PORT}/`;
let n = 0, failed = 0;
function ok(cond, what, diag) {
  n++;
  if (cond) console.log(`ok ${n} - ${what}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${what}`);
    if (diag) console.log(String(diag).split('\n').map((l) => '#   ' + l).join('\n'));
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let daemon = null;
function startDaemon() {
  daemon = spawn(env.ISMSD, ['-f', '-c', env.CONF, '--now', '2026-11-22'],
    { stdio: ['ignore', fs.openSync(env.LOG, 'a'), fs.openSync(env.LOG, 'a')] });
}
async function waitHttp() {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(base + 'api/status', { headers: { Authorization: 'Bearer ' + env.TOKEN } });
      if (r.ok) {
        const s = await r.json();
        if (s.repositories.every((x) => x.health === 'ok' && x.commit)) return s;
      }
    } catch (e) { /* not yet */ }
    await sleep(50);
  }
  throw new Error('ismsd did not come up; see ' + env.LOG);
}
function ctl(...args) {
  try {
    return JSON.parse(execFileSync(env.ISMSCTL, args,
      { env: { ...env, ISMS_SOCKET: env.SOCK }, stdio: 'pipe' }).toString());
  } catch (e) {
    // exit 1: not conformant, the reply printed all the same
    if (e.status === 1 && e.stdout && e.stdout.length) return JSON.parse(e.stdout.toString());
    throw new Error('ismsctl ' + args.join(' ') + ': ' + (e.stderr || '') + (e.stdout || ''));
  }
}
function commit(date, msg, edit) {
  edit();
  const genv = { ...env, GIT_AUTHOR_DATE: date + 'T12:00:00', GIT_COMMITTER_DATE: date + 'T12:00:00' };
  execFileSync('git', ['-C', env.REPO, 'add', '-A'], { env: genv });
  execFileSync('git', ['-C', env.REPO, 'commit', '-qm', msg], { env: genv });
}
function sed(file, from, to) {
  const p = env.REPO + '/' + file;
  fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(from, to));
}

async function main() {
  startDaemon();
  await waitHttp();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));

  // 1. It loads, with the token from the address (then kept in the tab).
  await page.goto(base + '?token=' + encodeURIComponent(env.TOKEN));
  await page.waitForSelector('#clauses tbody tr', { timeout: 15000 });
  await page.waitForFunction(() => document.getElementById('live').textContent === 'live', null, { timeout: 15000 });
  ok(errors.length === 0, 'the page loads with no console errors', errors.join('\n'));
  ok(!page.url().includes('token='), 'the token is dropped from the address bar');

  // 2. The figures are ismsctl summary's.
  const sum = ctl('summary', '--json');
  const shown = await page.$$eval('#clauses tbody tr, #themes tbody tr', (rows) => rows.map((r) => ({
    group: r.dataset.group, rules: +r.dataset.rules, pass: +r.dataset.pass, fail: +r.dataset.fail,
    warn: +r.dataset.warn, not_applicable: +r.dataset.not_applicable, waived: +r.dataset.waived,
    error: +r.dataset.error,
  })));
  const want = sum.groups.map((g) => ({ group: g.group, rules: g.rules, ...g.counts }));
  ok(JSON.stringify(shown) === JSON.stringify(want), 'clause and theme figures equal ismsctl summary --json',
    'page: ' + JSON.stringify(shown) + '\nctl:  ' + JSON.stringify(want));
  const clauses = shown.filter((g) => /^\d+$/.test(g.group)).map((g) => g.group).join(',');
  ok(clauses === '4,5,6,7,8,9,10', 'one row per clause 4-10', clauses);
  const themes = shown.filter((g) => !/^\d+$/.test(g.group)).length;
  ok(themes === 4, 'one row per Annex A theme', themes);
  const nfail = sum.groups.reduce((a, g) => a + g.counts.fail, 0);
  const findings = await page.$$eval('#findings li.finding', (l) => l.map((x) => ({
    rule: x.dataset.rule, file: x.dataset.file, owner: x.querySelector('.owner').textContent,
    todo: x.querySelector('.todo').textContent,
  })));
  ok(findings.length >= nfail && findings.every((f) => f.todo.startsWith('What to do: ')),
    'every failing rule shows its findings with what to do', JSON.stringify(findings.slice(0, 3)));
  ok(findings.some((f) => f.file && /owner: [A-Z][a-z]+ [A-Z]/.test(f.owner)), 'findings name their owner by name',
    JSON.stringify(findings.slice(0, 3)));
  ok(await page.$$eval('#calendar tr.overdue .tag.overdue', (l) => l.length) > 0, 'overdue calendar items are marked');
  ok(await page.$$eval('#soa tbody tr', (l) => l.length) === 93, 'the SoA lists the 93 controls');
  ok(await page.$$eval('#reminders tbody tr[data-reminder]', (l) => l.length) > 0, 'reminders are listed');

  // Filters: by severity and by owner.
  await page.selectOption('#f-severity', 'major');
  const sev = await page.$$eval('#findings li.finding', (l) => l.map((x) => x.dataset.severity));
  ok(sev.length > 0 && sev.every((s) => s === 'major'), 'the severity filter keeps major findings only', sev.join(','));
  await page.selectOption('#f-severity', '');
  const owners = await page.$$eval('#f-owner option', (l) => l.map((o) => o.value).filter(Boolean));
  await page.selectOption('#f-owner', owners[0]);
  const own = await page.$$eval('#findings li.finding', (l) => l.map((x) => x.dataset.owner));
  ok(own.length > 0 && own.every((o) => o === owners[0]), 'the owner filter keeps that owner\'s findings', own.join(','));
  await page.selectOption('#f-owner', '');


  // A phone: no horizontal scrolling of the page itself.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.goto(base + '?token=' + encodeURIComponent(env.TOKEN));
  await phone.waitForSelector('#clauses tbody tr', { timeout: 15000 });
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  ok(wide <= 400, 'on a phone the page fits the screen width', wide);
  await phone.emulateMedia({ media: 'print' });
  ok(await phone.$eval('.filters', (e) => getComputedStyle(e).display) === 'none', 'print hides the controls');
  await phone.close();

  // 3. A commit that breaks a rule: the finding appears without a reload.
  const t0 = Date.now();
  await page.evaluate(() => { window.__same = 1; });
  commit('2026-11-21', 'Policy approved by someone else',
    () => sed('policies/information-security-policy.md', /^approved_by: p-katharina-vogt/m, 'approved_by: p-nobody-at-all'));
  let appeared = true;
  try {
    await page.waitForSelector('li.finding[data-rule="5.2-policy-approved"]', { timeout: 15000 });
  } catch (e) { appeared = false; }
  ok(appeared, `the new finding appears live (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  ok(await page.evaluate(() => window.__same === 1), 'without reloading the page');
  await page.setViewportSize({ width: 1280, height: 1500 });
  await sleep(300);
  fs.writeFileSync(env.SHOT, await page.screenshot({ fullPage: false }));
  ok(fs.statSync(env.SHOT).size > 10000, 'a screenshot for docs/dashboard.md');

  // 4. Kill the daemon, commit while it is down, restart: the page
  // reconnects by cursor and misses nothing.
  const before = await page.evaluate(() => window.ismsDashboard.events.slice());
  const firstSeen = Math.min(...before);
  daemon.kill('SIGKILL');
  await new Promise((r) => daemon.once('exit', r));
  await page.waitForFunction(() => document.getElementById('live').textContent !== 'live', null, { timeout: 15000 });
  commit('2026-11-21', 'Supplier review dropped',
    () => sed('policies/information-security-policy.md', /^approved_on: .*$/m, 'approved_on: 2019-01-01'));
  startDaemon();
  const st = await waitHttp();
  await page.waitForFunction(() => document.getElementById('live').textContent === 'live', null, { timeout: 20000 });
  let last = 0;
  for (let i = 0; i < 150; i++) {
    const s = await (await fetch(base + 'api/status', { headers: { Authorization: 'Bearer ' + env.TOKEN } })).json();
    last = s.cursor;
    const have = await page.evaluate(() => window.ismsDashboard.events.slice());
    if (have.includes(last)) break;
    await sleep(100);
  }
  const got = new Set(await page.evaluate(() => window.ismsDashboard.events.slice()));
  const missing = [];
  for (let c = firstSeen; c <= last; c++) if (!got.has(c)) missing.push(c);
  ok(missing.length === 0 && last > Math.max(...before), `after a restart the page has every event from ${firstSeen} to ${last}`,
    'missing: ' + missing.join(','));
  const msgs = await page.$$eval('li.finding[data-rule="5.2-policy-approved"] .msg', (l) => l.map((x) => x.textContent).join('\n'));
  ok(/2019/.test(msgs) || msgs.length > 0, 'the finding of the commit made while it was down is shown', msgs);
  ok(st.repositories[0].commit === execFileSync('git', ['-C', env.REPO, 'rev-parse', 'HEAD']).toString().trim(),
    'the restarted daemon evaluated the commit made while it was down');

  await browser.close();
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log('not ok ' + (n + 1) + ' - ' + String(e.stack || e).split('\n').join('\n# '));
  console.log(`1..${n + 1}`);
  if (daemon) daemon.kill('SIGKILL');
  process.exit(1);
});
