// Shared helpers for parley's browser tests: Debian's Chromium through playwright-core, and the demo page's UI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * Launches headless Chromium with a fresh profile directory (removed by close()). Never downloads a browser:
 * a missing /usr/bin/chromium is an error naming the package to install.
 */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install chromium`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
}

/** Opens the demo page on `node` (the client's list: `nodes`) and signs in as `user`; resolves once connected. */
export async function openChat(context, node, nodes, user, query = '') {
  const page = await context.newPage();
  page.on('pageerror', e => console.log(`[${user}] page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') console.log(`[${user}] console: ${m.text()}`); });
  await page.goto(`${node}/?nodes=${nodes.join(',')}${query}`);
  await page.fill('#login-name', user);
  await page.click('#login-btn');
  await page.waitForSelector('#conn[data-state="connected"]', { timeout: 15000 });
  return page;
}

/** Types a message into the composer and presses Enter, as a person would. */
export async function type(page, text) {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
}

/** Waits until a message with this text is in the visible stream. */
export async function waitForText(page, text, timeout = 10000) {
  await page.waitForFunction(t => [...document.querySelectorAll('#messages .msg .text')]
    .some(n => n.textContent === t), text, { timeout });
}

/** Waits until the presence list shows exactly these users. */
export async function waitForPresence(page, users, timeout = 10000) {
  const want = [...users].sort().join(',');
  await page.waitForFunction(w => [...document.querySelectorAll('#presence-list li')]
    .map(li => li.dataset.user).join(',') === w, want, { timeout });
}

/** The visible room messages: [{seq, from, text}]. */
export async function messages(page) {
  return page.$$eval('#messages .msg', items => items.map(li => ({
    seq: li.dataset.seq ? Number(li.dataset.seq) : null,
    from: li.dataset.from,
    text: li.querySelector('.text').textContent
  })));
}

/** A check that throws with a readable message. */
export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}
