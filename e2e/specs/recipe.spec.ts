// Build a recipe beside the data, watch the live preview, apply it as a new version with its parent, and reuse it.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

test('penguins: fill-median, one-hot, formula → preview → new version → export and reuse on iris', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  const panel = page.getByTestId('recipe-panel');

  await panel.getByTestId('step-kind').selectOption('fill_missing');
  await panel.getByTestId('step-column').selectOption('bill_length_mm');
  await panel.getByTestId('step-strategy').selectOption('median');
  await panel.getByTestId('step-add').click();
  await panel.getByTestId('step-kind').selectOption('one_hot');
  await panel.getByTestId('step-column').selectOption('island');
  await panel.getByTestId('step-add').click();
  await panel.getByTestId('step-kind').selectOption('formula_column');
  await panel.getByTestId('step-name').fill('bill_ratio');
  await panel.getByTestId('step-expression').fill('bill_length_mm / bill_depth_mm');
  await panel.getByTestId('step-add').click();
  await expect(panel.getByTestId('recipe-step')).toHaveCount(3);

  // The live preview shows the encoded and computed columns.
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=island_Biscoe]')).toBeVisible();
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=bill_ratio]')).toContainText('float');
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=island]')).toHaveCount(0);

  // A broken formula is reported with its position, and undo takes it back.
  await panel.getByTestId('step-kind').selectOption('formula_column');
  await panel.getByTestId('step-name').fill('oops');
  await panel.getByTestId('step-expression').fill('bill_lenght_mm * 2');
  await panel.getByTestId('step-add').click();
  await expect(panel.getByTestId('recipe-error')).toContainText('bill_lenght_mm');
  await expect(panel.getByTestId('recipe-error')).toContainText('bill_length_mm');
  await panel.getByTestId('recipe-undo').click();
  await expect(panel.getByTestId('recipe-step')).toHaveCount(3);
  await expect(panel.getByTestId('recipe-error')).toHaveCount(0);

  await panel.getByTestId('apply-name').fill('penguins clean');
  await panel.getByTestId('recipe-apply').click();
  const child = data.row('penguins clean');
  await expect(child).toHaveCount(1);
  await expect(child.getByTestId('dataset-parent')).toHaveText('from penguins');
  await expect(child.getByTestId('dataset-rows')).toHaveText('344');
  await expect(child.getByTestId('dataset-cols')).toHaveText('11');

  await page.reload();
  await expect(data.row('penguins clean').getByTestId('dataset-parent')).toHaveText('from penguins');
  await data.row('penguins').click();
  await expect(page.getByTestId('recipe-step')).toHaveCount(3);

  // Export the recipe as JSON, then reuse it on iris: its columns are not there, and the message says which.
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('recipe-export').click();
  const download = await downloadPromise;
  const saved = testInfo.outputPath('recipe.json');
  await download.saveAs(saved);
  const json = JSON.parse(fs.readFileSync(saved, 'utf8'));
  expect(json.steps.map((s: { op: string }) => s.op)).toEqual(['fill_missing', 'one_hot', 'formula_column']);

  await page.getByTestId('sample-iris').click();
  await data.row('iris').click();
  await page.getByTestId('recipe-import').setInputFiles(saved);
  await expect(page.getByTestId('recipe-step')).toHaveCount(3);
  await expect(page.getByTestId('recipe-error')).toContainText('bill_length_mm');
  await expect(page.getByTestId('recipe-error')).toContainText('not found');

  // A recipe from a newer studio is refused by name.
  const newer = testInfo.outputPath('newer.json');
  fs.writeFileSync(newer, JSON.stringify({ ...json, schema_version: 99 }));
  await page.getByTestId('recipe-import').setInputFiles(newer);
  await expect(page.getByTestId('recipe-form-error')).toContainText('newer.json');
  expect(problems).toEqual([]);
});
