import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/prism.js';
import { operations } from '../support/spec.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const docsFile = join(repoRoot, 'dist/docs/index.html');
const docsUrl = pathToFileURL(docsFile).href;
const diagramFile = (name: string) => join(repoRoot, `spec/diagrams/${name}.svg`);
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

if (!haveChromium && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! The rendered-docs test DID NOT RUN: no chromium at ${chromiumPath}.\n` +
      `!! Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.\n${'!'.repeat(78)}\n`,
  );
}

/**
 * The link Redoc 3 (what `redocly build-docs` 2.77 renders) gives an operation, and the one the
 * README documents: `#/<tag slug>/<operationId in lower case>`. The tag slug is the tag's name in
 * lower case with spaces as hyphens.
 */
const operationLink = (tag: string, operationId: string) => `#/${tag.toLowerCase().replace(/\s+/g, '-')}/${operationId.toLowerCase()}`;
const documented = operations.map(({ operationId, operation, path }) => ({
  operationId,
  path,
  summary: String(operation.summary),
  link: operationLink(String((operation.tags as string[])[0]), operationId),
}));

const viewport = { width: 1400, height: 1000 };

/** True when the element is rendered and lies wholly inside the viewport, as a reader sees it. */
const inViewport = (locator: Locator) =>
  locator.evaluate((element, { width, height }) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= height && box.right <= width;
  }, viewport);

describe('rendered docs', () => {
  // In CI a missing browser fails every test here; elsewhere they are skipped, loudly.
  describe.runIf(haveChromium || process.env.CI)('in chromium, offline', () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const outsideRequests: string[] = [];
    const pageErrors: string[] = [];
    // Screenshots for a person to look at; never in the repository.
    const shots = mkdtempSync(join(tmpdir(), 'rendered-docs-'));

    beforeAll(async () => {
      if (!haveChromium) throw new Error(`chromium not found at ${chromiumPath}; .ci/run must install it`);
      execFileSync('npm', ['run', '--silent', 'docs'], { cwd: repoRoot, stdio: 'pipe' });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
        ],
      });
      context = await browser.newContext({ offline: true, viewport });
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        outsideRequests.push(url);
        return route.abort('internetdisconnected');
      });
      page = await freshPage();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    /** A new tab on the offline context, its page errors collected. */
    async function freshPage() {
      const opened = await context.newPage();
      opened.on('pageerror', (error) => pageErrors.push(String(error)));
      return opened;
    }

    const heading = (title: string) => page.locator('h1, h2').filter({ hasText: title }).first();
    // Redoc renders a 2.5 MB page: give each step a budget no busy machine reaches (polls default to 1 s).
    const budget = { timeout: 120_000 };
    const soon = { timeout: 60_000 };

    async function openOperation(anchor: string) {
      await page.goto(`${docsUrl}#/server-actions/${anchor}`);
    }

    it('opened plainly, show the operations at once and a working search box', budget, async () => {
      const plain = await freshPage();
      // Opened as a reader opens it: no hash, no click, no scrolling.
      await plain.goto(docsUrl, { waitUntil: 'load' });
      const intro = plain.locator('[data-section-id="/"]');
      const actions = plain.locator('[data-section-id="/server-actions"]');
      for (const { operationId, link, path } of documented.filter((op) => op.link.startsWith('#/server-actions/'))) {
        // The introduction's list of operations (server-rendered: there before any script runs) ...
        await expect.poll(() => inViewport(intro.locator(`a[href="${link}"]`).first()), { ...soon, message: `${operationId} in the introduction` }).toBe(true);
        // ... and the first tag's own list of operations, with method and path, both on the first screen.
        const entry = actions.locator(`a[href$="${link.slice(1)}"]`).filter({ hasText: path.replace(/^\/v[0-9.]+\/\{project_id\}/, '') }).first();
        await expect.poll(() => inViewport(entry), { ...soon, message: `${operationId} in the Server actions panel` }).toBe(true);
      }
      // The introduction links every operation (spec/info.md is written by hand: this keeps it whole).
      for (const { operationId, link } of documented) {
        expect(await intro.locator(`a[href="${link}"]`).count(), `${operationId} linked from the introduction`).toBeGreaterThan(0);
      }
      // The search box says "Loading..." until Redoc has indexed the page, then offers itself.
      const search = plain.getByTestId('search-trigger');
      await expect.poll(() => search.innerText(), soon).toMatch(/^Search/);
      expect(await inViewport(search)).toBe(true);
      // The title carries the package's version (info.version).
      expect(await plain.locator('h1').first().innerText()).toContain(`(${packageVersion})`);
      await plain.screenshot({ path: join(shots, 'opened-plainly.png') });
      await plain.close();
    });

    it.each(documented)('open $operationId directly at its link ($link)', budget, async ({ summary, link }) => {
      const direct = await freshPage();
      await direct.goto(`${docsUrl}${link}`, { waitUntil: 'load' });
      const section = direct.locator(`[data-section-id="${link.slice(1)}"]`);
      const title = section.locator('h2').first();
      await expect.poll(() => title.isVisible(), soon).toBe(true);
      expect(await title.innerText()).toMatch(new RegExp(`^${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      // The link Redoc itself offers for the operation is this one: it is the stable link.
      expect(await title.locator('a[aria-label^="link to"]').getAttribute('href')).toBe(link);
      await expect.poll(() => inViewport(title), soon).toBe(true);
      await direct.screenshot({ path: join(shots, `${link.slice(2).replace(/\//g, '_')}.png`) });
      await direct.close();
    });

    it.each([
      { name: 'stop-workflow', section: '/server-actions', alt: /^Sequence diagram of the stop workflow/ },
      { name: 'batch-stop', section: '/server-actions/batchstopservers', alt: /^Sequence diagram of the batch stop/ },
    ])('show the $name diagram, embedded, loaded offline', budget, async ({ name, section, alt }) => {
      await page.goto(`${docsUrl}#${section}`, { waitUntil: 'load' });
      const diagram = page.locator(`[data-section-id="${section}"] img[src^="data:image/svg+xml;base64,"]`);
      await expect.poll(() => diagram.count(), soon).toBe(1);
      await diagram.scrollIntoViewIfNeeded(soon);
      await expect
        .poll(() => diagram.evaluate((element) => {
          const img = element as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
          return img.complete && img.naturalWidth > 0 && img.naturalHeight > 0;
        }), soon)
        .toBe(true);
      expect(await diagram.getAttribute('alt')).toMatch(alt);
      // The page embeds the committed SVG itself (npm run diagram, then npm run bundle, keep them equal).
      const src = String(await diagram.getAttribute('src'));
      expect(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64').toString('utf8')).toBe(readFileSync(diagramFile(name), 'utf8'));
    });

    it('show both stop operations with their paths, deprecated by Huawei', budget, async () => {
      for (const [anchor, title, path] of [
        ['stopserverv2', 'Stop a server (v2)', '/v2/{project_id}/servers/{server_id}/action'],
        ['stopserverv21', 'Stop a server (v2.1)', '/v2.1/{project_id}/servers/{server_id}/action'],
      ] as const) {
        await openOperation(anchor);
        await expect.poll(() => heading(title).isVisible(), soon).toBe(true);
        const section = page.locator(`[data-section-id="/server-actions/${anchor}"]`);
        await expect.poll(() => section.innerText(), soon).toContain(path);
        // Redoc's "Deprecated" badge comes with one saying whose API it is, and the description opens by saying so.
        expect(await heading(title).innerText()).toMatch(/Huawei API\s*Deprecated/i);
        expect(await section.innerText()).toContain('Deprecated by Huawei, not by this package');
      }
    });

    it('show the three accepted body shapes', budget, async () => {
      await openOperation('stopserverv21');
      const samples = page.locator('[data-section-id="/server-actions/stopserverv21"]').locator('text=Payload').locator('xpath=ancestor::*[.//pre or .//code][1]');
      const shown = async () => (await samples.first().innerText()).replace(/\s+/g, '');
      await expect.poll(shown, soon).toContain('"os-stop":{}');
      expect(await shown()).not.toContain('"type":"HARD"');
      for (const [option, json] of [
        ["Nova's sample, as OpenStack clients send it", '"os-stop":null'],
        ['Graceful stop', '"type":"SOFT"'],
        ['Forced stop', '"type":"HARD"'],
      ] as const) {
        await samples.first().getByText("Huawei's example", { exact: false }).or(samples.first().locator('[role=combobox], button').filter({ hasText: /example|sample|stop/i })).first().click();
        await page.getByText(option, { exact: true }).last().click();
        await expect.poll(shown, { ...soon, message: option }).toContain(json);
      }
    });

    it('show the error examples', budget, async () => {
      await openOperation('stopserverv21');
      const bodyText = () => page.locator('body').innerText();
      // Each fragment is only in an example, so it shows only once its tab is chosen.
      for (const [status, fragment] of [
        ['404', 'could not be found'],
        ['409', 'while it is in vm_state stopped'],
        ['401', 'verify aksk signature fail'],
        ['406', 'Version 2.200 is not supported'],
        ['429', 'throttling threshold'],
      ] as const) {
        expect(await bodyText()).not.toContain(fragment);
        await page.getByRole('tab', { name: status, exact: true }).last().click();
        await expect.poll(bodyText, { ...soon, message: `${status} sample` }).toContain(fragment);
      }
      await page.getByRole('tab', { name: '404', exact: true }).last().click();
      await page.getByText('Unknown server (Nova)', { exact: true }).last().click();
      await page.getByText('Unknown server (ECS)', { exact: true }).last().click();
      await expect.poll(bodyText, soon).toContain('The ECS does not exist.');
    });

    it('show server descriptions as the plain text they are rendered as (no Markdown backticks)', budget, async () => {
      const plain = await freshPage();
      await plain.goto(docsUrl, { waitUntil: 'load' });
      const servers = plain.getByTestId('panel-servers');
      await servers.getByText(/^Show \d+ variables?$/).first().click(soon);
      await expect.poll(() => servers.innerText(), soon).toContain('Huawei Cloud region ID');
      expect(await servers.innerText()).not.toContain('`');
      await plain.close();
    });

    it('load nothing from the network but the optional logo', budget, async () => {
      // Loads the page itself, so that it holds when run alone too.
      await openOperation('stopserverv21');
      await expect.poll(() => heading('Stop a server (v2.1)').isVisible(), soon).toBe(true);
      expect(pageErrors).toEqual([]);
      expect(outsideRequests.filter((url) => !url.startsWith('https://cdn.redoc.ly/redoc/logo-'))).toEqual([]);
    });
  });
});
