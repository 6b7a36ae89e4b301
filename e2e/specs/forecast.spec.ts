// Forecasting from the UI: a monthly series is forecast with a chart of its history, forecast and
// P10–P90 band, a backtest leaderboard and its runs; a what-if on a future covariate changes a
// boosting forecast; bad input (a horizon longer than the history, a duplicate timestamp) gets a
// message naming it; the forecast models are still there after a reload.
import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DataPage, DATASETS, watchConsole } from './data-page';

async function chooseDataset(page: Page, name: string) {
  const dataset = page.getByTestId('forecast-dataset');
  const label = await dataset.locator('option', { hasText: `${name} (` }).first().innerText();
  await dataset.selectOption({ label });
}

async function importAndOpenForecast(page: Page, data: DataPage, file: string, name: string) {
  await data.importFile(file);
  await expect(data.row(name)).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('nav-forecast').click();
  await chooseDataset(page, name);
}

test('air_passengers: forecast chart with interval band, backtest leaderboard, runs, reload', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  await importAndOpenForecast(page, data, path.join(DATASETS, 'timeseries/air_passengers.csv'), 'air_passengers');
  // The date column and the number are chosen for the user.
  await expect(page.getByTestId('forecast-time')).toHaveValue('month');
  await expect(page.getByTestId('forecast-target')).toHaveValue('passengers');
  // The shared split's horizon: the last 20% (29 months).
  await page.getByTestId('forecast-horizon').fill('29');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-title')).toHaveText('passengers from air_passengers', { timeout: 120_000 });
  await expect(page.getByTestId('forecast-job')).toHaveCount(0);

  await expect(page.getByTestId('forecast-summary')).toContainText('monthly series · 144 points · season length 12');
  const chart = page.getByTestId('forecast-chart');
  await expect(chart).toBeVisible();
  await expect(chart.getByTestId('forecast-point')).toHaveCount(29);
  // The band is a closed ring of 29 upper and 29 lower corners.
  const band = await chart.getByTestId('forecast-band').getAttribute('d');
  expect(band).toMatch(/Z$/);
  expect((band ?? '').split(/[ML]/).filter((s) => s.trim()).length).toBe(58);
  expect(await chart.getByTestId('forecast-history').getAttribute('d')).toBeTruthy();
  // The forecast table (folded away until opened): P10 < P50 < P90.
  await page.getByText('Forecast table').click();
  const rows = page.getByTestId('forecast-table-row');
  await expect(rows).toHaveCount(29);
  const last = (await rows.last().locator('td').allInnerTexts()).map((t, i) => (i === 0 ? t : Number(t)));
  // 29 months after the last one (1960-12).
  expect(last[0]).toBe('1963-05-01');
  await expect(rows.first().locator('td').first()).toHaveText('1961-01-01');
  expect(last[1] as number).toBeLessThan(last[2] as number);
  expect(last[2] as number).toBeLessThan(last[3] as number);

  const candidates = page.getByTestId('forecast-candidate');
  expect(await candidates.count()).toBeGreaterThanOrEqual(4);
  await expect(candidates.first()).toHaveClass(/best/);
  await expect(candidates.filter({ hasText: 'seasonal_naive(m=12)' })).toHaveCount(1);
  const best = await page.getByTestId('forecast-best').innerText();
  await expect(candidates.first()).toContainText(best);
  const mae = Number(await page.getByTestId('forecast-mae').innerText());
  expect(mae).toBeGreaterThan(0);
  expect(mae).toBeLessThan(60);

  // A batch forecast of a file of future months comes back with the forecasts beside its rows.
  const future = testInfo.outputPath('future_months.csv');
  fs.writeFileSync(future, 'month\n1961-01-01\n1961-02-01\n1961-03-01\n1961-06-01\n');
  const download = page.waitForEvent('download');
  await page.getByTestId('forecast-batch-input').setInputFiles(future);
  await expect(page.getByTestId('forecast-batch-done')).toContainText('future_months-forecast.csv: 4 rows');
  const lines = fs.readFileSync((await (await download).path())!, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('month,prediction,p10,p50,p90');
  expect(lines).toHaveLength(5);
  const [, prediction, p10, p50, p90] = lines[4].split(',');
  expect(lines[4].startsWith('1961-06-01,')).toBe(true);
  expect(Number(prediction)).toBeCloseTo(Number(p50), 6);
  expect(Number(p10)).toBeLessThan(Number(p50));
  expect(Number(p50)).toBeLessThan(Number(p90));
  // The table's P50 for June 1961 is the same forecast.
  expect(Number(p50)).toBeCloseTo(Number((await rows.nth(5).locator('td').allInnerTexts())[2]), 1);
  // A month off the monthly grid is named.
  const offGrid = testInfo.outputPath('off_grid.csv');
  fs.writeFileSync(offGrid, 'month\n1961-01-01\n1961-02-15\n');
  await page.getByTestId('forecast-batch-input').setInputFiles(offGrid);
  await expect(page.getByTestId('forecast-batch-error')).toContainText('off_grid.csv');
  await expect(page.getByTestId('forecast-batch-error')).toContainText('1961-02-15');

  await page.getByTestId('forecast-view').screenshot({ path: testInfo.outputPath('forecast.png') });
  // The fit is a run in Experiments, in the dataset's default experiment.
  await page.getByTestId('nav-experiments').click();
  await expect(page.getByText('air_passengers → passengers').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('passengers from air_passengers').first()).toBeVisible({ timeout: 30_000 });

  await page.reload();
  await page.getByTestId('nav-forecast').click();
  const row = page.getByTestId('forecast-row').filter({ hasText: 'passengers from air_passengers' });
  await expect(row).toHaveCount(1);
  // The list's summary: series, chosen method, its backtest MAE and the horizon.
  await expect(row.locator('td').nth(3)).toHaveText('1');
  await expect(row.locator('td').nth(4)).toHaveText(best);
  expect(Number(await row.locator('td').nth(5).innerText())).toBeCloseTo(mae, 4);
  await expect(row.locator('td').nth(6)).toHaveText('29');
  await row.click();
  await expect(page.getByTestId('forecast-chart').getByTestId('forecast-point')).toHaveCount(29);

  // Export the model, delete it, import the file: the same forecast comes back, marked as imported.
  const exported = page.waitForEvent('download');
  await page.getByTestId('forecast-export').click();
  const file = await (await exported).path();
  const exportedJson = JSON.parse(fs.readFileSync(file!, 'utf8'));
  expect(exportedJson.format).toBe('ml-studio-forecast/1');
  await page.getByTestId('forecast-delete').click();
  await page.getByTestId('forecast-delete-confirm').click();
  await expect(page.getByTestId('no-forecasts')).toBeVisible();
  const named = testInfo.outputPath('passengers.forecast.json');
  fs.copyFileSync(file!, named);
  await page.getByTestId('forecast-import-input').setInputFiles(named);
  await expect(page.getByTestId('forecast-imported')).toContainText('imported from passengers.forecast.json');
  await expect(page.getByTestId('forecast-chart').getByTestId('forecast-point')).toHaveCount(29);
  await expect(page.getByTestId('forecast-best')).toHaveText(best);
  // A damaged file is refused by name and nothing is stored.
  exportedJson.model_file = exportedJson.model_file.replace('"items"', '"items" ');
  const damaged = testInfo.outputPath('damaged.forecast.json');
  fs.writeFileSync(damaged, JSON.stringify(exportedJson));
  await page.getByTestId('forecast-import-input').setInputFiles(damaged);
  await expect(page.getByTestId('forecast-notice')).toContainText('damaged.forecast.json is damaged');
  await expect(page.getByTestId('forecast-row')).toHaveCount(1);
  expect(problems).toEqual([]);
});

/** Eight years of monthly sales that a promotion lifts by 80; the months of promotion are irregular. */
function promoCsv(): string {
  const lines = ['month,promo,sales'];
  for (let t = 0; t < 96; t++) {
    const year = 2015 + Math.floor(t / 12);
    const month = String((t % 12) + 1).padStart(2, '0');
    const promo = t % 3 === 0 || t % 7 === 0 ? 1 : 0;
    const sales = 200 + 80 * promo + ((t * 37) % 11) - 5;
    lines.push(`${year}-${month}-01,${promo},${sales}`);
  }
  return lines.join('\n') + '\n';
}

test('what-if on a future covariate changes a boosting forecast', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  const file = testInfo.outputPath('promo_sales.csv');
  fs.writeFileSync(file, promoCsv());
  const data = new DataPage(page);
  await data.open();
  await importAndOpenForecast(page, data, file, 'promo_sales');
  await expect(page.getByTestId('forecast-target')).toHaveValue('sales');
  await page.locator('[data-testid=forecast-covariate][data-column=promo] input').check();
  await page.getByTestId('forecast-horizon').fill('6');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-title')).toHaveText('sales from promo_sales', { timeout: 120_000 });
  // Only the boosting models read the promotions, and they win the backtest.
  await expect(page.getByTestId('forecast-best')).toContainText('HistGradientBoosting');

  const input = page.locator('[data-testid=forecast-what-if-input][data-column=promo]');
  const result = page.getByTestId('forecast-what-if-result');
  const sum = async () => Number(/sum (-?[\d.]+)/.exec(await result.innerText())![1]);
  await input.fill('0');
  await page.getByTestId('forecast-what-if-run').click();
  await expect(result).toContainText('6 steps');
  const without = await sum();
  await input.fill('1');
  await page.getByTestId('forecast-what-if-run').click();
  await expect.poll(sum).toBeGreaterThan(without + 6 * 40);
  await expect(page.getByTestId('forecast-what-if')).toBeVisible();
  // One value per step works too; a wrong count is named.
  await input.fill('1,0,1');
  await page.getByTestId('forecast-what-if-run').click();
  await expect(page.getByTestId('forecast-what-if-error')).toHaveText(
    'Covariate "promo": give one value for every step or 6 values separated by commas, not 3.',
  );
  expect(problems).toEqual([]);
});

test('bad input: a horizon longer than the history and a duplicate timestamp are named, nothing is stored', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const data = new DataPage(page);
  await data.open();
  await importAndOpenForecast(page, data, path.join(DATASETS, 'timeseries/air_passengers.csv'), 'air_passengers');
  await page.getByTestId('forecast-horizon').fill('200');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-error')).toContainText('200', { timeout: 60_000 });
  await expect(page.getByTestId('forecast-error')).toContainText('144');

  const file = testInfo.outputPath('duplicate_month.csv');
  fs.writeFileSync(file, 'month,value\n2020-01-01,1\n2020-02-01,2\n2020-03-01,3\n2020-03-01,4\n2020-04-01,5\n');
  await page.getByTestId('nav-data').click();
  await importAndOpenForecast(page, data, file, 'duplicate_month');
  await page.getByTestId('forecast-horizon').fill('2');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-error')).toContainText('2020-03-01', { timeout: 60_000 });
  await expect(page.getByTestId('no-forecasts')).toBeVisible();
});

test('a forecast cancelled while it fits stores nothing', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = watchConsole(page);
  const data = new DataPage(page);
  await data.open();
  // Twenty years of days: the backtest of eight candidates takes seconds, time enough to cancel.
  await importAndOpenForecast(page, data, path.join(DATASETS, 'timeseries/us_births_daily.csv'), 'us_births_daily');
  await page.getByTestId('forecast-horizon').fill('365');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-job')).toBeVisible();
  await page.getByTestId('forecast-cancel').click();
  await expect(page.getByTestId('forecast-job')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('forecast-error')).toHaveCount(0);
  await expect(page.getByTestId('no-forecasts')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('no-forecasts')).toBeVisible();
  expect(problems).toEqual([]);
});

test('several series: one forecast per item, chosen in the view', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const problems = watchConsole(page);
  const lines = ['month,store,units'];
  for (const [store, level] of [['north', 100], ['south', 1000]] as const) {
    for (let t = 0; t < 48; t++) {
      const season = [0, 3, 6, 9, 12, 15, 12, 9, 6, 3, 0, -3][t % 12];
      lines.push(`${2018 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}-01,${store},${level + t + season * (level / 100)}`);
    }
  }
  const file = testInfo.outputPath('store_units.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const data = new DataPage(page);
  await data.open();
  await importAndOpenForecast(page, data, file, 'store_units');
  await page.getByTestId('forecast-item').selectOption('store');
  await page.getByTestId('forecast-horizon').fill('6');
  await page.getByTestId('forecast-train').click();
  await expect(page.getByTestId('forecast-title')).toHaveText('units from store_units', { timeout: 120_000 });
  await expect(page.getByTestId('forecast-row').first().locator('td').nth(3)).toHaveText('2');
  const select = page.getByTestId('forecast-item-select');
  await expect(select.locator('option')).toHaveText(['north', 'south']);
  const firstP50 = async () => {
    await page.getByText('Forecast table').click();
    const text = await page.getByTestId('forecast-table-row').first().locator('td').nth(2).innerText();
    await page.getByText('Forecast table').click();
    return Number(text);
  };
  const north = await firstP50();
  expect(north).toBeGreaterThan(80);
  expect(north).toBeLessThan(250);
  await select.selectOption({ label: 'south' });
  await expect.poll(firstP50).toBeGreaterThan(800);
  expect(problems).toEqual([]);
});
