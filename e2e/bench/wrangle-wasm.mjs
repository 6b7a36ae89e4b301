// Times a profile and a recipe in the real studio (release build in dist/, the worker's wasm, headless Chromium).
// Imports FILE, profiles it, imports RECIPE (JSON) into the recipe panel and applies it to every row.
// Prints one JSON line: {"profile_secs", "recipe_secs": the worker's compute seconds (profile + insights;
// fit + transform; loading and storing rows excluded), "n_rows", "n_cols", "out_rows", "out_cols"}.
// Usage: node e2e/bench/wrangle-wasm.mjs FILE RECIPE.json   (from the workspace root after `cargo xtask build`)
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import path from 'node:path';

const file = path.resolve(process.argv[2]);
const recipe = path.resolve(process.argv[3]);
const datasetName = path.basename(file).replace(/\.[^.]*$/, '');
const appliedName = `${datasetName} (bench)`;
const port = 8593 + Math.floor(Math.random() * 500);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', 'dist'], {
  stdio: 'ignore',
});
const number = async (locator) => Number((await locator.innerText()).replaceAll(',', ''));
try {
  await new Promise((resolve) => setTimeout(resolve, 700));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const row = (name) => page.getByTestId('dataset-row')
    .filter({ has: page.getByTestId('dataset-name').getByText(name, { exact: true }) });
  await page.goto(`http://127.0.0.1:${port}/#/data`);
  await page.getByTestId('dataset-list').waitFor();
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('import-done').waitFor({ timeout: 300_000 });
  const n_rows = await number(row(datasetName).getByTestId('dataset-rows'));
  const n_cols = await number(row(datasetName).getByTestId('dataset-cols'));
  await row(datasetName).click();

  await page.getByTestId('profile-run').click();
  const summary = page.getByTestId('profile-summary');
  await summary.waitFor({ timeout: 300_000 });
  const profile_secs = Number(await summary.getAttribute('data-compute-secs'));

  const panel = page.getByTestId('recipe-panel');
  await panel.getByTestId('recipe-import').setInputFiles(recipe);
  await panel.getByTestId('recipe-step').nth(4).waitFor({ timeout: 60_000 });
  await panel.getByTestId('apply-name').fill(appliedName);
  await panel.getByTestId('recipe-apply').click();
  const done = page.getByTestId('apply-done');
  await done.waitFor({ timeout: 300_000 });
  const recipe_secs = Number(await done.getAttribute('data-compute-secs'));
  await row(appliedName).waitFor({ timeout: 60_000 });
  const out_rows = await number(row(appliedName).getByTestId('dataset-rows'));
  const out_cols = await number(row(appliedName).getByTestId('dataset-cols'));
  await browser.close();
  console.log(JSON.stringify({ profile_secs, recipe_secs, n_rows, n_cols, out_rows, out_cols }));
} finally {
  server.kill();
}
