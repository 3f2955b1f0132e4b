// Drives headless Chromium over a generated report and a running viewer; prints one JSON object of findings for
// BrowserTest to assert on, and saves screenshots.
// Usage: node browser-check.cjs REPORT_HTML VIEWER_URL SHOTS_DIR PROFILE_DIR GROWN_REPORT_HTML
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');
const [reportFile, viewer, shots, profile, grownFile] = process.argv.slice(2);

async function main() {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const out = { report: {}, viewer: {} };
  try {
    const page = await context.newPage();
    const foreign = [], errors = [];
    page.on('request', (r) => { const u = r.url(); if (!u.startsWith('file:') && !u.startsWith('data:')) foreign.push(u); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('file://' + reportFile);
    await page.screenshot({ path: path.join(shots, 'report-top.png') });
    await page.screenshot({ path: path.join(shots, 'report-full.png'), fullPage: true });

    // Charts: every inline SVG must have a real size and real content.
    out.report.charts = await page.$$eval('.chart svg', (svgs) => svgs.map((s) => {
      const b = s.getBoundingClientRect();
      return { id: s.id, width: Math.round(b.width), height: Math.round(b.height),
        shapes: s.querySelectorAll('path, line, rect, polyline, polygon, circle, ellipse').length,
        texts: s.querySelectorAll('text').length };
    }));
    for (const id of ['card', 'metrics', 'questions', 'training', 'rotation', 'steering', 'probes', 'detectors', 'samples', 'missing']) {
      const el = await page.$('#' + id);
      if (el) await el.screenshot({ path: path.join(shots, 'report-' + id + '.png') });
    }

    // Hostile model output stays text.
    out.report.pwned = await page.evaluate(() => window.__pwned === undefined ? null : window.__pwned);
    out.report.hostileAsText = await page.evaluate(() => Array.from(document.querySelectorAll('.msg.assistant'))
      .some((m) => m.textContent.includes('<script>window.__pwned = 1</script>')));

    // The sample browser: filter, then click a sample and read it in the pane.
    const browser = page.locator('#sample-browser');
    out.report.countAll = await browser.locator('.count').textContent();
    await browser.locator('select[name=set]').selectOption('em');
    await browser.locator('select[name=q]').selectOption('quick_buck');
    await browser.locator('input[name=mis]').check();
    out.report.countFiltered = await browser.locator('.count').textContent();
    out.report.visibleRows = await browser.locator('.srow:visible').count();
    out.report.visibleNonMatching = await page.$$eval('.srow', (rs) => rs.filter((r) => !r.hidden
      && (r.dataset.q !== 'quick_buck' || r.dataset.mis !== '1' || r.dataset.set !== 'em')).length);
    const first = browser.locator('.srow:visible').first();
    const target = await first.getAttribute('data-target');
    await first.click();
    const shown = page.locator('#' + target);
    out.report.clickedVisible = await shown.isVisible();
    out.report.clickedText = (await shown.textContent()).slice(0, 400);
    out.report.panesVisible = await page.$$eval('.pane article.sample', (as) => as.filter((a) => !a.hidden).length);
    await page.locator('#samples').screenshot({ path: path.join(shots, 'report-samples.png') });
    await browser.locator('input[name=text]').fill('zzz-no-such-text');
    out.report.countNoText = await browser.locator('.count').textContent();
    out.report.foreignRequests = foreign;
    out.report.errors = errors;

    // A run as agar run leaves it: charts for what it measured, a visible "not measured" box for the rest.
    const g = await context.newPage();
    const gerrors = [];
    g.on('pageerror', (e) => gerrors.push(String(e)));
    g.on('request', (r) => { const u = r.url(); if (!u.startsWith('file:') && !u.startsWith('data:')) gerrors.push('fetch ' + u); });
    await g.goto('file://' + grownFile);
    await g.screenshot({ path: path.join(shots, 'grown-top.png') });
    out.grown = {};
    out.grown.sections = await g.$$eval('section.panel', (ss) => ss.map((s) => s.id));
    out.grown.notMeasured = await g.$$eval('section.panel', (ss) => ss.filter((s) => {
      const box = s.querySelector('.not-measured');
      return box && box.getBoundingClientRect().height > 20;
    }).map((s) => s.id));
    out.grown.charts = await g.$$eval('.chart svg', (svgs) => svgs.map((s) => s.querySelectorAll('path, line, rect').length));
    out.grown.recipeYaml = await g.$eval('#card pre.yaml', (p) => p.textContent);
    out.grown.comparisonP = await g.$eval('#card td.sig', (td) => td.textContent);
    // The pane shows the first sample before any click, so the page never opens on an empty box.
    out.grown.paneShown = await g.$$eval('.pane article.sample', (as) => as.filter((a) => !a.hidden).length);
    for (const id of ['card', 'training', 'rotation', 'samples']) {
      const el = await g.$('#' + id);
      if (el) await el.screenshot({ path: path.join(shots, 'grown-' + id + '.png') });
    }
    out.grown.errors = gerrors;

    // The viewer.
    const v = await context.newPage();
    const verrors = [];
    v.on('pageerror', (e) => verrors.push(String(e)));
    let resp = await v.goto(viewer);
    out.viewer.indexStatus = resp.status();
    out.viewer.runs = await v.locator('table.runs tbody tr').count();
    await v.screenshot({ path: path.join(shots, 'viewer-index.png'), fullPage: true });
    const boxes = v.locator('input[name=run]');
    for (let i = 0; i < await boxes.count(); i++) await boxes.nth(i).check();
    await Promise.all([v.waitForNavigation(), v.locator('button[type=submit]').click()]);
    out.viewer.compareUrl = v.url();
    out.viewer.compareCards = await v.locator('.cards > section').count();
    await v.screenshot({ path: path.join(shots, 'viewer-compare.png'), fullPage: true });

    await v.goto(viewer);
    await Promise.all([v.waitForNavigation(), v.locator('td.actions a', { hasText: 'samples' }).first().click()]);
    await v.locator('select[name=q]').selectOption('quick_buck');
    await v.locator('select[name=n]').selectOption('3');
    await v.locator('input[name=mis]').check();
    await Promise.all([v.waitForNavigation(), v.locator('form.filters button').click()]);
    out.viewer.samplesUrl = v.url();
    out.viewer.sideColumns = await v.locator('.side-by-side > .side-head').count();
    out.viewer.samplesShown = await v.locator('article.sample').count();
    out.viewer.organismShown = await v.locator('article.sample.organism').count();
    out.viewer.organismMisaligned = await v.locator('article.sample.organism .pill.bad', { hasText: 'misaligned' }).count();
    // Pairs share a row: the organism's first answer and the control's first answer start at the same height.
    out.viewer.pairAligned = await v.evaluate(() => {
      const cells = document.querySelectorAll('.side-by-side > .side-cell');
      if (cells.length < 2) return false;
      const a = cells[0].getBoundingClientRect(), b = cells[1].getBoundingClientRect();
      return Math.abs(a.top - b.top) < 1 && a.left < b.left && cells[0].querySelector('article.organism') !== null
        && cells[1].querySelector('article.control') !== null;
    });
    await v.screenshot({ path: path.join(shots, 'viewer-samples.png'), fullPage: true });

    await v.goto(viewer);
    await Promise.all([v.waitForNavigation(), v.locator('td.name a').first().click()]);
    out.viewer.reportSvgs = await v.locator('.chart svg').count();
    out.viewer.reportTitle = await v.title();

    // Traversal attempts as a browser would send them (it normalises a literal "..", so the encoded forms matter).
    out.viewer.traversal = {};
    for (const t of ['files/%2e%2e/secret.txt', 'files/..%2fsecret.txt', 'files/%252e%252e%252fsecret.txt', 'run/..%2F..%2Fsecret.txt/report',
      'files/em-medical-r1/escape/secret.txt']) {
      resp = await v.goto(viewer + t);
      out.viewer.traversal[t] = { status: resp.status(), leaked: (await v.content()).includes('TOP-SECRET') };
    }
    await v.goto(viewer + 'files/%2e%2e/secret.txt');
    await v.screenshot({ path: path.join(shots, 'viewer-400.png') });
    out.viewer.errors = verrors;
  } finally {
    await context.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(2); });
