// Charts where a person would rather look: box plots per numeric column, the correlation heatmap, a scatter of two columns.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

test('penguins: box plots, correlation heatmap, and a scatter plot from a heatmap cell', async ({ page }) => {
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await data.row('penguins').click();
  await page.getByTestId('profile-run').click();

  // One box plot per numeric column (bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, year).
  const bill = page.locator('[data-testid=profile-column][data-column=bill_length_mm]');
  await expect(bill.getByTestId('boxplot')).toBeVisible();
  await expect(bill.getByTestId('boxplot').locator('title')).toContainText('median 44.45');
  await expect(page.locator('[data-testid=profile-column][data-column=species]').getByTestId('boxplot')).toHaveCount(0);

  // The heatmap has a cell per pair of numeric columns, each titled with pandas' correlation.
  const heatmap = page.getByTestId('correlation-heatmap');
  await expect(heatmap).toBeVisible();
  await expect(heatmap.getByTestId('heatmap-cell')).toHaveCount(25);
  const cell = heatmap.locator('[data-testid=heatmap-cell][data-pair="flipper_length_mm|body_mass_g"]');
  await expect(cell.locator('title')).toHaveText('flipper_length_mm × body_mass_g: 0.871');

  // Clicking the cell plots that pair: the 342 rows where both are present.
  await cell.click();
  await expect(page.getByTestId('scatter-plot').getByTestId('scatter-point')).toHaveCount(342);
  await expect(page.getByTestId('scatter-caption')).toHaveText('342 of 342 rows with both values');
  await expect(page.getByTestId('scatter-x')).toHaveValue('flipper_length_mm');

  // Choosing the columns by hand works too.
  await page.getByTestId('scatter-x').selectOption('bill_length_mm');
  await page.getByTestId('scatter-y').selectOption('bill_depth_mm');
  await page.getByTestId('scatter-draw').click();
  await expect(page.getByTestId('scatter-plot').locator('text.axis-label').first()).toHaveText('bill_length_mm');
  await expect(page.getByTestId('scatter-plot').getByTestId('scatter-point')).toHaveCount(342);
  expect(problems).toEqual([]);
});
