// The web store in a real browser: headless Chromium (Debian's) driven by playwright-core,
// against a real lmp-hub on loopback filled with the bundled catalog. Run by
// ctest (entry "browser", tests/CMakeLists.txt); screenshots go to $LMP_BROWSER_OUT.
//
//   node --test tests/browser/store.test.mjs
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { Hub } from './hub.mjs';

const build = process.env.LMP_BUILD_DIR ?? path.resolve('build');
const out = process.env.LMP_BROWSER_OUT ?? path.join(build, 'browser-out');
mkdirSync(out, { recursive: true });

const hub = new Hub({
  hubBinary: path.join(build, 'lmp-hub'),
  lmpBinary: path.join(build, 'lmp'),
  catalog: path.join(build, 'catalog'),
});
let browser;
let context;
let page;
const problems = [];  // dialogs and console errors: a store page must cause neither

function watch(p) {
  p.on('dialog', async (d) => {
    problems.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
}

before(async () => {
  await hub.start();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
  await hub.stop();
});

test('explore lists the catalog and search ranks tcpstates first for "tcp"', async () => {
  await page.goto(hub.url + '/');
  assert.ok(await page.getByTestId('package-card').count() >= 10);
  await page.screenshot({ path: path.join(out, 'explore.png'), fullPage: true });
  await page.getByTestId('search-input').fill('tcp');
  await page.getByTestId('search-input').press('Enter');
  await page.waitForURL(/[?&]q=tcp/);
  const first = page.getByTestId('package-card').first();
  assert.match(await first.innerText(), /tcpstates/);
});

test('a package page shows the README, the run line, copies it and switches tabs', async () => {
  await page.goto(hub.url + '/p/tcpstates');
  const readme = page.getByTestId('readme');
  assert.ok(await readme.locator('h1, h2').count() >= 1, 'README rendered with headings');
  const run = page.getByTestId('run-command');
  assert.match(await run.innerText(), /lmp run tcpstates/);
  await page.getByTestId('copy-button').first().click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /lmp run tcpstates/);
  await page.screenshot({ path: path.join(out, 'package.png'), fullPage: true });

  // Tabs switch in place (JavaScript) without leaving the page.
  const url = page.url();
  await page.locator('#tab-versions').click();
  await page.locator('#panel-versions').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#panel-overview').isHidden());
  assert.match(await page.getByTestId('versions-table').innerText(), /\d+\.\d+\.\d+/);
  await page.locator('#tab-options').click();
  await page.locator('#panel-options').waitFor({ state: 'visible' });
  assert.match(await page.locator('#panel-options').innerText(), /--/);
  await page.locator('#tab-programs').click();
  await page.locator('#panel-programs').waitFor({ state: 'visible' });
  assert.match(await page.locator('#panel-programs').innerText(), /tracepoint|tp_btf|raw_tp/);
  assert.equal(page.url().split('?')[0], url.split('?')[0]);
});

test('register, log in, create a token, publish with it, see downloads, yank, log out',
     async () => {
  await page.goto(hub.url + '/register');
  await page.getByLabel('User name').fill('dave');
  await page.getByLabel('Password', { exact: true }).fill('dave-password-1');
  await page.locator('#register-submit').click();
  await page.waitForLoadState();
  // Registering logs in; log out and in again as a returning user would.
  await page.locator('#nav-logout').click();
  await page.waitForLoadState();
  await page.goto(hub.url + '/login');
  await page.getByLabel('User name').fill('dave');
  await page.getByLabel('Password', { exact: true }).fill('dave-password-1');
  await page.locator('#login-submit').click();
  await page.waitForLoadState();
  await page.goto(hub.url + '/settings');
  await page.getByLabel(/token name/i).fill('browser-test');
  await page.locator('#token-create').click();
  const token = (await page.getByTestId('new-token').innerText()).trim();
  assert.match(token, /^lmp_[A-Za-z0-9_-]+$/);

  // Publish a copy of the catalog's opensnoop as "storetest" with that token.
  const catalogDir = path.join(build, 'catalog', 'opensnoop');
  const version = readdirSync(catalogDir).find((v) => existsSync(path.join(catalogDir, v, 'package.json')));
  const dir = path.join(hub.dir, 'storetest');
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(catalogDir, version, 'package.json'), path.join(dir, 'package.json'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    name: 'storetest', version: '3.1.4', author: 'dave', description: 'store test package' }));
  writeFileSync(path.join(dir, 'README.md'), '# storetest\n\nPublished from the browser test.\n');
  const home = hub.home('dave');
  const published = hub.lmp(['publish', dir], { home, token });
  assert.equal(published.status, 0, published.stderr);

  await page.goto(hub.url + '/p/storetest');
  assert.match(await page.getByTestId('package-version').innerText(), /3\.1\.4/);
  const before = Number((await page.getByTestId('downloads-total').innerText()).replace(/\D/g, ''));
  const pull = hub.lmp(['pull', 'storetest:3.1.4'], { home: hub.home('puller') });
  assert.equal(pull.status, 0, pull.stderr);
  let after = before;
  for (let i = 0; i < 30 && after <= before; i++) {  // counts are flushed once a second
    await page.waitForTimeout(200);
    await page.reload();
    after = Number((await page.getByTestId('downloads-total').innerText()).replace(/\D/g, ''));
  }
  assert.equal(after, before + 1);

  await page.locator('#tab-versions').click();
  await page.getByTestId('yank-3.1.4').click();
  await page.waitForLoadState();
  await page.locator('#tab-versions').click();
  assert.match(await page.getByTestId('versions-table').innerText(), /yanked/i);
  assert.ok(await page.getByTestId('unyank-3.1.4').count() === 1);

  await page.locator('#nav-logout').click();
  await page.waitForLoadState();
  assert.ok(await page.getByRole('link', { name: /log in/i }).count() >= 1);
});

// Writes DIR/lmp.sig as `lmp sign` does (src/registry/signing.cpp, format lmp-signature-v1),
// with node's own ed25519: the hub must verify a signature it did not make itself.
function signDir(dir, keyName) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const files = {};
  for (const name of ['app.wasm', 'config.json', 'package.json'].sort()) {
    const file = path.join(dir, name);
    if (existsSync(file)) files[name] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  const signed = 'lmp-package-signature-v1\n' +
      JSON.stringify({ files, name: config.name, version: config.version });
  const fingerprint = 'ed25519:' + createHash('sha256').update(raw).digest('hex').slice(0, 32);
  writeFileSync(path.join(dir, 'lmp.sig'), JSON.stringify({
    format: 'lmp-signature-v1', name: config.name, version: config.version, files,
    key: fingerprint, key_name: keyName, public_key: raw.toString('base64'),
    signature: sign(null, Buffer.from(signed), privateKey).toString('base64') }, null, 2));
  return fingerprint;
}

test('a signed package shows who signed it, an unsigned one says so', async () => {
  const home = hub.home('signer');
  const reg = await fetch(hub.url + '/api/v1/register', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'signer', password: 'signer-password-1' }) });
  assert.equal(reg.status, 201);
  const login = hub.lmp(['login', hub.url, '-u', 'signer', '--password-stdin'],
                       { home, input: 'signer-password-1\n' });
  assert.equal(login.status, 0, login.stderr);
  const catalogDir = path.join(build, 'catalog', 'opensnoop');
  const version = readdirSync(catalogDir).find((v) => existsSync(path.join(catalogDir, v, 'package.json')));
  const publish = (release, signed) => {
    const dir = path.join(hub.dir, `signedsnoop-${release}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(catalogDir, version, 'package.json'), path.join(dir, 'package.json'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
      name: 'signedsnoop', version: release, author: 'signer', description: 'a signed package' }));
    writeFileSync(path.join(dir, 'README.md'), '# signedsnoop\n\nSigned in the browser test.\n');
    const fingerprint = signed ? signDir(dir, 'store-release') : '';
    const published = hub.lmp(['publish', dir], { home });
    assert.equal(published.status, 0, published.stderr);
    return fingerprint;
  };
  const fingerprint = publish('1.0.0', true);
  publish('0.9.0', false);

  await page.goto(hub.url + '/p/signedsnoop');
  const line = page.getByTestId('signature');
  assert.equal((await line.innerText()).replace(/\s+/g, ' ').trim(),
               `Signed by store-release · ${fingerprint}`);
  assert.ok(await line.isVisible());
  await line.screenshot({ path: path.join(out, 'signature.png') });
  await page.screenshot({ path: path.join(out, 'package-signed.png') });
  const api = await (await fetch(hub.url + '/api/v1/packages/signedsnoop')).json();
  assert.equal(api.signature.key, fingerprint);

  await page.goto(hub.url + '/p/signedsnoop/0.9.0');
  assert.equal((await page.getByTestId('signature').innerText()).trim(), 'Unsigned');
});

test('a malicious README executes nothing', async () => {
  const home = hub.home('mallory');
  const reg = await fetch(hub.url + '/api/v1/register', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'mallory', password: 'mallory-password-1' }) });
  assert.equal(reg.status, 201);
  const login = hub.lmp(['login', hub.url, '-u', 'mallory', '--password-stdin'],
                       { home, input: 'mallory-password-1\n' });
  assert.equal(login.status, 0, login.stderr);
  const catalogDir = path.join(build, 'catalog', 'opensnoop');
  const version = readdirSync(catalogDir).find((v) => existsSync(path.join(catalogDir, v, 'package.json')));
  const dir = path.join(hub.dir, 'evil');
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(catalogDir, version, 'package.json'), path.join(dir, 'package.json'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    name: 'evil', version: '1.0.0', author: '<script>alert("author")</script>',
    description: '"><img src=x onerror=alert(1)>' }));
  writeFileSync(path.join(dir, 'README.md'), [
    '# evil', '<script>alert("readme")</script>', '<img src=x onerror="alert(2)">',
    '[click](javascript:alert(3))', '<!-- <script>alert(4)</script> -->',
    '<a href="#" onclick="alert(5)">x</a>', '<iframe src="javascript:alert(6)"></iframe>', ''].join('\n'));
  const published = hub.lmp(['publish', dir], { home });
  assert.equal(published.status, 0, published.stderr);

  problems.length = 0;
  await page.goto(hub.url + '/p/evil');
  const link = page.locator('a', { hasText: 'click' });
  if (await link.count()) await link.first().click({ timeout: 2000 }).catch(() => {});
  await page.goto(hub.url + '/?q=evil');
  await page.waitForTimeout(300);
  assert.deepEqual(problems.filter((p) => !p.includes('favicon')), []);
  const csp = (await page.request.get(hub.url + '/p/evil')).headers()['content-security-policy'];
  assert.ok(csp && !csp.includes('unsafe-inline'), csp);
});

test('explore has no horizontal scroll at 375 px', async () => {
  const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
  watch(phone);
  for (const url of ['/', '/p/tcpstates']) {
    await phone.goto(hub.url + url);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${url} is ${width} px wide`);
  }
  await phone.screenshot({ path: path.join(out, 'package-phone.png'), fullPage: true });
  await phone.close();
});
