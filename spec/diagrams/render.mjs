#!/usr/bin/env node
/**
 * `npm run diagram`: renders every Mermaid source in spec/diagrams (NAME.mmd) to NAME.svg, offline,
 * with the `mermaid` package's browser bundle in Debian's chromium (playwright-core; CHROMIUM_PATH
 * overrides /usr/bin/chromium), then embeds each SVG where the spec shows it.
 *
 * The docs page is one offline HTML file, so the spec's Markdown shows a diagram as an <img> whose
 * src is a data: URI (an HTML tag: Redoc's Markdown, like markdown-it's, refuses data: URIs of SVG in
 * Markdown's own image syntax). To place one, write `<img alt="..." src="../diagrams/NAME.svg">` in
 * a Markdown file under spec/ and run this script: it turns that path into the data: URI, and on
 * later runs replaces any data: URI whose SVG is NAME's (mermaid gives the <svg> the id NAME).
 * Then run `npm run bundle`. The README shows the .svg file itself.
 *
 * With `--check`: writes nothing, fails when an SVG or an embedded copy differs from a fresh render.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const specDir = dirname(here);
const mermaidBundle = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const check = process.argv.includes('--check');
const stale = [];

// DejaVu Sans (what Debian's chromium measures with) and Verdana have close metrics, so the boxes
// the layout computes here also fit the text where the SVG is viewed with Verdana.
const config = {
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'neutral',
  fontFamily: 'Verdana, "DejaVu Sans", "Bitstream Vera Sans", sans-serif',
  sequence: { useMaxWidth: false, diagramMarginX: 8, diagramMarginY: 8, mirrorActors: false, showSequenceNumbers: false, wrap: false },
};

const sources = readdirSync(here).filter((file) => file.endsWith('.mmd')).sort();
const rendered = new Map();

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ offline: true });
  const outside = [];
  await context.route('**/*', (route) => {
    outside.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ content: readFileSync(mermaidBundle, 'utf8') });
  for (const file of sources) {
    const name = basename(file, '.mmd');
    const source = readFileSync(join(here, file), 'utf8');
    const svg = await page.evaluate(
      async ({ name, source, config }) => {
        const { mermaid } = globalThis;
        mermaid.initialize(config);
        return (await mermaid.render(name, source)).svg;
      },
      { name, source, config },
    );
    rendered.set(name, standalone(svg, name));
  }
  if (pageErrors.length || outside.length) {
    throw new Error(`rendering failed: ${[...pageErrors, ...outside.map((url) => `network request to ${url}`)].join('; ')}`);
  }
} finally {
  await browser.close();
}

for (const [name, svg] of rendered) {
  update(join(here, `${name}.svg`), svg, `${Buffer.byteLength(svg)} bytes`);
}

for (const file of markdownFiles(specDir)) {
  const before = readFileSync(file, 'utf8');
  const after = before.replace(/(<img\s[^>]*\bsrc=")([^"]+)/g, (match, head, target) => {
    const name = diagramName(target);
    const svg = name && rendered.get(name);
    return svg ? `${head}data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` : match;
  });
  if (after !== before) update(file, after, 'diagram embedded (run npm run bundle)');
}

if (stale.length) {
  console.error(`stale, run npm run diagram: ${stale.join(', ')}`);
  process.exitCode = 1;
}

function update(file, text, what) {
  const name = relative(process.cwd(), file);
  let current;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return;
  if (check) stale.push(name);
  else {
    writeFileSync(file, text);
    console.log(`${name}: ${what}`);
  }
}

/** The diagram an image target shows: a path to NAME.svg, or a data: URI of an SVG with id NAME. */
function diagramName(target) {
  const prefix = 'data:image/svg+xml;base64,';
  if (target.startsWith(prefix)) {
    const svg = Buffer.from(target.slice(prefix.length), 'base64').toString('utf8');
    return /^<svg[^>]*\sid="([^"]+)"/.exec(svg)?.[1];
  }
  return /(?:^|\/)([\w-]+)\.svg$/.exec(target)?.[1];
}

/** Mermaid's SVG as a file: a fixed size in pixels (not 100 %), so that an <img> sizes itself. */
function standalone(svg, name) {
  const viewBox = /viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"/.exec(svg);
  if (!viewBox || !svg.startsWith(`<svg id="${name}"`)) throw new Error(`unexpected SVG from mermaid for ${name}`);
  const [width, height] = [viewBox[3], viewBox[4]].map((n) => Math.ceil(Number(n)));
  const root = svg.slice(0, svg.indexOf('>') + 1);
  const sized = root
    .replace(/\swidth="[^"]*"/, '')
    .replace(/\sheight="[^"]*"/, '')
    .replace(/\sstyle="[^"]*"/, '')
    .replace(/^<svg/, `<svg width="${width}" height="${height}"`);
  return `${sized}${svg.slice(root.length)}\n`;
}

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}
