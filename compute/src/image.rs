//! Image classification (single label): PNG and JPEG decoded in pure Rust, a dataset from class folders (a directory, a dropped folder or a zip), normalized pixels and HOG features for the tabular AutoML, thumbnails and misclassified examples.
//!
//! The parameters, warnings, errors, gallery and misclassified-example types build without
//! the `engine` feature: the UI chooses and shows them. The work needs `engine`, in the
//! submodules:
//!
//! * `decode`: PNG (the `png` crate) and JPEG (`zune-jpeg`) bytes to 8-bit grayscale or RGB
//!   pixels, told apart by their magic bytes; PNG thumbnails written back with `png`;
//! * `resize`: the box (area-averaging) resample and the grayscale/RGB conversions that bring
//!   every image to the dataset's common size and colour model;
//! * `dataset`: [`ImageDataset`](dataset::ImageDataset) from a list of (path, bytes) entries,
//!   class = first folder, with a warning naming every image skipped, resized or converted;
//! * `features`: normalized pixels and gradient-orientation histograms (like
//!   `skimage.feature.hog`) as a frame of numeric columns plus `file` and `label`;
//! * `model`: [`ImageModel`](model::ImageModel) (the featurizer and the tabular AutoML's
//!   [`ModelFile`](crate::automl::run::ModelFile) kept together), [`train_images`](model::train_images)
//!   (and [`ImageTraining`](model::ImageTraining), the same one step at a time, for a
//!   worker) and predictions on new images;
//! * `set`: an image set as the studio stores it: per-image entries, a content hash, the
//!   original files and lossless thumbnails, and the dataset read back from the thumbnails.
//!
//! ## The dataset's common size and colour model
//! Features need every image the same shape. The common size is the most frequent size among
//! the images (ties: the larger area, then the wider), scaled down to fit
//! [`MAX_SIDE`] × [`MAX_SIDE`] keeping its aspect ratio (a 1024×768 photo set becomes 64×48);
//! the colour model is the most frequent one (ties: RGB). An image of another size is
//! resampled to the common size by area averaging (a box filter, PIL's `Image.BOX`); an RGB
//! image in a grayscale dataset becomes its luma (ITU-R 601: 0.299 R + 0.587 G + 0.114 B, as
//! PIL's `convert("L")`), a grayscale one in an RGB dataset is repeated over the three
//! channels. Each such image is named in a warning. Alpha is composited over black.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "engine")]
pub mod dataset;
#[cfg(feature = "engine")]
pub mod decode;
#[cfg(feature = "engine")]
pub mod features;
#[cfg(feature = "engine")]
pub mod model;
#[cfg(feature = "engine")]
pub mod resize;
#[cfg(feature = "engine")]
pub mod set;

#[cfg(feature = "engine")]
pub use dataset::{image_dataset, image_dataset_from_zip, ImageDataset, LabelledImage};
#[cfg(feature = "engine")]
pub use decode::{decode_image, thumbnail_png, DecodedImage};
#[cfg(feature = "engine")]
pub use model::{train_images, ImageModel, ImageRun};

/// The longest side of a dataset's common size: larger images are scaled down to it.
pub const MAX_SIDE: u32 = 64;
/// The longest side an image file may have to be decoded at all (a decompression bomb stops
/// here).
pub const MAX_DECODE_SIDE: u32 = 16_384;
/// The most pixels an image file may have to be decoded at all (a 48-megapixel photo is about
/// 150 MB as RGB, which a wasm worker can hold).
pub const MAX_DECODE_PIXELS: usize = 50_000_000;
/// The file extensions read as images (compared in lower case).
pub const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// Grayscale (one channel) or RGB (three).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColorMode {
    Gray,
    Rgb,
}

impl ColorMode {
    pub fn channels(self) -> usize {
        match self {
            ColorMode::Gray => 1,
            ColorMode::Rgb => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ColorMode::Gray => "grayscale",
            ColorMode::Rgb => "RGB",
        }
    }
}

/// An image's width and height in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
}

impl ImageSize {
    pub fn new(width: u32, height: u32) -> ImageSize {
        ImageSize { width, height }
    }

    pub fn n_pixels(self) -> usize {
        self.width as usize * self.height as usize
    }
}

impl fmt::Display for ImageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}", self.width, self.height)
    }
}

/// Histograms of gradient orientations, with `skimage.feature.hog`'s names: the image (its
/// luma for RGB) is cut into square cells, each cell's gradient magnitudes summed into
/// `orientations` unsigned orientation bins over 0–180° (averaged over the cell), and every
/// `cells_per_block` × `cells_per_block` block of cells normalized with L2-Hys (clipped at
/// 0.2). Gradients are central differences, 0 on the border, as skimage's; the features equal
/// skimage 0.26's to 1e-6 (it sums cells in 32-bit floats; `tests/golden/hog_skimage.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HogParams {
    pub orientations: usize,
    /// A cell's side in pixels.
    pub pixels_per_cell: usize,
    /// A block's side in cells.
    pub cells_per_block: usize,
}

impl Default for HogParams {
    /// 9 orientations and 2×2-cell blocks like skimage; 4-pixel cells rather than its 8, so
    /// that small images (8×8 digits) still have 2×2 cells.
    fn default() -> Self {
        HogParams {
            orientations: 9,
            pixels_per_cell: 4,
            cells_per_block: 2,
        }
    }
}

impl HogParams {
    pub fn check(&self) -> Result<(), ImageError> {
        if !(1..=36).contains(&self.orientations) {
            return Err(invalid(
                "orientations",
                format!("must be between 1 and 36, got {}", self.orientations),
            ));
        }
        if self.pixels_per_cell < 2 {
            return Err(invalid(
                "pixels_per_cell",
                format!("must be at least 2, got {}", self.pixels_per_cell),
            ));
        }
        if self.cells_per_block < 1 {
            return Err(invalid("cells_per_block", "must be at least 1".to_string()));
        }
        Ok(())
    }

    /// The number of HOG features of an image of `size` (0 when it has fewer cells than a
    /// block).
    pub fn n_features(&self, size: ImageSize) -> usize {
        let cells_x = size.width as usize / self.pixels_per_cell;
        let cells_y = size.height as usize / self.pixels_per_cell;
        let blocks_x = (cells_x + 1).saturating_sub(self.cells_per_block);
        let blocks_y = (cells_y + 1).saturating_sub(self.cells_per_block);
        blocks_x * blocks_y * self.cells_per_block * self.cells_per_block * self.orientations
    }
}

/// Which features an image becomes: its pixels scaled to [0, 1] (`pixel_<i>`, or
/// `pixel_<i>_r/_g/_b` for RGB, row by row) and, optionally, its HOG (`hog_<i>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    pub pixels: bool,
    pub hog: Option<HogParams>,
}

impl Default for FeatureParams {
    /// Pixels and HOG (with [`HogParams::default`]): on the 8×8 digits the pair lifts a
    /// logistic regression from 0.955 to 0.99 validation accuracy (pixels say where the
    /// ink is, HOG which way its strokes run), and HOG makes larger images robust to small
    /// shifts (BENCHMARKS.md).
    fn default() -> Self {
        FeatureParams {
            pixels: true,
            hog: Some(HogParams::default()),
        }
    }
}

impl FeatureParams {
    pub fn check(&self) -> Result<(), ImageError> {
        if let Some(hog) = &self.hog {
            hog.check()?;
        } else if !self.pixels {
            return Err(invalid(
                "features",
                "must include pixels or HOG".to_string(),
            ));
        }
        Ok(())
    }
}

fn invalid(name: &'static str, reason: String) -> ImageError {
    ImageError::InvalidParameter { name, reason }
}

/// Everything that stops an image dataset from being read or a model from being trained or
/// used. Files are named by their path inside the folder or archive.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ImageError {
    #[error("parameter {name} {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("{file}: not a PNG or JPEG image, or it is damaged: {reason}")]
    Corrupt { file: String, reason: String },
    #[error("{file}: {size} pixels is larger than the studio decodes ({MAX_DECODE_PIXELS} pixels, {MAX_DECODE_SIDE} a side)")]
    TooLarge { file: String, size: ImageSize },
    #[error("class folder \"{folder}\" holds no image")]
    EmptyClass { folder: String },
    #[error("no image found; give a folder with one subfolder of PNG or JPEG images per class")]
    NoImages,
    #[error(
        "only one class folder, \"{class}\"; a classifier needs images in at least two class folders"
    )]
    OneClass { class: String },
    #[error("HOG with {pixels_per_cell}-pixel cells and {cells_per_block}-cell blocks has no block on {size} images; use smaller cells")]
    NoHogBlock {
        size: ImageSize,
        pixels_per_cell: usize,
        cells_per_block: usize,
    },
    #[error("{0}")]
    Archive(String),
    #[error(transparent)]
    Ml(#[from] crate::ml::MlError),
}

/// Why an entry was left out of a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// Not `.png`, `.jpg` or `.jpeg`.
    UnknownExtension,
    /// Directly in the top folder, not in a class folder.
    NotInClassFolder,
    /// Decoding failed (the decoder's words).
    Unreadable { reason: String },
}

/// Something a dataset read got past but the user should know, naming the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImageWarning {
    Skipped {
        file: String,
        reason: SkipReason,
    },
    Resized {
        file: String,
        from: ImageSize,
        to: ImageSize,
    },
    Converted {
        file: String,
        from: ColorMode,
        to: ColorMode,
    },
}

impl fmt::Display for ImageWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageWarning::Skipped { file, reason } => match reason {
                SkipReason::UnknownExtension => {
                    write!(f, "{file}: left out, not a .png, .jpg or .jpeg file")
                }
                SkipReason::NotInClassFolder => write!(
                    f,
                    "{file}: left out, not in a class folder (put each image in a folder named after its class)"
                ),
                SkipReason::Unreadable { reason } => write!(
                    f,
                    "{file}: left out, not a PNG or JPEG image, or it is damaged: {reason}"
                ),
            },
            ImageWarning::Resized { file, from, to } => {
                write!(f, "{file}: {from} image resized to {to}")
            }
            ImageWarning::Converted { file, from, to } => {
                write!(f, "{file}: {} image converted to {}", from.label(), to.label())
            }
        }
    }
}

/// A holdout image the model got wrong, for the gallery beside the confusion matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Misclassified {
    pub file: String,
    pub true_class: String,
    pub predicted: String,
    /// The model's probability for `predicted`.
    pub probability: f64,
}

/// At most this many misclassified examples are kept (the most confident mistakes).
pub const MAX_MISCLASSIFIED: usize = 100;

/// One image of a gallery: its path and a PNG of at most [`MAX_SIDE`] px a side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    pub file: String,
    pub png: Vec<u8>,
}

/// A class's images in a gallery: how many, and the first thumbnails in path order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassGallery {
    pub class: String,
    pub n_images: usize,
    pub thumbnails: Vec<Thumbnail>,
}
