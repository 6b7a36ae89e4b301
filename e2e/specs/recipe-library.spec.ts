// Edit a step in place, keep recipes in a named library that survives a reload, and reuse one on another dataset.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

test('edit a step in place, save the recipe by name, load it on another dataset after a reload', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  const panel = page.getByTestId('recipe-panel');

  await panel.getByTestId('step-kind').selectOption('formula_column');
  await panel.getByTestId('step-name').fill('ratio');
  await panel.getByTestId('step-expression').fill('bill_length_mm / bill_depth_mm');
  await panel.getByTestId('step-add').click();
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=ratio]')).toBeVisible();

  // Edit it in place: a broken edit is refused with a message, a good one replaces the step.
  await panel.getByTestId('step-edit').click();
  await panel.getByTestId('step-edit-json').fill('{"op": "formula_column", "name": "ratio"');
  await panel.getByTestId('step-edit-save').click();
  await expect(panel.getByTestId('step-edit-error')).toContainText('step 1: not a valid step');
  await panel.getByTestId('step-edit-json').fill('{"op": "formula_column", "name": "depth_ratio", "expression": "bill_depth_mm / bill_length_mm"}');
  await panel.getByTestId('step-edit-save').click();
  await expect(panel.getByTestId('recipe-step')).toHaveCount(1);
  await expect(panel.getByTestId('recipe-step')).toContainText('depth_ratio');
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=depth_ratio]')).toBeVisible();
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=ratio]')).toHaveCount(0);
  // The edit is one undoable change.
  await panel.getByTestId('recipe-undo').click();
  await expect(panel.getByTestId('recipe-step')).toContainText('"ratio"');
  await panel.getByTestId('recipe-redo').click();
  await expect(panel.getByTestId('recipe-step')).toContainText('depth_ratio');

  // Saving needs a name, and the message says so.
  await panel.getByTestId('recipe-save').click();
  await expect(panel.getByTestId('library-error')).toContainText('give the recipe a name');
  await panel.getByTestId('recipe-name').fill('bill shape');
  await panel.getByTestId('recipe-save').click();
  await expect(panel.getByTestId('saved-recipes').locator('option')).toHaveText(['— saved recipes —', 'bill shape (1 steps)']);
  await expect(panel.getByTestId('library-error')).toHaveCount(0);

  // After a reload the library is still there and the recipe loads on another dataset.
  await page.getByTestId('sample-iris').click();
  await expect(data.row('iris')).toHaveCount(1);
  await page.reload();
  await data.row('iris').click();
  const irisPanel = page.getByTestId('recipe-panel');
  await irisPanel.getByTestId('saved-recipes').selectOption('bill shape');
  await irisPanel.getByTestId('saved-load').click();
  await expect(irisPanel.getByTestId('recipe-step')).toHaveCount(1);
  await expect(irisPanel.getByTestId('recipe-error')).toContainText('bill_depth_mm');

  await irisPanel.getByTestId('saved-delete').click();
  await expect(irisPanel.getByTestId('saved-recipes').locator('option')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('join a lookup table and append rows; a key of another type is refused by name', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(__dirname, '../fixtures/join/islands.csv'));
  await expect(data.row('islands')).toHaveCount(1);
  await data.importFile(path.join(__dirname, '../fixtures/join/island_codes.csv'));
  await expect(data.row('island_codes')).toHaveCount(1);
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  const panel = page.getByTestId('recipe-panel');

  // Mismatched key types: a clear message, and nothing applied.
  await panel.getByTestId('step-kind').selectOption('join');
  await panel.getByTestId('step-other').selectOption({ label: 'island_codes' });
  await panel.getByTestId('step-on').fill('island');
  await panel.getByTestId('step-add').click();
  await expect(panel.getByTestId('recipe-error')).toContainText('island');
  await expect(panel.getByTestId('recipe-error')).toContainText('categorical on the left, integer on the right');
  await panel.getByTestId('recipe-undo').click();

  await panel.getByTestId('step-kind').selectOption('join');
  await panel.getByTestId('step-other').selectOption({ label: 'islands' });
  await panel.getByTestId('step-on').fill('island');
  await panel.getByTestId('step-how').selectOption('left');
  await panel.getByTestId('step-add').click();
  await expect(panel.locator('[data-testid=recipe-preview-column][data-column=area_km2]')).toBeVisible();

  await panel.getByTestId('step-kind').selectOption('concatenate');
  await panel.getByTestId('step-other').selectOption({ label: 'islands' });
  await panel.getByTestId('step-add').click();
  await expect(panel.getByTestId('recipe-preview-summary')).toContainText('200 rows in → 203 rows out');

  await panel.getByTestId('apply-name').fill('penguins with islands');
  await panel.getByTestId('recipe-apply').click();
  const child = data.row('penguins with islands');
  await expect(child.getByTestId('dataset-rows')).toHaveText('347');
  await expect(child.getByTestId('dataset-cols')).toHaveText('10');
  expect(problems).toEqual([]);
});
