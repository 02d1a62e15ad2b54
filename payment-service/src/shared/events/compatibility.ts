// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

type Schema = Record<string, any>;

/**
 * What a consumer of the published contract (`committed`) could no longer read in `next`: a field
 * removed or changed, a new required field. Such a change must raise the event's version (and
 * consumers accept both versions until the old one is gone); optional additions need nothing.
 */
export function breakingChanges(committed: Schema, next: Schema): string[] {
  const problems: string[] = [];
  const before = committed.components?.schemas ?? {};
  const after = next.components?.schemas ?? {};
  for (const [name, old] of Object.entries<Schema>(before)) {
    const event = name.replace(/Envelope$/, '');
    const now = after[name];
    const version = old.properties?.version?.const;
    if (!now) {
      problems.push(`${event} v${version}: removed`);
      continue;
    }
    if (now.properties?.version?.const !== version) continue;
    compare(old.properties.data, now.properties.data, 'data', `${event} v${version}`, problems);
  }
  return problems;
}

function compare(old: Schema, now: Schema, path: string, event: string, problems: string[]): void {
  const oldProps = old.properties ?? {};
  const nowProps = now.properties ?? {};
  for (const [field, schema] of Object.entries<Schema>(oldProps)) {
    const next = nowProps[field];
    if (!next) problems.push(`${event}: ${path}.${field} removed`);
    else if (schema.type === 'object' || schema.items?.type === 'object') {
      compare(schema.items ?? schema, next.items ?? next, `${path}.${field}`, event, problems);
    } else if (JSON.stringify(schema) !== JSON.stringify(next)) problems.push(`${event}: ${path}.${field} changed type or rules`);
  }
  const wasRequired = new Set<string>(old.required ?? []);
  for (const field of now.required ?? []) {
    if (!wasRequired.has(field) && !oldProps[field]) problems.push(`${event}: ${path}.${field} is new and required`);
  }
}
