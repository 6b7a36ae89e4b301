// Runs the fitting benchmarks' wasm build (compute/bench/fit through wasm-bindgen, then wasm-opt -Oz like
// Trunk's release build) in V8, for fit_bench.py: in Node (`--target nodejs` output, called directly) or in
// headless Chromium (`--target web` output, in a module Web Worker as the studio's worker runs; Debian's
// /usr/bin/chromium through playwright-core, files served by python3 -m http.server on 127.0.0.1).
// The host reads the files; the wasm module parses them, builds the matrices and times each fit with
// performance.now(), in the same Rust code as the native binaries. Prints JSON lines like the native
// binaries (one per model), each with the engine's versions.
// Usage: node compute/bench/fit_wasm.mjs node|chromium PKG_DIR train FILE TARGET EXCLUDED,… MODELS SEED
//        node compute/bench/fit_wasm.mjs node|chromium PKG_DIR linear FILE CASE REPEATS
//        node compute/bench/fit_wasm.mjs node|chromium PKG_DIR text FILE MODEL REPEATS   (text/<name>.csv; nb|logistic)
//        node compute/bench/fit_wasm.mjs node|chromium PKG_DIR forecast FILE REPEATS   (timeseries/<name>.csv)
//        node compute/bench/fit_wasm.mjs node|chromium PKG_DIR image digits_8x8.csv PNGS.zip BUILD FEATURES   (image_bench.py)
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const [engineName, pkgDir, kind, file, ...rest] = process.argv.slice(2);
const indexFile = file.replace(/\.csv$/, '') + '.test_idx.txt';
if (!['train', 'linear', 'text', 'image', 'forecast'].includes(kind)) {
  console.error(`unknown kind ${kind}; use train, linear, text, image or forecast`);
  process.exit(2);
}

// The call, the same in both engines: `wasm` is the module's exports; `zip` the image zip's
// bytes (read from disk in Node, fetched in Chromium).
function call(wasm, kind, fileName, csv, testIdx, rest, zip) {
  if (kind === 'train') {
    const [target, excluded, models, seed] = rest;
    return JSON.parse(wasm.bench_train(fileName, csv, testIdx, target, excluded, models, Number(seed)));
  }
  if (kind === 'image') {
    const [, build, features] = rest;
    return [JSON.parse(wasm.bench_image(csv, testIdx, zip, build, features, 0))];
  }
  if (kind === 'forecast') {
    const [repeats] = rest;
    return [JSON.parse(wasm.bench_forecast(fileName.replace(/\.csv$/, ''), csv, testIdx, Number(repeats)))];
  }
  if (kind === 'text') {
    const [model, repeats] = rest;
    const name = fileName.replace(/\.csv$/, '');
    return [JSON.parse(wasm.bench_text(name, csv, testIdx, model, Number(repeats)))];
  }
  const [caseName, repeats] = rest;
  return [JSON.parse(wasm.bench_linear(caseName, csv, testIdx, Number(repeats)))];
}

async function inNode() {
  const require = createRequire(import.meta.url);
  const wasm = require(path.resolve(pkgDir, 'bench_fit.js'));
  const zip = kind === 'image' ? readFileSync(rest[0]) : null;
  const results = call(wasm, kind, path.basename(file), readFileSync(file), readFileSync(indexFile, 'utf8'), rest, zip);
  return { results, engine: { node: process.versions.node, v8: process.versions.v8 } };
}

const WORKER = `
import init, * as wasm from './pkg/bench_fit.js';
const call = ${call.toString()};
onmessage = async ({ data }) => {
  try {
    await init({ module_or_path: './pkg/bench_fit_bg.wasm' });
    const csv = new Uint8Array(await (await fetch('./data.csv')).arrayBuffer());
    const testIdx = await (await fetch('./data.test_idx.txt')).text();
    const zip = data.kind === 'image' ? new Uint8Array(await (await fetch('./images.zip')).arrayBuffer()) : null;
    postMessage({ results: call(wasm, data.kind, data.fileName, csv, testIdx, data.rest, zip) });
  } catch (error) {
    postMessage({ error: String(error && error.stack || error) });
  }
};
`;

async function inChromium() {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fit-wasm-'));
  symlinkSync(path.resolve(pkgDir), path.join(dir, 'pkg'));
  symlinkSync(path.resolve(file), path.join(dir, 'data.csv'));
  symlinkSync(path.resolve(indexFile), path.join(dir, 'data.test_idx.txt'));
  if (kind === 'image') symlinkSync(path.resolve(rest[0]), path.join(dir, 'images.zip'));
  writeFileSync(path.join(dir, 'worker.mjs'), WORKER);
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>fit bench</title>');
  const port = 9093 + Math.floor(Math.random() * 500);
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], {
    stdio: 'ignore',
  });
  let browser;
  try {
    await new Promise((resolve) => setTimeout(resolve, 700));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/index.html`);
    const reply = await page.evaluate((message) => new Promise((resolve) => {
      const worker = new Worker('./worker.mjs', { type: 'module' });
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (event) => resolve({ error: `worker error: ${event.message}` });
      worker.postMessage(message);
    }), { kind, fileName: path.basename(file), rest });
    if (reply.error) throw new Error(reply.error);
    return { results: reply.results, engine: { chromium: browser.version() } };
  } finally {
    if (browser) await browser.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { results, engine } = engineName === 'chromium' ? await inChromium() : await inNode();
for (const result of results) console.log(JSON.stringify({ ...result, engine }));
