import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { api, GATEWAY, uniqueEmail } from './gateway';

// Swagger UI at /api/docs, in a real headless Chromium: Debian's `chromium` package (installed by
// .ci/run), driven by playwright-core. No browser is ever downloaded.
const CHROMIUM = '/usr/bin/chromium';

jest.setTimeout(90000);

describe('Swagger UI (/api/docs) in headless Chromium', () => {
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it`);
    }
    profileDir = mkdtempSync(join(tmpdir(), 'nest-ms-chromium-'));
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('renders, and creating a user with "Try it out" answers 201 and the user exists', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    const res = await page.goto(`${GATEWAY}/api/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);

    // Rendered by Swagger UI's scripts (a CSP blocking them would leave an empty page).
    const op = page.locator('.opblock.opblock-post', { has: page.locator('[data-path="/api/users"]') }).first();
    await op.waitFor({ state: 'visible', timeout: 20000 }).catch((err) => {
      throw new Error(`POST /api/users is not shown (${err.message}); page errors: ${pageErrors.join(' | ') || 'none'}`);
    });
    await expect(page.locator('.swagger-ui .info .title').first().textContent()).resolves.toBeTruthy();

    await op.locator('.opblock-summary').first().click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    const email = uniqueEmail('swagger');
    const body = op.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ email, name: 'Swagger UI', password: 'SecurePass123!' }, null, 2));
    await op.getByRole('button', { name: 'Execute' }).click();

    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ state: 'visible', timeout: 20000 });
    expect((await status.textContent())?.trim()).toMatch(/^201/);
    const shown = await op.locator('.live-responses-table .response .response-col_description pre').first().textContent();
    const user = JSON.parse(shown ?? 'null') as { id: string; email: string };
    expect(user.email).toBe(email);

    const fetched = await api<{ id: string; email: string }>('GET', `/api/users/${user.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.email).toBe(email);
  });
});
