import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/prism.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const docsFile = join(repoRoot, 'dist/docs/index.html');
const screenshotFile = join(repoRoot, 'dist/docs/screenshot.png');

if (!haveChromium && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! The rendered-docs test DID NOT RUN: no chromium at ${chromiumPath}.\n` +
      `!! Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.\n${'!'.repeat(78)}\n`,
  );
}

describe('rendered docs', () => {
  // In CI a missing browser fails every test here; elsewhere they are skipped, loudly.
  describe.runIf(haveChromium || process.env.CI)('in chromium, offline', () => {
    let browser: Browser;
    let page: Page;
    const outsideRequests: string[] = [];
    const pageErrors: string[] = [];

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
      const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 1000 } });
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        outsideRequests.push(url);
        return route.abort('internetdisconnected');
      });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    const heading = (title: string) => page.locator('h1, h2').filter({ hasText: title }).first();
    // Redoc renders a 2.5 MB page: give each step a budget no busy machine reaches (polls default to 1 s).
    const budget = { timeout: 120_000 };
    const soon = { timeout: 60_000 };

    async function openOperation(anchor: string) {
      await page.goto(`${pathToFileURL(docsFile).href}#/server-actions/${anchor}`);
    }

    it('show both operations with their paths', budget, async () => {
      await openOperation('stopserverv2');
      await expect.poll(() => heading('Stop a server (v2)').isVisible(), soon).toBe(true);
      await openOperation('stopserverv21');
      await expect.poll(() => heading('Stop a server (v2.1)').isVisible(), soon).toBe(true);
      const text = await page.locator('body').innerText();
      expect(text).toContain('/v2/{project_id}/servers/{server_id}/action');
      expect(text).toContain('/v2.1/{project_id}/servers/{server_id}/action');
      await page.screenshot({ path: screenshotFile });
    });

    it('show the three accepted body shapes', budget, async () => {
      await openOperation('stopserverv21');
      const samples = page.locator('text=Payload').locator('xpath=ancestor::*[.//pre or .//code][1]');
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

    it('load nothing from the network but the optional logo', budget, async () => {
      // Loads the page itself, so that it holds when run alone too.
      await openOperation('stopserverv21');
      await expect.poll(() => heading('Stop a server (v2.1)').isVisible(), soon).toBe(true);
      expect(pageErrors).toEqual([]);
      expect(outsideRequests.filter((url) => !url.startsWith('https://cdn.redoc.ly/redoc/logo-'))).toEqual([]);
    });
  });
});
