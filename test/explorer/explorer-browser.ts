/// <reference lib="dom" />
/**
 * The explorer in headless Chromium, as a person uses it: the chart drawn and counting exactly, a
 * bar narrowing the filter, links followed, keyboard and phone width, and no request ever leaving
 * this machine. A screenshot of each page is saved under test-results/explorer/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifactPath, launchBrowser } from '../helpers/browser.js';
import { sqlRows, type Fixture } from './explorer-suite.js';

interface Watched {
  page: Page;
  requests: string[];
  problems: string[];
}

export function browserTests(fixture: () => Fixture, storeName: string): void {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  async function open(path: string): Promise<Watched> {
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(new URL(path.replace(/^\//, ''), fixture().server.url).href);
    return { page, requests, problems };
  }

  function expectLocalOnly(watched: Watched): void {
    const origin = new URL(fixture().server.url).origin;
    expect(watched.requests.length).toBeGreaterThan(0);
    for (const url of watched.requests) expect(url.startsWith(`${origin}/`), url).toBe(true);
    // A Content-Security-Policy violation is reported on the console: none may happen.
    expect(watched.problems).toEqual([]);
  }

  it('draws the timeline: non-zero size, bars summing to the filtered count; a bar narrows from/to', async () => {
    const watched = await open('/?actor_type=user');
    const { page } = watched;
    await page.waitForSelector('canvas#timeline[data-drawn="true"]');
    const box = await page.locator('canvas#timeline').boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(100);
    const drawn = await page.evaluate(() => {
      const t = (window as unknown as { __timeline: { timeline: { total: number; buckets: string[]; bucket: string; series: Record<string, number[]> } } }).__timeline;
      return { total: t.timeline.total, sum: Object.values(t.timeline.series).flat().reduce((a, n) => a + n, 0), buckets: t.timeline.buckets, bucket: t.timeline.bucket };
    });
    const [count] = await sqlRows(fixture().reader, "SELECT count(*) AS n FROM audit_trail WHERE actor_type = 'user'");
    expect(drawn.sum).toBe(Number(count!.n));
    expect(drawn.total).toBe(Number(count!.n));
    await expect.poll(() => page.locator('.timeline-total').textContent()).toContain(`${drawn.total} events match`);
    await page.screenshot({ path: artifactPath('explorer', `${storeName}-trail.png`), fullPage: true });

    // The tallest bar, clicked where Chart.js drew it.
    const bar = await page.evaluate(() => {
      const chart = (window as unknown as { __timeline: { chart: { data: { datasets: Array<{ data: number[] }> }; getDatasetMeta(i: number): { data: Array<{ x: number; y: number; base: number }> } } } }).__timeline.chart;
      const totals = chart.data.datasets[0]!.data.map((_v, i) => chart.data.datasets.reduce((a, d) => a + (d.data[i] ?? 0), 0));
      const index = totals.indexOf(Math.max(...totals));
      const last = chart.data.datasets.length - 1;
      const top = chart.getDatasetMeta(last).data[index]!;
      const bottom = chart.getDatasetMeta(0).data[index]!;
      return { index, x: top.x, y: (top.y + bottom.base) / 2, count: totals[index]! };
    });
    await Promise.all([page.waitForURL(/from=/), page.locator('canvas#timeline').click({ position: { x: bar.x, y: bar.y } })]);
    const url = new URL(page.url());
    expect(url.searchParams.get('from')).toBe(drawn.buckets[bar.index]);
    expect(url.searchParams.get('actor_type')).toBe('user');
    await page.waitForSelector('canvas#timeline[data-drawn="true"]');
    const narrowed = await page.evaluate(() => (window as unknown as { __timeline: { timeline: { total: number } } }).__timeline.timeline.total);
    expect(narrowed).toBe(bar.count);
    expectLocalOnly(watched);
    await page.close();
  });

  it('draws a range whose from/to cut an hour (read from the event counts and the cut hours\' rows): bars summing to the filtered count', async () => {
    const [span] = await sqlRows(fixture().reader, 'SELECT min(created_at) AS first, max(created_at) AS last FROM audit_trail');
    const from = new Date(Date.parse(String(span!.first)) + 2_233_500).toISOString();
    const to = new Date(Date.parse(String(span!.last)) - 1_381_000).toISOString();
    const watched = await open(`/?${new URLSearchParams({ from, to, actor_type: 'user' })}`);
    const { page } = watched;
    await page.waitForSelector('canvas#timeline[data-drawn="true"]');
    const drawn = await page.evaluate(() => {
      const t = (window as unknown as { __timeline: { timeline: { total: number; series: Record<string, number[]> } } }).__timeline;
      return { total: t.timeline.total, sum: Object.values(t.timeline.series).flat().reduce((a, n) => a + n, 0) };
    });
    const [count] = await sqlRows(fixture().reader, "SELECT count(*) AS n FROM audit_trail WHERE actor_type = 'user' AND created_at >= :from AND created_at < :to", { from, to });
    expect(Number(count!.n)).toBeGreaterThan(0);
    expect(drawn).toEqual({ total: Number(count!.n), sum: Number(count!.n) });
    await expect.poll(() => page.locator('.timeline-total').textContent()).toContain(`${drawn.total} events match`);
    expectLocalOnly(watched);
    await page.close();
  });

  it('follows an actor link to the actor page, and an event link to the event page', async () => {
    const watched = await open('/?actor_type=user');
    const { page } = watched;
    const actorLink = page.locator('table.trail tbody tr a[href*="/actors/"]').first();
    const actorHref = await actorLink.getAttribute('href');
    await Promise.all([page.waitForURL(/\/actors\//), actorLink.click()]);
    expect(new URL(page.url()).pathname).toBe(actorHref);
    await expect.poll(() => page.locator('h1').textContent()).not.toBe('');
    await page.waitForSelector('canvas#timeline[data-drawn="true"]');
    await page.screenshot({ path: artifactPath('explorer', `${storeName}-actor.png`), fullPage: true });
    const eventLink = page.locator('table.trail tbody tr a[href*="/events/"]').first();
    await Promise.all([page.waitForURL(/\/events\//), eventLink.click()]);
    await page.waitForSelector('[data-chain]');
    await page.screenshot({ path: artifactPath('explorer', `${storeName}-event.png`), fullPage: true });
    expectLocalOnly(watched);
    await page.close();
  });

  it('draws the environments sparklines and shows sync health, all from this machine', async () => {
    const environments = await open('/environments');
    const count = await environments.page.locator('canvas.spark').count();
    expect(count).toBeGreaterThan(0);
    await environments.page.waitForFunction((n) => document.querySelectorAll('canvas.spark[data-drawn="true"]').length === n, count);
    await environments.page.screenshot({ path: artifactPath('explorer', `${storeName}-environments.png`), fullPage: true });
    expectLocalOnly(environments);
    await environments.page.close();
    const health = await open('/health');
    await health.page.screenshot({ path: artifactPath('explorer', `${storeName}-health.png`), fullPage: true });
    expectLocalOnly(health);
    await health.page.close();
  });

  it('shows guest access and tokens: filtered by keyboard, every control labelled, no script needed, a phone width without sideways scrolling', async () => {
    const [revoked] = await sqlRows(fixture().reader, 'SELECT guest_id FROM guest_access WHERE revoked_at IS NOT NULL ORDER BY guest_id LIMIT 1');
    const access = await open('/access');
    const { page } = access;
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Guest access');
    const unlabeled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select')).filter((c) => (c as HTMLInputElement).labels?.length === 0).map((c) => c.id));
    expect(unlabeled).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    await page.screenshot({ path: artifactPath('explorer', `${storeName}-access.png`), fullPage: true });
    // By keyboard: a guest typed in, "only current" ticked with Space, Enter submits.
    await page.locator('#a-guest').focus();
    await page.keyboard.type(String(revoked!.guest_id));
    await page.locator('#a-current').focus();
    await page.keyboard.press('Space');
    await page.locator('#a-guest').focus();
    await Promise.all([page.waitForURL(/current=1/), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('guest')).toBe(String(revoked!.guest_id));
    const rows = await page.locator('table.access tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-guest-id'), tr.getAttribute('data-revoked-at')]));
    for (const [guest, revokedAt] of rows) expect([guest, revokedAt]).toEqual([String(revoked!.guest_id), '']);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expectLocalOnly(access);
    await page.close();

    const tokens = await open('/tokens');
    expect(await tokens.page.locator('table.tokens tbody tr').count()).toBeGreaterThan(0);
    await tokens.page.screenshot({ path: artifactPath('explorer', `${storeName}-tokens.png`), fullPage: true });
    await tokens.page.setViewportSize({ width: 390, height: 844 });
    expect(await tokens.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expectLocalOnly(tokens);
    await tokens.page.close();
  });

  it("shows each page at a laptop width in a screenshot small enough to commit (README's pictures)", async () => {
    const f = fixture();
    const [env] = await sqlRows(f.reader, "SELECT id FROM environments WHERE id IN (SELECT environment_id FROM events) ORDER BY name LIMIT 1");
    const [event] = await sqlRows(f.reader, "SELECT event_id FROM audit_trail WHERE environment_id = :e AND actor_type = 'user' ORDER BY created_at DESC, event_id DESC LIMIT 1", { e: String(env!.id) });
    const shots: Array<[string, string]> = [
      ['trail', `/?environment=${env!.id}`],
      ['event', `/events/${event!.event_id}`],
      ['actor', `/actors/${f.changes.renamed.id}`],
      ['access', '/access'],
      ['tokens', '/tokens'],
      ['health', '/health'],
    ];
    const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    try {
      for (const [name, path] of shots) {
        const page = await laptop.newPage();
        const requests: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        await page.goto(new URL(path.replace(/^\//, ''), f.server.url).href);
        if (await page.locator('canvas#timeline').count() > 0) await page.waitForSelector('canvas#timeline[data-drawn="true"]');
        const png = await page.screenshot({ path: artifactPath('explorer', `docs-${storeName}`, `explorer-${name}.png`) });
        expect(png.length, `${name}: ${png.length} bytes`).toBeLessThan(200_000);
        for (const url of requests) expect(url.startsWith(new URL(f.server.url).origin), url).toBe(true);
        await page.close();
      }
    } finally {
      await laptop.close();
    }
  });

  it('works by keyboard and labels every control; fits a phone without sideways scrolling', async () => {
    const watched = await open('/');
    const { page } = watched;
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    const unlabeled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select')).filter((c) => (c as HTMLInputElement).labels?.length === 0).map((c) => c.id));
    expect(unlabeled).toEqual([]);
    // Filtering by keyboard alone: type into a field, Enter submits the form.
    await page.locator('#f-actor_type').selectOption('guest');
    await page.locator('#f-q').focus();
    await Promise.all([page.waitForURL(/actor_type=guest/), page.keyboard.press('Enter')]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForSelector('canvas#timeline[data-drawn="true"]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: artifactPath('explorer', `${storeName}-phone.png`), fullPage: true });
    expectLocalOnly(watched);
    await page.close();
  });
}
