// Image classification from the UI: a folder of class folders (the 8×8 digits, 1797 PNGs) is
// imported through a worker, its gallery shows every class, a quick build trains on its pixels
// and HOG features, the model page shows the confusion matrix beside the misclassified images,
// a dropped PNG is predicted, and the image set and model are still there after a reload. Bad
// input is named: a zip with an empty class folder stores nothing, a damaged PNG is left out
// with a warning naming it.
import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DATASETS, watchConsole } from './data-page';

const DIGITS = path.join(DATASETS, 'image/digits_8x8_png');

async function openImages(page: Page) {
  await page.goto('./#/images');
  await expect(page.getByTestId('images-page')).toBeVisible();
}

/** Drops `file` on the element with `testId` as a browser does (a DataTransfer holding it). */
async function dropFile(page: Page, testId: string, file: string, type: string) {
  const bytes = [...fs.readFileSync(file)];
  const name = path.basename(file);
  const transfer = await page.evaluateHandle(({ bytes, name, type }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, { type }));
    return dt;
  }, { bytes, name, type });
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: transfer });
}

test('digits: a folder of class folders imported, gallery, quick build, misclassified images, a dropped PNG predicted, reload', async ({ page }) => {
  test.setTimeout(400_000);
  const problems = watchConsole(page);
  await openImages(page);
  await expect(page.getByTestId('images-empty')).toBeVisible();

  await page.getByTestId('images-import-folder').setInputFiles(DIGITS);
  const set = page.locator('[data-testid=image-set-item][data-name=digits_8x8_png]');
  await expect(set).toBeVisible({ timeout: 120_000 });
  await expect(set).toContainText('1,797 images · 10 classes');
  await expect(page.getByTestId('image-set-summary')).toContainText('8×8 grayscale');
  await expect(page.getByTestId('images-import-error')).toHaveCount(0);

  // The gallery: every class, each with its thumbnails drawn from Blob URLs.
  await expect(page.getByTestId('gallery-class')).toHaveCount(10);
  const seven = page.locator('[data-testid=gallery-class][data-class="7"]');
  await expect(seven.getByTestId('gallery-thumb')).toHaveCount(12);
  await expect(seven.getByTestId('gallery-class-count')).toHaveText(` · ${fs.readdirSync(path.join(DIGITS, '7')).length} images`);
  await expect(seven.getByTestId('gallery-thumb').first()).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => seven.getByTestId('gallery-thumb').first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(8);

  // A quick build in a worker, with progress, then the model page.
  await page.getByTestId('images-model-name').fill('digits classifier');
  await page.getByTestId('images-train').click();
  await expect(page.getByTestId('images-train-job')).toBeVisible();
  await expect(page.getByTestId('model-title')).toHaveText('digits classifier', { timeout: 300_000 });
  await expect(page.getByTestId('images-train-job')).toHaveCount(0);
  await expect(page.getByTestId('model-summary')).toContainText('images of digits_8x8_png');
  const accuracy = Number(await page.locator('[data-testid=metric-row][data-metric=accuracy]').getByTestId('metric-model').innerText());
  expect(accuracy).toBeGreaterThan(0.9);
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('misclassified')).toBeVisible();
  const examples = page.getByTestId('misclassified-example');
  expect(await examples.count()).toBeGreaterThan(0);
  const first = examples.first();
  await expect(first.locator('img')).toHaveAttribute('src', /^blob:/);
  const truth = (await first.getByTestId('misclassified-true').innerText()).replace('true ', '');
  const predicted = (await first.getByTestId('misclassified-predicted').innerText()).replace('predicted ', '');
  expect(predicted.startsWith(truth)).toBe(false);
  // No what-if form of pixels, no batch CSV: an image model predicts images.
  await expect(page.getByTestId('what-if')).toHaveCount(0);
  await expect(page.getByTestId('batch')).toHaveCount(0);

  // One PNG dropped on the model: its class and every class's probability.
  const three = path.join(DIGITS, '3', fs.readdirSync(path.join(DIGITS, '3')).sort()[0]);
  await dropFile(page, 'image-predict-drop', three, 'image/png');
  const prediction = page.getByTestId('image-prediction');
  await expect(prediction.getByTestId('whatif-prediction')).toHaveText(/^[0-9]$/, { timeout: 60_000 });
  await expect(prediction.getByTestId('whatif-proba')).toHaveCount(10);
  await expect(page.getByTestId('image-predict-preview')).toHaveAttribute('src', /^blob:/);
  // A file that is not an image is refused by name.
  const notImage = path.join(DATASETS, 'image/digits_8x8.test_idx.txt');
  await page.getByTestId('image-predict-input').setInputFiles(notImage);
  await expect(page.getByTestId('image-predict-error')).toContainText('digits_8x8.test_idx.txt');

  // The build is a run of the image set's default experiment.
  await page.getByTestId('nav-experiments').click();
  await expect(page.locator('[data-testid=experiment-item][data-experiment="digits_8x8_png → label"]')).toBeVisible();

  // After a reload the image set, its gallery and its model are read back from IndexedDB.
  await page.reload();
  await openImages(page);
  await expect(set).toBeVisible();
  await expect(page.getByTestId('gallery-class')).toHaveCount(10);
  await page.getByTestId('image-model-item').filter({ hasText: 'digits classifier' }).click();
  await expect(page.getByTestId('model-title')).toHaveText('digits classifier');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('misclassified-example').first().locator('img')).toHaveAttribute('src', /^blob:/);

  // Deleting the image set keeps its model (and lineage); the model says its images are gone.
  await page.getByTestId('image-set-delete').click();
  await page.getByTestId('image-set-delete-confirm').click();
  await expect(page.getByTestId('image-set-item')).toHaveCount(0);
  await expect(page.getByTestId('images-empty')).toBeVisible();
  await page.getByTestId('nav-build').click();
  await expect(page.getByTestId('model-row').filter({ hasText: 'digits classifier' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('a training cancelled in its worker stores no model and no run', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  await openImages(page);
  await page.getByTestId('images-import-folder').setInputFiles(DIGITS);
  await expect(page.getByTestId('gallery-class')).toHaveCount(10, { timeout: 120_000 });
  // A standard build searches about thirty candidates: long enough to cancel midway.
  await page.getByTestId('images-build').selectOption('standard');
  await page.getByTestId('images-train').click();
  const job = page.getByTestId('images-train-job');
  await expect(job).toContainText(/ [1-9][0-9]* of [1-9]/, { timeout: 60_000 });
  await page.getByTestId('images-train-cancel').click();
  await expect(job).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('images-train-error')).toHaveCount(0);
  await expect(page.getByTestId('image-model-item')).toHaveCount(0);
  await expect(page.getByTestId('images-train')).toBeEnabled();
  await page.getByTestId('nav-experiments').click();
  await expect(page.getByTestId('experiments-empty')).toBeVisible();
  expect(problems).toEqual([]);
});

// ---- bad input ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip (stored, no compression) of `files`; a name ending in `/` is a folder. */
function zipOf(files: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The first `n` digit PNGs of `digit`. */
function digits(digit: string, n: number): [string, Buffer][] {
  const folder = path.join(DIGITS, digit);
  return fs.readdirSync(folder).sort().slice(0, n).map((file) => [file, fs.readFileSync(path.join(folder, file))]);
}

test('bad input is named: a zip with an empty class folder stores nothing, a damaged PNG is left out by name', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await openImages(page);

  // A zip whose class folder "9" is empty: refused, naming the folder; nothing stored.
  const files: [string, Buffer][] = [
    ...digits('0', 5).map(([f, b]): [string, Buffer] => [`few/0/${f}`, b]),
    ...digits('1', 5).map(([f, b]): [string, Buffer] => [`few/1/${f}`, b]),
    ['few/9/', Buffer.alloc(0)],
  ];
  const zip = testInfo.outputPath('few.zip');
  fs.writeFileSync(zip, zipOf(files));
  await page.getByTestId('images-import-zip').setInputFiles(zip);
  await expect(page.getByTestId('images-import-error')).toHaveText('class folder "few/9" holds no image');
  await expect(page.getByTestId('image-set-item')).toHaveCount(0);

  await expect(page.getByTestId('images-empty')).toBeVisible();

  // A folder with a damaged PNG: the others are imported, the damaged one named in a warning.
  const folder = testInfo.outputPath('shapes');
  for (const digit of ['0', '1']) {
    fs.mkdirSync(path.join(folder, digit), { recursive: true });
    for (const [file, bytes] of digits(digit, 5)) fs.writeFileSync(path.join(folder, digit, file), bytes);
  }
  const png = digits('1', 1)[0][1];
  fs.writeFileSync(path.join(folder, '1', 'broken.png'), png.subarray(0, 40));
  await page.getByTestId('images-import-folder').setInputFiles(folder);
  const set = page.locator('[data-testid=image-set-item][data-name=shapes]');
  await expect(set).toContainText('10 images · 2 classes', { timeout: 60_000 });
  await expect(page.getByTestId('images-import-warning')).toHaveCount(1);
  await expect(page.getByTestId('images-import-warning')).toContainText('shapes/1/broken.png: left out, not a PNG or JPEG image, or it is damaged');
  await expect(page.getByTestId('images-import-error')).toHaveCount(0);

  // Dropped on the page, the zip is refused the same way, and the stored set stays.
  await dropFile(page, 'images-drop', zip, 'application/zip');
  await expect(page.getByTestId('images-import-error')).toHaveText('class folder "few/9" holds no image');
  await expect(page.getByTestId('image-set-item')).toHaveCount(1);
  expect(problems).toEqual([]);
});
