import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `check` holds; fails naming what it waited for. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
