// Packs every published package (`npm pack`) into one directory; shared by the tarball and matrix runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

/** The publishable workspaces: `packages/<dir>` → package name. */
export function publishedPackages() {
  return readdirSync(join(root, 'packages')).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    return { dir, name: manifest.name, version: manifest.version };
  });
}

/** `npm pack`s each package into `destination`; returns `packages/<dir>` → tarball path. */
export function packPackages(destination) {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const tarballs = {};
  for (const { dir } of publishedPackages()) {
    const result = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: join(root, 'packages', dir),
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`npm pack in packages/${dir} failed:\n${result.stderr}`);
    tarballs[dir] = join(destination, JSON.parse(result.stdout)[0].filename);
  }
  return tarballs;
}

/** Runs a command, printing it; throws with its output when it fails. */
export function sh(command, args, options = {}) {
  console.log(`  $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
}
