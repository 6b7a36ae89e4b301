// After one visit the studio opens with the network off, with its stored datasets.
import { test, expect } from '@playwright/test';
import { DataPage } from './data-page';

test('works offline after the first visit', async ({ page, context }) => {
  const data = new DataPage(page);
  await data.open();
  await page.getByTestId('sample-penguins').click();
  await expect(data.row('penguins').getByTestId('dataset-rows')).toHaveText('344');
  // Wait until the service worker controls the page, then load once more so every asset is cached.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect(page.evaluate(() => navigator.serviceWorker.controller !== null)).resolves.toBe(true);
  await expect(data.row('penguins')).toHaveCount(1);

  await context.setOffline(true);
  await page.reload();
  await expect(data.row('penguins').getByTestId('dataset-rows')).toHaveText('344');
  await data.row('penguins').click();
  await expect(page.getByTestId('preview-row').first()).toContainText('Adelie');
  await context.setOffline(false);
});
