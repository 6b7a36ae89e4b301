//! Image classification on the shared image datasets and on real broken files: the 8×8
//! digits on their fixed test split reach the best reference score (`reference_scores.csv`)
//! minus 0.01, their PNG pixels equal the CSV's, JPEG and PNG decode as other tools decode
//! them, and every bad input is named and never panics.

use std::path::Path;

use compute::automl::{AutomlOptions, Build, EvaluationDetail};
use compute::image::dataset::images_to_predict;
use compute::image::features::{hog, image_features};
use compute::image::{
    decode_image, image_dataset, thumbnail_png, train_images, ColorMode, FeatureParams, HogParams,
    ImageError, ImageModel, ImageSize, ImageWarning, SkipReason,
};
use compute::ml::Control;

const DATASETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/images");

type Entries = Vec<(String, Vec<u8>)>;

/// The digits CSV's rows: (file, label, pixels).
fn digits_rows() -> Vec<(String, String, Vec<u8>)> {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("image/digits_8x8.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let file = header.iter().position(|h| *h == "file").unwrap();
    let label = header.iter().position(|h| *h == "label").unwrap();
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let pixels = (0..64)
                .map(|i| {
                    let at = header
                        .iter()
                        .position(|h| *h == format!("pixel_{i}"))
                        .unwrap();
                    fields[at].parse().unwrap()
                })
                .collect();
            (fields[file].to_string(), fields[label].to_string(), pixels)
        })
        .collect()
}

/// The digits PNGs as `<label>/<file>` entries, split by `digits_8x8.test_idx.txt` (data-row
/// numbers of the CSV, mapped to files through its `file` column).
fn digits_split() -> (Entries, Entries) {
    let index =
        std::fs::read_to_string(Path::new(DATASETS).join("image/digits_8x8.test_idx.txt")).unwrap();
    let test_rows: std::collections::HashSet<usize> = index
        .split_whitespace()
        .map(|r| r.parse().unwrap())
        .collect();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (row, (file, label, _)) in digits_rows().into_iter().enumerate() {
        let path = Path::new(DATASETS)
            .join("image/digits_8x8_png")
            .join(&label)
            .join(&file);
        let entry = (format!("{label}/{file}"), std::fs::read(path).unwrap());
        if test_rows.contains(&row) {
            test.push(entry);
        } else {
            train.push(entry);
        }
    }
    (train, test)
}

/// The best accuracy and macro F1 of the non-dummy reference models for `name`.
fn best_reference(name: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(Path::new(DATASETS).join("reference_scores.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let at = |field: &str| header.iter().position(|h| *h == field).unwrap();
    let mut best = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields[0] != "image" || fields[1] != name || fields[2].starts_with("Dummy") {
            continue;
        }
        best.0 = best.0.max(fields[at("accuracy")].parse().unwrap());
        best.1 = best.1.max(fields[at("macro_f1")].parse().unwrap());
    }
    assert!(best.0.is_finite(), "no reference for {name}");
    best
}

/// A Quick build (about 50 s in a debug build) on pixels and HOG: the CLI's default.
#[test]
fn digits_meet_the_reference() {
    let (train_entries, test_entries) = digits_split();
    assert_eq!((train_entries.len(), test_entries.len()), (1437, 360));
    let (train, warnings) = image_dataset(&train_entries, None).unwrap();
    assert_eq!(warnings, vec![]);
    assert_eq!(
        (train.size, train.color),
        (ImageSize::new(8, 8), ColorMode::Gray)
    );
    let (test, _) = image_dataset(&test_entries, Some((train.size, train.color))).unwrap();
    let mut options = AutomlOptions::new("ignored: the label column is set by train_images");
    options.build = Build::Quick;
    let started = std::time::Instant::now();
    let clock = move || started.elapsed().as_secs_f64();
    let run = train_images(
        &train,
        Some(&test),
        &FeatureParams::default(),
        &options,
        &clock,
        &mut |_| Control::Continue,
    )
    .unwrap();
    let holdout = run.report.holdout.as_ref().unwrap();
    let EvaluationDetail::Classification { scores, .. } = &holdout.detail else {
        panic!("a classification");
    };
    let (accuracy, macro_f1) = best_reference("digits_8x8");
    eprintln!(
        "digits_8x8: {} accuracy {:.4} macro_f1 {:.4} (reference {accuracy} / {macro_f1}) in {:.1} s",
        run.report.best.label,
        scores.accuracy,
        scores.macro_f1,
        clock()
    );
    assert!(
        scores.accuracy >= accuracy - 0.01,
        "accuracy {}",
        scores.accuracy
    );
    assert!(
        scores.macro_f1 >= macro_f1 - 0.01,
        "macro_f1 {}",
        scores.macro_f1
    );
    assert_eq!(holdout.n_rows, 360);
    // The misclassified examples are the confusion matrix's off-diagonal, each named.
    let wrong: u64 = (0..10)
        .flat_map(|t| (0..10).filter(move |&p| p != t).map(move |p| (t, p)))
        .map(|(t, p)| scores.confusion_matrix[t][p])
        .sum();
    assert_eq!(run.misclassified.len() as u64, wrong);
    for example in &run.misclassified {
        assert_ne!(example.true_class, example.predicted);
        assert!(example
            .file
            .starts_with(&format!("{}/", example.true_class)));
        assert!(example.probability > 0.0 && example.probability <= 1.0);
    }
    // The stored model reads back and predicts the same from the files.
    let model = ImageModel::from_json(&run.model.to_json()).unwrap();
    let (images, warnings) = images_to_predict(&test_entries[..20], model.size, model.color);
    assert_eq!(warnings, vec![]);
    let predictions = model.predict(&images).unwrap();
    let again = run.model.predict(&images).unwrap();
    assert_eq!(predictions.values, again.values);
    assert!(ImageModel::from_json(&run.model.model_file.to_json())
        .unwrap_err()
        .contains("not an image model"));
}

#[test]
fn png_pixels_equal_the_csv() {
    let pixels_only = FeatureParams {
        pixels: true,
        hog: None,
    };
    for (file, label, pixels) in digits_rows() {
        let path = Path::new(DATASETS)
            .join("image/digits_8x8_png")
            .join(&label)
            .join(&file);
        let image = decode_image(&file, &std::fs::read(path).unwrap()).unwrap();
        assert_eq!(
            (image.size, image.color),
            (ImageSize::new(8, 8), ColorMode::Gray)
        );
        assert_eq!(image.pixels, pixels, "{file}");
        let features = image_features(&pixels_only, image.size, image.color, &image.pixels);
        let expected: Vec<f64> = pixels.iter().map(|&v| f64::from(v) / 255.0).collect();
        assert_eq!(features, expected, "{file}");
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

#[test]
fn jpeg_and_palette_png_decode_like_the_raw_pixels() {
    // python.ppm holds the raw RGB pixels the JPEG and the palette PNG were made from.
    let ppm = fixture("python.ppm");
    let header_end = ppm
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(2)
        .unwrap()
        .0;
    assert!(ppm.starts_with(b"P6\n16 16\n255\n"));
    let raw = &ppm[header_end + 1..];
    let png = decode_image("python.png", &fixture("python.png")).unwrap();
    assert_eq!(
        (png.size, png.color),
        (ImageSize::new(16, 16), ColorMode::Rgb)
    );
    let jpeg = decode_image("python.jpg", &fixture("python.jpg")).unwrap();
    assert_eq!(
        (jpeg.size, jpeg.color),
        (ImageSize::new(16, 16), ColorMode::Rgb)
    );
    assert_eq!(jpeg.pixels.len(), raw.len());
    // JPEG is lossy: close on average, not equal.
    let mean_error = jpeg
        .pixels
        .iter()
        .zip(raw)
        .map(|(&a, &b)| f64::from(a.abs_diff(b)))
        .sum::<f64>()
        / raw.len() as f64;
    assert!(mean_error < 12.0, "mean absolute error {mean_error}");
    let png_error = png
        .pixels
        .iter()
        .zip(raw)
        .map(|(&a, &b)| f64::from(a.abs_diff(b)))
        .sum::<f64>()
        / raw.len() as f64;
    assert!(png_error < 12.0, "mean absolute error {png_error}");
}

/// A small labelled set of real digit PNGs: two classes, three images each.
fn small_set() -> Entries {
    let mut entries = Vec::new();
    for class in ["0", "1"] {
        let folder = Path::new(DATASETS).join("image/digits_8x8_png").join(class);
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        files.sort();
        for file in files.into_iter().take(3) {
            entries.push((
                format!("digits/{class}/{file}"),
                std::fs::read(folder.join(&file)).unwrap(),
            ));
        }
    }
    entries
}

fn warning_for<'a>(warnings: &'a [ImageWarning], file: &str) -> &'a ImageWarning {
    warnings
        .iter()
        .find(|w| w.to_string().starts_with(&format!("{file}: ")))
        .unwrap_or_else(|| panic!("no warning names {file}: {warnings:?}"))
}

#[test]
fn broken_files_are_named_and_left_out() {
    let mut entries = small_set();
    entries.push((
        "digits/1/truncated.png".to_string(),
        fixture("truncated.png"),
    ));
    entries.push((
        "digits/0/text_renamed.png".to_string(),
        fixture("text_renamed.png"),
    ));
    entries.push(("digits/0/python.gif".to_string(), fixture("python.gif")));
    entries.push(("digits/1/python.jpg".to_string(), fixture("python.jpg")));
    let rgb = thumbnail_png(ImageSize::new(8, 8), ColorMode::Rgb, &[200; 192]);
    entries.push(("digits/0/rgb.png".to_string(), rgb));
    let big = thumbnail_png(ImageSize::new(16, 16), ColorMode::Gray, &[90; 256]);
    entries.push(("digits/1/big.png".to_string(), big));
    let (dataset, warnings) = image_dataset(&entries, None).unwrap();
    // 6 digits + rgb.png + big.png + python.jpg (RGB 16×16: converted and resized).
    assert_eq!(dataset.images.len(), 9);
    assert_eq!(
        (dataset.size, dataset.color),
        (ImageSize::new(8, 8), ColorMode::Gray)
    );
    assert!(matches!(
        warning_for(&warnings, "digits/1/truncated.png"),
        ImageWarning::Skipped {
            reason: SkipReason::Unreadable { .. },
            ..
        }
    ));
    let text = warning_for(&warnings, "digits/0/text_renamed.png").to_string();
    assert!(text.contains("not a PNG or JPEG image"), "{text}");
    assert!(matches!(
        warning_for(&warnings, "digits/0/python.gif"),
        ImageWarning::Skipped {
            reason: SkipReason::UnknownExtension,
            ..
        }
    ));
    assert_eq!(
        warning_for(&warnings, "digits/0/rgb.png").to_string(),
        "digits/0/rgb.png: RGB image converted to grayscale"
    );
    assert_eq!(
        warning_for(&warnings, "digits/1/big.png").to_string(),
        "digits/1/big.png: 16×16 image resized to 8×8"
    );
    let converted = dataset
        .images
        .iter()
        .find(|i| i.file == "digits/0/rgb.png")
        .unwrap();
    assert_eq!(converted.pixels, vec![200; 64]);
    let resized = dataset
        .images
        .iter()
        .find(|i| i.file == "digits/1/big.png")
        .unwrap();
    assert_eq!(resized.pixels, vec![90; 64]);
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.to_string().starts_with("digits/1/python.jpg"))
            .count(),
        2
    );
}

#[test]
fn an_empty_class_folder_is_an_error_naming_it() {
    let mut entries = small_set();
    entries.push(("digits/7/".to_string(), Vec::new()));
    let error = image_dataset(&entries, None).unwrap_err();
    assert_eq!(
        error,
        ImageError::EmptyClass {
            folder: "digits/7".to_string()
        }
    );
    assert_eq!(
        error.to_string(),
        "class folder \"digits/7\" holds no image"
    );
    // A folder whose only file is broken holds no image either.
    let mut entries = small_set();
    entries.push((
        "digits/8/truncated.png".to_string(),
        fixture("truncated.png"),
    ));
    assert!(image_dataset(&entries, None)
        .unwrap_err()
        .to_string()
        .contains("\"digits/8\""));
    // One class is not enough.
    let one: Entries = small_set().into_iter().take(3).collect();
    let error = image_dataset(&one, None).unwrap_err();
    assert!(
        error.to_string().contains("only one class folder, \"0\""),
        "{error}"
    );
}

proptest::proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let _ = decode_image("fuzz.png", &bytes);
        let _ = image_dataset(&[("a/x.png".to_string(), bytes.clone()), ("b/y.jpg".to_string(), bytes)], None);
    }

    #[test]
    fn damaged_real_images_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((0usize..2000, proptest::num::u8::ANY), 1..8),
        cut in 0usize..2000,
    ) {
        let name = ["python.jpg", "python.png", "truncated.png"][which];
        let mut bytes = fixture(name);
        for (at, value) in edits {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        bytes.truncate(cut.max(8));
        let _ = decode_image(name, &bytes);
    }
}

/// `skimage.feature.hog` (L2-Hys) on digits and on 16×16 images made from them, several
/// parameter sets (`golden/make_hog_golden.py`). skimage sums a cell's histogram in 32-bit
/// floats (its Cython `cell_hog`), ours in 64-bit: equal to about 1e-8.
#[test]
fn hog_equals_skimage() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/hog_skimage.json");
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let numbers = |value: &serde_json::Value| -> Vec<f64> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let size = ImageSize::new(
            case["width"].as_u64().unwrap() as u32,
            case["height"].as_u64().unwrap() as u32,
        );
        let params = HogParams {
            orientations: case["orientations"].as_u64().unwrap() as usize,
            pixels_per_cell: case["pixels_per_cell"].as_u64().unwrap() as usize,
            cells_per_block: case["cells_per_block"].as_u64().unwrap() as usize,
        };
        let ours = hog(&numbers(&case["pixels"]), size, &params);
        let theirs = numbers(&case["hog"]);
        assert_eq!(ours.len(), theirs.len(), "{} {params:?}", case["file"]);
        assert_eq!(ours.len(), params.n_features(size));
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                (a - b).abs() < 1e-6,
                "{} {size} {params:?} feature {i}: ours {a}, skimage {b}",
                case["file"]
            );
        }
    }
}

/// The worker's training (one step at a time, a fifth held out) equals `train_images`
/// without a test set: same best candidate, same misclassified images, same predictions.
#[test]
fn a_training_one_step_at_a_time_equals_train_images() {
    use compute::image::model::{ImageTraining, ImageTrainingStep};
    let (train_entries, _) = digits_split();
    // Thirty of each digit keeps a debug build quick.
    let mut per_class = std::collections::HashMap::new();
    let entries: Entries = train_entries
        .into_iter()
        .filter(|(path, _)| {
            let class = path.split('/').next().unwrap().to_string();
            let seen = per_class.entry(class).or_insert(0);
            *seen += 1;
            *seen <= 30
        })
        .collect();
    let (dataset, _) = image_dataset(&entries, None).unwrap();
    let mut options = AutomlOptions::new("label");
    options.build = Build::Quick;
    let clock = || 0.0;
    let params = FeatureParams::default();
    let whole = train_images(&dataset, None, &params, &options, &clock, &mut |_| {
        Control::Continue
    })
    .unwrap();
    let mut training = ImageTraining::new(&dataset, &params, &options, &clock).unwrap();
    assert_eq!(training.training().n_test_rows(), 60);
    let mut steps = 0;
    let stepped = loop {
        steps += 1;
        match training.step(&clock).unwrap() {
            ImageTrainingStep::Advanced => {}
            ImageTrainingStep::Finished(run) => break *run,
        }
    };
    assert!(steps > 3, "{steps} steps");
    assert_eq!(stepped.report.best.label, whole.report.best.label);
    assert_eq!(stepped.misclassified, whole.misclassified);
    assert_eq!(stepped.model.classes, whole.model.classes);
    let (images, _) = images_to_predict(&entries[..40], dataset.size, dataset.color);
    assert_eq!(
        stepped.model.predict(&images).unwrap().values,
        whole.model.predict(&images).unwrap().values
    );
}
