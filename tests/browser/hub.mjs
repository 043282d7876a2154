// Starts a real lmp-hub for the browser tests: a fresh data directory, an admin account,
// the bundled catalog imported, `serve` on a free loopback port. Also runs lmp against it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class Hub {
  constructor({ hubBinary, lmpBinary, catalog }) {
    this.hubBinary = hubBinary;
    this.lmpBinary = lmpBinary;
    this.catalog = catalog;
    this.dir = mkdtempSync(path.join(tmpdir(), 'lmp-store-'));
    this.data = path.join(this.dir, 'hub');
  }

  // `lmp-hub ARGS --data DIR`; throws on a non-zero exit.
  admin(args, input = '') {
    const r = spawnSync(this.hubBinary, [...args, '--data', this.data], { input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lmp-hub ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async start() {
    this.admin(['user', 'add', 'admin', '--admin', '--password-stdin'], 'admin-password-1\n');
    this.admin(['import', this.catalog, '--owner', 'admin']);
    this.process = spawn(this.hubBinary, ['serve', '--listen', '127.0.0.1:0', '--data', this.data],
                         { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lmp-hub did not start: ${stderr}`)), 20000);
      this.process.stderr.on('data', (chunk) => {
        stderr += chunk;
        const m = stderr.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      this.process.on('exit', (code) => reject(new Error(`lmp-hub exited ${code}: ${stderr}`)));
    });
    return this.url;
  }

  // Runs lmp with its own home and this hub as repository and publishing hub.
  // With `token`, lmp publishes with it (LMP_HUB_TOKEN) instead of a stored login.
  lmp(args, { home, input = '', cwd, token } = {}) {
    const env = { ...process.env, LMP_HOME: home, LMP_REPOSITORY: this.url, LMP_HUB: this.url };
    if (token) env.LMP_HUB_TOKEN = token;
    return spawnSync(this.lmpBinary, args, { env, input, cwd, encoding: 'utf8' });
  }

  home(name) {
    return path.join(this.dir, `home-${name}`);
  }

  async stop() {
    if (this.process && this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.on('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
