//! Normalized pixels and gradient-orientation histograms (like `skimage.feature.hog`) as a frame of numeric columns, with `file` and `label` beside them for the tabular AutoML.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, StringArray};

use super::{ColorMode, FeatureParams, HogParams, ImageError, ImageSize};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// The column holding each image's path: left out of the features, kept to name the rows.
pub const FILE_COLUMN: &str = "file";
/// The column holding each image's class.
pub const LABEL_COLUMN: &str = "label";

/// The feature columns' names for images of `size` and `color`, in order.
pub fn feature_names(params: &FeatureParams, size: ImageSize, color: ColorMode) -> Vec<String> {
    let mut names = Vec::new();
    if params.pixels {
        for i in 0..size.n_pixels() {
            match color {
                ColorMode::Gray => names.push(format!("pixel_{i}")),
                ColorMode::Rgb => {
                    for channel in ["r", "g", "b"] {
                        names.push(format!("pixel_{i}_{channel}"));
                    }
                }
            }
        }
    }
    if let Some(hog) = &params.hog {
        names.extend((0..hog.n_features(size)).map(|i| format!("hog_{i}")));
    }
    names
}

/// Refuses parameters that give no feature on images of `size`.
pub fn check_features(params: &FeatureParams, size: ImageSize) -> Result<(), ImageError> {
    params.check()?;
    if let Some(hog) = &params.hog {
        if hog.n_features(size) == 0 {
            return Err(ImageError::NoHogBlock {
                size,
                pixels_per_cell: hog.pixels_per_cell,
                cells_per_block: hog.cells_per_block,
            });
        }
    }
    Ok(())
}

/// One image's features, in [`feature_names`] order: pixels divided by 255, then its HOG.
pub fn image_features(
    params: &FeatureParams,
    size: ImageSize,
    color: ColorMode,
    pixels: &[u8],
) -> Vec<f64> {
    let mut features = Vec::new();
    if params.pixels {
        features.extend(pixels.iter().map(|&v| f64::from(v) / 255.0));
    }
    if let Some(hog_params) = &params.hog {
        let gray: Vec<f64> = match color {
            ColorMode::Gray => pixels.iter().map(|&v| f64::from(v) / 255.0).collect(),
            ColorMode::Rgb => pixels
                .chunks_exact(3)
                .map(|p| {
                    (0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
                        / 255.0
                })
                .collect(),
        };
        features.extend(hog(&gray, size, hog_params));
    }
    features
}

/// The HOG of a grayscale image (values in [0, 1], row-major) as skimage computes it with
/// `block_norm="L2-Hys"`: central-difference gradients (0 on the border), each pixel's
/// magnitude added to the bin of its unsigned orientation, cell sums divided by the cell's
/// pixel count, blocks slid one cell at a time, each normalized, clipped at 0.2 and
/// normalized again. Cells that do not fit whole are left out, as skimage does.
pub fn hog(gray: &[f64], size: ImageSize, params: &HogParams) -> Vec<f64> {
    let (width, height) = (size.width as usize, size.height as usize);
    let ppc = params.pixels_per_cell;
    let (cells_x, cells_y) = (width / ppc, height / ppc);
    let bins = params.orientations;
    let mut cells = vec![0f64; cells_x * cells_y * bins];
    let at = |x: usize, y: usize| gray[y * width + x];
    for y in 0..cells_y * ppc {
        for x in 0..cells_x * ppc {
            let gx = if x == 0 || x + 1 >= width {
                0.0
            } else {
                at(x + 1, y) - at(x - 1, y)
            };
            let gy = if y == 0 || y + 1 >= height {
                0.0
            } else {
                at(x, y + 1) - at(x, y - 1)
            };
            let magnitude = gx.hypot(gy);
            if magnitude == 0.0 {
                continue;
            }
            // Unsigned orientation in [0, 180).
            let mut degrees = gy.atan2(gx).to_degrees();
            if degrees < 0.0 {
                degrees += 180.0;
            }
            if degrees >= 180.0 {
                degrees -= 180.0;
            }
            let bin = ((degrees / 180.0 * bins as f64) as usize).min(bins - 1);
            cells[((y / ppc) * cells_x + x / ppc) * bins + bin] += magnitude;
        }
    }
    let per_cell = (ppc * ppc) as f64;
    for value in &mut cells {
        *value /= per_cell;
    }
    let cpb = params.cells_per_block;
    let mut features = Vec::with_capacity(params.n_features(size));
    let eps = 1e-5f64;
    for by in 0..(cells_y + 1).saturating_sub(cpb) {
        for bx in 0..(cells_x + 1).saturating_sub(cpb) {
            let start = features.len();
            for cy in by..by + cpb {
                for cx in bx..bx + cpb {
                    let cell = (cy * cells_x + cx) * bins;
                    features.extend_from_slice(&cells[cell..cell + bins]);
                }
            }
            let block = &mut features[start..];
            let norm = (block.iter().map(|v| v * v).sum::<f64>() + eps * eps).sqrt();
            for value in block.iter_mut() {
                *value = (*value / norm).min(0.2);
            }
            let norm = (block.iter().map(|v| v * v).sum::<f64>() + eps * eps).sqrt();
            for value in block.iter_mut() {
                *value /= norm;
            }
        }
    }
    features
}

/// A frame of `files` (the `file` column), their feature columns, and, given, a `label`
/// column: one row per image, pixels of `size` and `color` each.
pub fn feature_frame(
    params: &FeatureParams,
    size: ImageSize,
    color: ColorMode,
    files: &[&str],
    pixels: &[&[u8]],
    labels: Option<&[&str]>,
) -> Frame {
    let names = feature_names(params, size, color);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(files.len()); names.len()];
    for image in pixels {
        for (column, value) in values
            .iter_mut()
            .zip(image_features(params, size, color, image))
        {
            column.push(value);
        }
    }
    let string_column = |name: &str, items: &[&str]| {
        let array: StringArray = items.iter().map(|item| Some(*item)).collect();
        Column::new(name, ColumnType::String, Arc::new(array) as ArrayRef)
            .expect("a Utf8 array is a string column")
    };
    let mut columns = vec![string_column(FILE_COLUMN, files)];
    for (name, column) in names.iter().zip(values) {
        columns.push(
            Column::new(
                name,
                ColumnType::Float,
                Arc::new(Float64Array::from(column)) as ArrayRef,
            )
            .expect("a Float64 array is a float column"),
        );
    }
    if let Some(labels) = labels {
        columns.push(string_column(LABEL_COLUMN, labels));
    }
    Frame::new(columns).expect("feature columns have distinct names and equal lengths")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vertical_edge_fills_the_horizontal_bin() {
        // Left half dark, right half bright: gradients point along x (0°).
        let size = ImageSize::new(8, 8);
        let gray: Vec<f64> = (0..64).map(|i| if i % 8 < 4 { 0.0 } else { 1.0 }).collect();
        let params = HogParams::default();
        let features = hog(&gray, size, &params);
        assert_eq!(features.len(), params.n_features(size));
        assert_eq!(features.len(), 36);
        // Every non-zero value sits in bin 0 of a cell.
        for (i, &value) in features.iter().enumerate() {
            if i % 9 != 0 {
                assert_eq!(value, 0.0, "feature {i}");
            }
        }
        assert!(features[0] > 0.0);
        // A flat image has no gradient at all.
        assert!(hog(&[0.5; 64], size, &params).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn names_match_values() {
        let params = FeatureParams {
            pixels: true,
            hog: Some(HogParams::default()),
        };
        let size = ImageSize::new(8, 8);
        let names = feature_names(&params, size, ColorMode::Rgb);
        let values = image_features(&params, size, ColorMode::Rgb, &[255; 192]);
        assert_eq!(names.len(), values.len());
        assert_eq!(names[0], "pixel_0_r");
        assert_eq!(values[0], 1.0);
        assert!(check_features(&params, ImageSize::new(4, 4)).is_err());
    }
}
