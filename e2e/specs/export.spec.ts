// Export a dataset version as CSV or as an Arrow IPC file from the worker: the bytes arrive whole and formula-like
// text is defused in CSV.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DataPage, DATASETS } from './data-page';

test('penguins exports as CSV with every row', async ({ page }, testInfo) => {
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('penguins.csv');
  const saved = testInfo.outputPath('penguins.csv');
  await download.saveAs(saved);
  const lines = fs.readFileSync(saved, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year');
  expect(lines.length).toBe(345);
  expect(lines[1]).toBe('Adelie,Torgersen,39.1,18.7,181.0,3750.0,male,2007');
});

test('cells that a spreadsheet would run as formulas are escaped; numbers are not', async ({ page }, testInfo) => {
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(__dirname, '../fixtures/injection.csv'));
  await data.row('injection').click();
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const saved = testInfo.outputPath('injection.csv');
  await (await downloadPromise).saveAs(saved);
  const text = fs.readFileSync(saved, 'utf8');
  expect(text).toContain("alice,'=1+1,-3.5");
  expect(text).toContain("bob,'@SUM(A1),2.0");
  expect(text).toContain('carol,"plain, with comma",7.0');
});

test('penguins exports as an Arrow IPC file', async ({ page }, testInfo) => {
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-arrow').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('penguins.arrow');
  const saved = testInfo.outputPath('penguins.arrow');
  await download.saveAs(saved);
  const bytes = fs.readFileSync(saved);
  // The Arrow IPC file magic at both ends; the values are checked natively (compute/tests/export_arrow.rs).
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1');
  expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
  expect(bytes.toString('latin1')).toContain('Torgersen');
});
