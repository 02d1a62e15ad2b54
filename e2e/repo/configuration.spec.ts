import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, repoPath } from '../support/repo';

/**
 * Configuration is read once: each app validates its environment into one typed object at start
 * (its env class, through ConfigModule) and everything else takes settings from there. Entry points
 * hand the environment to the validator (`validateEnv(process.env)`); the only other reader is
 * shared/config/startup-settings.ts (tracing and the validation decorators run before or outside
 * Nest's configuration).
 */
const SOURCE_ROOTS = ['shared', 'api-gateway/src', 'user-service/src', 'order-service/src', 'payment-service/src'];
const ALLOWED_READER = 'shared/config/startup-settings.ts';
const HANDED_TO_VALIDATOR = /\bvalidateEnv\(process\.env\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    // The apps' src/shared folders are copies of shared/, checked there.
    if (name === 'shared' && dir.endsWith('src')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.(spec|testing)\.ts$/.test(name) ? [path] : [];
  });
}

describe('configuration is read once', () => {
  it('no source file reads process.env except the validator entry points and the start-up settings', () => {
    const readers: string[] = [];
    for (const root of SOURCE_ROOTS) {
      for (const file of sources(repoPath(root))) {
        const name = relative(REPO, file);
        if (name === ALLOWED_READER) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (line.replace(HANDED_TO_VALIDATOR, '').includes('process.env')) readers.push(`${name}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(readers).toEqual([]);
  });

  it('finds what it looks for: the start-up settings do read the environment', () => {
    expect(readFileSync(repoPath(ALLOWED_READER), 'utf8')).toContain('process.env[name]');
  });
});
