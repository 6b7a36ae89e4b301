// Profile a dataset in a worker: statistics, histograms and data quality insights, with and without a target.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

test('penguins profile shows missing counts, histograms and insights about species', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();

  await page.getByTestId('profile-run').click();
  await expect(page.getByTestId('profile-summary')).toContainText('344 rows × 8 columns');
  const bill = page.locator('[data-testid=profile-column][data-column=bill_length_mm]');
  await expect(bill.getByTestId('profile-missing')).toHaveText('2');
  await expect(bill.getByTestId('histogram').locator('rect')).toHaveCount(20);
  await expect(page.locator('[data-testid=profile-column][data-column=sex]').getByTestId('profile-missing')).toHaveText('11');
  await expect(page.getByTestId('insight').filter({ hasText: 'sex' }).first()).toBeVisible();

  await page.getByTestId('profile-target').selectOption('species');
  await page.getByTestId('profile-run').click();
  await expect(page.getByTestId('target-summary')).toContainText('species');
  await expect(page.getByTestId('feature-power').first()).toBeVisible();
  expect(await page.getByTestId('feature-power').count()).toBe(7);
  expect(problems).toEqual([]);
});

test('a target gets a quick model: its score beside a dummy baseline, and column impact', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  await page.getByTestId('profile-target').selectOption('species');
  await page.getByTestId('profile-run').click();
  const quick = page.getByTestId('quick-model');
  await expect(quick).toContainText('histogram gradient boosting');
  await expect(quick).toContainText('on 68 held-out rows (trained on 276); a dummy model scores 0.333');
  expect(Number(await quick.getByTestId('quick-model-score').innerText())).toBeGreaterThan(0.9);
  await expect(quick.getByTestId('quick-model-feature')).toHaveCount(7);
  expect(problems).toEqual([]);
});
