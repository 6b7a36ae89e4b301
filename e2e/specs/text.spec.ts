// Text classification from the UI: a free-text column is read by TF-IDF models, the model page
// shows the top words per class, a typed text is predicted as you type, a CSV of texts is
// predicted in batch, and the model is still there after a reload.
import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

// The same two texts the engine's own test (compute/tests/automl_text.rs) predicts.
const SPAM_TEXT = 'Congratulations! You have been selected to receive a FREE offer. Click here to order now and save money, limited time only, remove me from this list';
const HAM_TEXT = 'Thanks for the patch. I applied it to the CVS tree and rebuilt the kernel module on my Red Hat box; the mailing list thread has the details if anyone wants to test';

async function typeText(page: Page, text: string) {
  const input = page.locator('[data-testid=whatif-input][data-column=text]');
  await input.fill(text);
  await input.dispatchEvent('change');
}

test('spam_assassin: free text read by TF-IDF models, top words per class, typed text predicted, batch, reload', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await data.importFile(path.join(DATASETS, 'text/spam_assassin.csv'));
  await expect(data.row('spam_assassin')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('nav-build').click();
  const dataset = page.getByTestId('build-dataset');
  const label = await dataset.locator('option', { hasText: 'spam_assassin (' }).first().innerText();
  await dataset.selectOption({ label });
  await expect(page.getByTestId('build-column').first()).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('build-target').selectOption('label');
  await expect(page.getByTestId('build-detected')).toHaveText('Detected: binary classification (2 classes).');
  // The emails are free text: kept as a feature (not ID-like), tagged, read by text models.
  const column = page.locator('[data-testid=build-column][data-column=text]');
  await expect(column.getByTestId('free-text')).toBeVisible();
  await expect(column.getByTestId('id-like')).toHaveCount(0);
  await expect(column.locator('input[type=checkbox]')).toBeChecked();

  await page.getByTestId('build-name').fill('spam filter');
  await page.getByTestId('build-train').click();
  await expect(page.getByTestId('model-title')).toHaveText('spam filter', { timeout: 240_000 });
  await expect(page.getByTestId('train-job')).toHaveCount(0);
  await expect(page.getByTestId('model-summary')).toContainText('by tfidf_');
  const accuracy = Number(await page.locator('[data-testid=metric-row][data-metric=accuracy]').getByTestId('metric-model').innerText());
  expect(accuracy).toBeGreaterThan(0.95);
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.locator('[data-testid=impact-bar][data-column=text]')).toBeVisible();

  // Top words: each class has its own.
  await expect(page.getByTestId('top-words-class')).toHaveCount(2);
  const spamWords = page.locator('[data-testid=top-words-class][data-class=spam]').getByTestId('top-word');
  expect(await spamWords.count()).toBeGreaterThanOrEqual(5);
  const hamWords = await page.locator('[data-testid=top-words-class][data-class=ham]').getByTestId('top-word').allInnerTexts();
  expect(hamWords).not.toEqual(await spamWords.allInnerTexts());

  // What if: a typed text is predicted, and another text changes the answer.
  await expect(page.locator('[data-testid=whatif-input][data-column=text]')).toHaveJSProperty('tagName', 'TEXTAREA');
  await typeText(page, SPAM_TEXT);
  await expect(page.getByTestId('whatif-prediction')).toHaveText('spam');
  await typeText(page, HAM_TEXT);
  await expect(page.getByTestId('whatif-prediction')).toHaveText('ham');
  await expect(page.locator('[data-testid=whatif-proba][data-class=spam]')).toBeVisible();

  // Batch: a CSV of texts comes back with one prediction per row.
  const texts = testInfo.outputPath('emails.csv');
  fs.writeFileSync(texts, `text\n"${SPAM_TEXT}"\n"${HAM_TEXT}"\n"${SPAM_TEXT.toUpperCase()}"\n`);
  const download = page.waitForEvent('download');
  await page.getByTestId('batch-input').setInputFiles(texts);
  const lines = fs.readFileSync((await (await download).path())!, 'utf8').trimEnd().split('\n');
  await expect(page.getByTestId('batch-done')).toBeVisible();
  expect(lines).toHaveLength(4);
  expect(lines[0]).toBe('text,prediction,proba_ham,proba_spam');
  expect(lines[1]).toContain(',spam,');
  expect(lines[2]).toContain(',ham,');

  await page.reload();
  await expect(page.getByTestId('model-row')).toHaveCount(1);
  await page.getByTestId('model-row').first().click();
  await expect(page.getByTestId('top-words-class')).toHaveCount(2);
  expect(problems).toEqual([]);
});
