// Each real broken file gets a message naming the file and the row/column; nothing is stored, earlier data stays.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { DataPage, DATASETS, BROKEN } from './data-page';

const CASES: [file: string, fragment: string][] = [
  ['empty.csv', 'the file is empty'],
  ['header_only.csv', 'has a header row but no data rows'],
  ['ragged.csv', 'row 4: has 5 fields, expected 4'],
  ['ragged_short.csv', 'row 3: has 3 fields, expected 4'],
  ['latin1.csv', 'row 3, column "dish": not valid UTF-8'],
  ['image.csv', 'does not look like a text file (it starts like a PNG image)'],
  ['unterminated_quote.csv', 'a quoted field opened on row 3 is never closed'],
  ['duplicate_columns.csv', 'column name "x" appears twice (columns 2 and 4); rename one'],
];

test('broken files each show their message and store nothing', async ({ page }) => {
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'multiclass/penguins.csv'));
  await expect(data.row('penguins')).toHaveCount(1);

  for (const [file, fragment] of CASES) {
    await data.importFile(path.join(BROKEN, file));
    const error = page.getByTestId('import-job').or(page.locator('.job.failed')).filter({ hasText: file });
    await expect(error.getByTestId('import-error')).toContainText(fragment);
    await expect(error.getByTestId('import-error')).toContainText(file);
  }
  await expect(data.errors()).toHaveCount(CASES.length);
  await expect(data.rows()).toHaveCount(1);

  await page.reload();
  await expect(data.row('penguins').getByTestId('dataset-rows')).toHaveText('344');
  await expect(data.rows()).toHaveCount(1);
});
