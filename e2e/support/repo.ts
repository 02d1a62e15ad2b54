import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository root (e2e/..). */
export const REPO = resolve(__dirname, '..', '..');

export const repoPath = (...parts: string[]): string => join(REPO, ...parts);

export const readRepoFile = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

/** A YAML file of the repo, with `<<:` merge keys resolved as Docker Compose does. */
export function readYaml<T = any>(...parts: string[]): T {
  return parse(readRepoFile(...parts), { merge: true }) as T;
}

export interface ComposeService {
  image?: string;
  ports?: Array<string | number | { published?: string | number; target?: number }>;
  environment?: Record<string, string | number> | string[];
  volumes?: Array<string | { source?: string; target?: string }>;
  extra_hosts?: string[] | Record<string, string>;
  entrypoint?: string | string[];
  command?: string | string[];
  depends_on?: string[] | Record<string, unknown>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Host ports a service publishes ("9094:9094", "127.0.0.1:5433:5432", or the long syntax). */
export function publishedPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.published);
    const parts = String(p).split(':');
    return Number(parts.length === 1 ? parts[0] : parts[parts.length - 2]);
  });
}

/** Environment as a map, whichever syntax the file uses. */
export function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** The topics of shared/events/topics.json with their dead-letter twins. */
export function expectedTopics(): { names: string[]; partitions: number } {
  const spec = JSON.parse(readRepoFile('shared', 'events', 'topics.json'));
  const names = Object.values<string>(spec.topics).flatMap((t) => [t, `${t}${spec.deadLetterSuffix}`]);
  return { names, partitions: spec.partitions };
}
