// Import a real dataset through the file input, preview it, survive a reload, delete it.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

test('penguins: import, preview, reload, rename, delete', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();

  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  const row = data.row('penguins');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('dataset-rows')).toHaveText('344');
  await expect(row.getByTestId('dataset-cols')).toHaveText('8');

  // The preview shows each column's inferred type and missing count, and real rows.
  const bill = data.columnHeader('bill_length_mm');
  await expect(bill.getByTestId('column-type')).toHaveText('float');
  await expect(bill.getByTestId('column-missing')).toHaveText('2 missing');
  await expect(data.columnHeader('species').getByTestId('column-type')).toHaveText('categorical');
  await expect(page.getByTestId('preview-row').first()).toContainText('Adelie');
  await expect(page.getByTestId('preview-row').first()).toContainText('39.1');

  // Scrolling the virtualized grid fetches later rows.
  await page.getByTestId('preview-grid').evaluate((el) => (el.scrollTop = 300 * 28));
  await expect(page.getByTestId('preview-row').filter({ hasText: 'Chinstrap' }).first()).toBeVisible();

  await page.reload();
  await expect(data.row('penguins')).toHaveCount(1);
  await expect(data.row('penguins').getByTestId('dataset-rows')).toHaveText('344');

  // Rename, then reload: the new name stays.
  await data.row('penguins').getByTestId('rename').click();
  await page.getByTestId('rename-input').fill('Palmer penguins');
  await page.getByTestId('rename-save').click();
  await expect(data.row('Palmer penguins')).toHaveCount(1);
  await page.reload();
  await expect(data.row('Palmer penguins')).toHaveCount(1);

  // Delete asks first; keeping it keeps it, deleting removes it for good.
  await data.row('Palmer penguins').getByTestId('delete').click();
  await expect(page.getByTestId('delete-confirm')).toContainText('Palmer penguins');
  await page.getByTestId('delete-yes').click();
  await expect(data.rows()).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('no-datasets')).toBeVisible();

  expect(problems).toEqual([]);
});

test('a bundled sample loads with one click', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await page.getByTestId('sample-iris').click();
  await expect(data.row('iris').getByTestId('dataset-rows')).toHaveText('150');
  await expect(data.row('iris').getByTestId('dataset-cols')).toHaveText('5');
  expect(problems).toEqual([]);
});

test('areas not built yet say so plainly', async ({ page }) => {
  await page.goto('./#/data');
  for (const area of ['features', 'lineage', 'monitor']) {
    await page.getByTestId(`nav-${area}`).click();
    await expect(page.getByTestId('not-built')).toContainText('not built yet');
  }
  await page.getByTestId('nav-build').click();
  await expect(page.getByTestId('train-form')).toBeVisible();
  await page.getByTestId('nav-experiments').click();
  await expect(page.getByTestId('experiments-page')).toBeVisible();
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('dataset-list')).toBeVisible();
});
