// The event console's pages in a real headless Chromium (Debian's chromium, driven by
// playwright-core, as for Swagger UI): the topic list, a filtered message list, one request's story
// after a sign-up, and a redrive from the dead-letter page. The screenshots are the README's.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { call, closeProducer, DeadLetterJson, publishRaw } from '../support/event-console';
import { repoPath } from '../support/repo';
import { spawnApp, SpawnedApp } from '../support/spawned-app';
import { api, uniqueEmail } from './gateway';
import { BROKER, eventually } from './kafka-watch';

const CHROMIUM = '/usr/bin/chromium';
// The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1); a plain test run keeps
// its screenshots with the logs, so running the tests never changes tracked files.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? repoPath('docs', 'event-console') : repoPath('.logs', 'test', 'screenshots');

jest.setTimeout(120000);

describe('the event console in headless Chromium', () => {
  let consoleApp: SpawnedApp;
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it`);
    mkdirSync(SHOTS, { recursive: true });
    consoleApp = await spawnApp('infra/console', { KAFKA_BROKER: BROKER }, 60000);
    profileDir = mkdtempSync(join(tmpdir(), 'nest-ms-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await consoleApp?.stop();
    await closeProducer();
  });

  afterEach(() => expect(errors).toEqual([]));

  it('the topic list: every topic with partitions, counts and its dead letters', async () => {
    const res = await page.goto(`${consoleApp.url}/`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('tr[data-topic="user.created"] td').nth(1).textContent()).resolves.toBe('3');
    await expect(page.locator('tr[data-topic="user.created.dlq"].dlq').count()).resolves.toBe(1);
    await shot('topics');
    await page.click('text=Consumer groups');
    await page.locator('[data-group="order-service-group"]').waitFor();
    await shot('groups');
  });

  it("a filtered message list, then one request's story after a sign-up", async () => {
    const requestId = `console-page-${randomUUID()}`;
    const signUp = await api<{ id: string }>('POST', '/api/users', { email: uniqueEmail('console-page'), name: 'Page Test', password: 'SecurePass123!' }, { 'x-request-id': requestId });
    expect(signUp.status).toBe(201);
    await eventually(
      () => call<{ events: Array<{ topic: string; processedBy: string[] }> }>(consoleApp.url, 'GET', `/api/story/${requestId}`).then((r) => r.body.events),
      (events) => events.some((e) => e.topic.startsWith('payment.') && e.processedBy.length > 0),
      60000,
    );

    await page.goto(`${consoleApp.url}/messages`);
    await page.selectOption('select[name="topic"]', 'user.created');
    await page.fill('input[name="requestId"]', requestId);
    await page.click('form.filter button[type="submit"]');
    await page.waitForURL(/requestId=/);
    await expect(page.locator('#messages tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('#messages tbody tr').first().textContent()).resolves.toContain(signUp.body.id);
    await shot('messages');

    await page.click('#messages tbody tr a');
    await page.click("text=this request's story");
    await page.waitForURL(/\/story\?id=/);
    const topics = await page.locator('#story tbody tr td:nth-child(2)').allTextContents();
    expect(topics.map((t) => t.split('/')[0])).toEqual(['user.created', 'order.created', expect.stringMatching(/^payment\.(completed|failed)$/)]);
    await expect(page.locator('#story tbody tr').first().textContent()).resolves.toContain('order-service-group');
    await shot('story');
  });

  it('a redrive from the dead-letter page', async () => {
    const key = `console-page-poison-${randomUUID()}`;
    await publishRaw('user.created', key, '<not json/>');
    const [dead] = await eventually(
      () => call<DeadLetterJson[]>(consoleApp.url, 'GET', `/api/dead-letters?topic=user.created.dlq&key=${encodeURIComponent(key)}`).then((r) => r.body),
      (d) => d.length === 1,
    );
    await page.goto(`${consoleApp.url}/dead-letters?topic=user.created.dlq`);
    const row = page.locator(`tr[data-id="${dead.id}"]`);
    await expect(row.locator('td.redrives').textContent()).resolves.toBe('0');
    await row.locator('input[type="checkbox"]').check();
    await shot('dead-letters');
    await page.click('button[value="selected"]');
    await expect(page.locator('#outcome').textContent()).resolves.toMatch(/^Sent 1, refused 0/);
    await shot('redrive');

    await eventually(
      () => call<DeadLetterJson[]>(consoleApp.url, 'GET', `/api/dead-letters?topic=user.created.dlq&key=${encodeURIComponent(key)}`).then((r) => r.body),
      (d) => d.length === 2,
    );
    await page.goto(`${consoleApp.url}/dead-letters?topic=user.created.dlq&key=${encodeURIComponent(key)}`);
    await expect(page.locator(`tr[data-id="${dead.id}"] td.redrives`).textContent()).resolves.toBe('1');
    await page.locator(`tr[data-id="${dead.id}"] input[type="checkbox"]`).check();
    await page.click('button[value="selected"]');
    await expect(page.locator('#refused').textContent()).resolves.toContain('again');
  });
});
