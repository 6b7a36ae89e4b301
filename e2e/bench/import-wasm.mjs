// Times one CSV import in the real studio (release build in dist/, the worker's wasm, headless Chromium).
// Prints one JSON line: {"secs": <worker read+parse seconds>, "n_rows": .., "n_cols": ..}.
// Usage: node e2e/bench/import-wasm.mjs FILE   (run from the workspace root after `cargo xtask build`)
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import path from 'node:path';

const file = path.resolve(process.argv[2]);
const port = 8093 + Math.floor(Math.random() * 500);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', 'dist'], {
  stdio: 'ignore',
});
try {
  await new Promise((resolve) => setTimeout(resolve, 700));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/#/data`);
  await page.getByTestId('dataset-list').waitFor();
  await page.getByTestId('file-input').setInputFiles(file);
  const done = page.getByTestId('import-done');
  await done.waitFor({ timeout: 300_000 });
  const secs = Number(await done.getAttribute('data-parse-secs'));
  const row = page.getByTestId('dataset-row').first();
  const n_rows = Number((await row.getByTestId('dataset-rows').innerText()).replaceAll(',', ''));
  const n_cols = Number(await row.getByTestId('dataset-cols').innerText());
  await browser.close();
  console.log(JSON.stringify({ secs, n_rows, n_cols }));
} finally {
  server.kill();
}
