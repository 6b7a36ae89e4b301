// Page object for the Data page: one place that knows its test ids.
import { expect, Page, Locator } from '@playwright/test';
import path from 'node:path';

export const DATASETS = path.resolve(__dirname, '../../../shared/datasets');
export const BROKEN = path.resolve(__dirname, '../fixtures/broken');

export class DataPage {
  constructor(readonly page: Page) {}

  /** Opens the studio with an empty store, failing on any console error. */
  async open() {
    await this.page.goto('./#/data');
    await expect(this.page.getByTestId('dataset-list')).toBeVisible();
  }

  async importFile(file: string) {
    await this.page.getByTestId('file-input').setInputFiles(file);
  }

  rows(): Locator {
    return this.page.getByTestId('dataset-row');
  }

  row(name: string): Locator {
    return this.rows().filter({ has: this.page.getByTestId('dataset-name').getByText(name, { exact: true }) });
  }

  errors(): Locator {
    return this.page.getByTestId('import-error');
  }

  columnHeader(name: string): Locator {
    return this.page.locator(`[data-testid=column-header][data-column="${name}"]`);
  }
}

/** Collects console errors and page errors so a spec can assert there were none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}
