import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyParts, parseDockerfile } from './dockerfile.js';

const ROOT = process.cwd();
const steps = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const lastStage = Math.max(...steps.map((s) => s.stage));
const runtime = steps.filter((s) => s.stage === lastStage);
const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** Top-level packages of a production install according to the lockfile (what `npm ci --omit=dev` installs). */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && !key.slice('node_modules/'.length).includes('node_modules/') && !entry.dev)
    .map(([key]) => key.slice('node_modules/'.length));
}

function bareImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g)) {
      if (!m[1].startsWith('node:')) found.add(m[1]);
    }
  }
  return found;
}

describe('Dockerfile', () => {
  it('builds on Node 24 and runs on a Node 24 slim image', () => {
    const froms = steps.filter((s) => s.instruction === 'FROM').map((s) => s.args);
    expect(froms).toEqual(['node:24 AS build', 'node:24-slim']);
    const buildRuns = steps.filter((s) => s.stage === 0 && s.instruction === 'RUN').map((s) => s.args);
    expect(buildRuns).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
    expect(runtime.filter((s) => s.instruction === 'RUN').map((s) => s.args)[0]).toMatch(/^npm ci --omit=dev /);
  });

  it('copies only files that exist and that .dockerignore leaves in the build context', () => {
    for (const step of steps.filter((s) => s.instruction === 'COPY')) {
      const { from, sources } = copyParts(step.args);
      if (from) continue;
      for (const source of sources) {
        expect({ source, exists: existsSync(source) }).toEqual({ source, exists: true });
        expect(ignored).not.toContain(source.replace(/\/$/, ''));
      }
    }
    for (const needed of ['.git', 'node_modules', 'dist']) expect(ignored).toContain(needed);
  });

  it('takes the build output from where npm run build writes it, and links the bin to it', () => {
    const buildDir = steps.find((s) => s.stage === 0 && s.instruction === 'WORKDIR')!.args;
    const appDir = runtime.find((s) => s.instruction === 'WORKDIR')!.args;
    const tsconfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string } };
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string>; files: string[] };
    const fromBuild = runtime.map((s) => (s.instruction === 'COPY' ? copyParts(s.args) : undefined)).find((c) => c?.from === 'build')!;
    expect(fromBuild.sources).toEqual([path.posix.join(buildDir, tsconfig.compilerOptions.outDir)]);
    expect(path.posix.resolve(appDir, fromBuild.dest)).toBe(path.posix.join(appDir, 'dist'));
    const link = runtime.find((s) => s.instruction === 'RUN' && s.args.includes('ln -s'))!.args;
    expect(link).toContain(`ln -s ${path.posix.join(appDir, pkg.bin['webstack-operator'])} /usr/local/bin/webstack-operator`);
    for (const f of pkg.files) expect(runtime.some((s) => s.instruction === 'COPY' && copyParts(s.args).dest.replace(/\/$/, '').endsWith(f))).toBe(true);
  });

  it('runs as a numeric non-root user with ENTRYPOINT webstack-operator run', () => {
    const user = runtime.filter((s) => s.instruction === 'USER').map((s) => s.args);
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(JSON.parse(runtime.find((s) => s.instruction === 'ENTRYPOINT')!.args)).toEqual(['webstack-operator', 'run']);
  });
});

describe('the image entrypoint from a production install', () => {
  let dir = '';
  let bin = '';
  let app = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-image-'));
    app = path.join(dir, 'app');
    // The image's layout: package files, production node_modules, dist/ from the build, crds/.
    mkdirSync(path.join(app, 'node_modules', '@kubernetes'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(f, path.join(app, f));
    cpSync('crds', path.join(app, 'crds'), { recursive: true });
    // What `npm run build` does in the build stage, into this layout.
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(app, 'dist')], { encoding: 'utf8', timeout: 110000 });
    if (build.status !== 0) throw new Error(`the build (tsc -p tsconfig.build.json) failed:\n${build.stdout}${build.stderr}`);
    // Production dependencies only (no network here): the lockfile's non-dev packages, linked from this checkout.
    for (const name of productionPackages()) {
      const target = path.join(app, 'node_modules', name);
      mkdirSync(path.dirname(target), { recursive: true });
      if (existsSync(path.join(ROOT, 'node_modules', name))) symlinkSync(path.join(ROOT, 'node_modules', name), target);
    }
    chmodSync(path.join(app, 'dist/cli.js'), 0o755);
    mkdirSync(path.join(dir, 'bin'));
    bin = path.join(dir, 'bin', 'webstack-operator');
    symlinkSync(path.join(app, 'dist/cli.js'), bin);
  }, 120000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dist/cli.js is an executable script with a node shebang', () => {
    expect(readFileSync(path.join(app, 'dist/cli.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('webstack-operator --help lists the commands and exits 0', () => {
    const result = spawnSync(bin, ['--help'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 30000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: webstack-operator <command>/);
    expect(result.stdout).toMatch(/^ {2}run\s+\S/m);
  });

  it('the ENTRYPOINT command (webstack-operator run) loads with production dependencies only', () => {
    const result = spawnSync(bin, ['run', '--help'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 30000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: webstack-operator run/);
  });

  it('every package the compiled code imports is a production dependency', () => {
    const check = path.join(app, 'resolve-check.mjs');
    const specifiers = [...bareImports(path.join(app, 'dist'))];
    writeFileSync(check, `const bad = [];\nfor (const s of ${JSON.stringify(specifiers)}) { try { import.meta.resolve(s); } catch { bad.push(s); } }\nprocess.stdout.write(JSON.stringify(bad));\n`);
    const out = execFileSync(process.execPath, [check], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_PATH: '' } });
    expect(specifiers.length).toBeGreaterThan(0);
    expect(JSON.parse(out)).toEqual([]);
  });
});
