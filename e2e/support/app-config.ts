import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo';

/** What an app's code says about its configuration, read from its sources. */
export interface AppConfig {
  /** Every environment variable the app reads: its env schema (with the shared base) and the start-up settings. */
  variables: Set<string>;
  /** Variables the app refuses to start without in production (`@IsSecret({ requiredInProduction: true })`). */
  requiredInProduction: Set<string>;
  /** The port it listens on by default. */
  port: number;
}

export const APPS = ['api-gateway', 'user-service', 'order-service', 'payment-service'] as const;
export type App = (typeof APPS)[number];

const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

interface EnvClass {
  parent?: string;
  body: string;
}

function envClasses(source: string): Map<string, EnvClass> {
  const classes = new Map<string, EnvClass>();
  for (const m of withoutComments(source).matchAll(/export class (\w+)(?: extends (\w+))? \{([\s\S]*?)\n\}/g)) {
    classes.set(m[1], { parent: m[2], body: m[3] });
  }
  return classes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.testing.ts') ? [path] : [];
  });
}

export function appConfig(app: App): AppConfig {
  const own = readFileSync(repoPath(app, 'src', 'config', 'env.ts'), 'utf8');
  const classes = new Map([...envClasses(readFileSync(repoPath(app, 'src', 'shared', 'config', 'env.ts'), 'utf8')), ...envClasses(own)]);
  const appClass = [...envClasses(own).keys()].find((name) => name.endsWith('Env'));
  if (!appClass) throw new Error(`${app}/src/config/env.ts declares no *Env class`);

  const variables = new Set<string>();
  const requiredInProduction = new Set<string>();
  for (let name: string | undefined = appClass; name; name = classes.get(name)?.parent) {
    const body = classes.get(name)?.body ?? '';
    for (const m of body.matchAll(/(?:^|\s|\))([A-Z][A-Z0-9_]+)[!?]?(?::\s|\s=\s)/gm)) variables.add(m[1]);
    for (const m of body.matchAll(/@IsSecret\(\{\s*requiredInProduction:\s*true\s*\}\)\s+([A-Z][A-Z0-9_]+)/g)) requiredInProduction.add(m[1]);
  }
  for (const file of sourceFiles(repoPath(app, 'src'))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)) variables.add(m[1] ?? m[2]);
    // Settings read before the validated configuration exists (shared/config/startup-settings.ts).
    for (const m of source.matchAll(/startupSetting\('([A-Z][A-Z0-9_]+)'\)/g)) variables.add(m[1]);
  }

  // The default port: the app's validateEnv defaults, or the class's own initialiser (the gateway).
  const port = /\bPORT(?::\s*|\s*=\s*)(\d+)/.exec(withoutComments(own));
  if (!port) throw new Error(`${app}: no default PORT in src/config/env.ts`);
  return { variables, requiredInProduction, port: Number(port[1]) };
}

/** The URL variable through which an app is configured to call `target` (USER_SERVICE_URL ...). */
export const urlVariable = (target: App): string => `${target.toUpperCase().replace(/-/g, '_')}_URL`;

/** Which apps call `target` over HTTP: those whose configuration reads its URL variable. */
export function callersOf(target: App): App[] {
  return APPS.filter((app) => app !== target && appConfig(app).variables.has(urlVariable(target)));
}
