// Playwright against the built dist/ in Debian's Chromium (no browser download: see TOOLCHAIN.md).
import { defineConfig } from '@playwright/test';

// E2E_PORT lets two checkouts run their specs side by side.
const PORT = Number(process.env.E2E_PORT ?? 8091);

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // Two cores: one browser at a time keeps timings honest and the machine usable.
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `python3 -m http.server ${PORT} --bind 127.0.0.1 --directory dist`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/index.html`,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'ignore',
    timeout: 30_000,
  },
});
