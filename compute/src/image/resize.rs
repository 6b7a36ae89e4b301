//! The box (area-averaging) resample and the grayscale/RGB conversions that bring every image to a dataset's common size and colour model.

use super::{ColorMode, ImageSize};

/// `pixels` (row-major, `channels` bytes each) of `from` resampled to `to` by area
/// averaging, as PIL's `Image.BOX`: each output pixel is the mean of the source area it
/// covers, partly covered source pixels weighted by their share. Upscaling repeats pixels
/// (blending at the seams).
pub fn resize_box(pixels: &[u8], from: ImageSize, to: ImageSize, channels: usize) -> Vec<u8> {
    if from == to {
        return pixels.to_vec();
    }
    let (fw, fh) = (from.width as usize, from.height as usize);
    let (tw, th) = (to.width as usize, to.height as usize);
    let x_weights = weights(fw, tw);
    let y_weights = weights(fh, th);
    // Horizontal pass: fh rows of tw pixels.
    let mut rows = vec![0f32; fh * tw * channels];
    for y in 0..fh {
        for (x, taps) in x_weights.iter().enumerate() {
            for c in 0..channels {
                let sum: f32 = taps
                    .iter()
                    .map(|&(source, w)| w * f32::from(pixels[(y * fw + source) * channels + c]))
                    .sum();
                rows[(y * tw + x) * channels + c] = sum;
            }
        }
    }
    let mut out = vec![0u8; th * tw * channels];
    for (y, taps) in y_weights.iter().enumerate() {
        for x in 0..tw {
            for c in 0..channels {
                let sum: f32 = taps
                    .iter()
                    .map(|&(source, w)| w * rows[(source * tw + x) * channels + c])
                    .sum();
                out[(y * tw + x) * channels + c] = sum.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// Per output position, the source positions it covers with weights summing to 1.
fn weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = from as f64 / to as f64;
    (0..to)
        .map(|i| {
            let start = i as f64 * scale;
            let end = (i + 1) as f64 * scale;
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            let mut taps: Vec<(usize, f32)> = (first..last)
                .map(|source| {
                    let covered =
                        (end.min(source as f64 + 1.0) - start.max(source as f64)).max(0.0);
                    (source, (covered / scale) as f32)
                })
                .filter(|&(_, w)| w > 0.0)
                .collect();
            let total: f32 = taps.iter().map(|&(_, w)| w).sum();
            for tap in &mut taps {
                tap.1 /= total;
            }
            taps
        })
        .collect()
}

/// `pixels` of `from`'s colour model in `to`'s: RGB to its ITU-R 601 luma (PIL's
/// `convert("L")`: `(299 R + 587 G + 114 B) / 1000`, rounded), grayscale repeated over the
/// three channels.
pub fn convert_color(pixels: &[u8], from: ColorMode, to: ColorMode) -> Vec<u8> {
    match (from, to) {
        (ColorMode::Gray, ColorMode::Gray) | (ColorMode::Rgb, ColorMode::Rgb) => pixels.to_vec(),
        (ColorMode::Rgb, ColorMode::Gray) => pixels.chunks_exact(3).map(luma).collect(),
        (ColorMode::Gray, ColorMode::Rgb) => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
    }
}

fn luma(rgb: &[u8]) -> u8 {
    let [r, g, b] = [rgb[0], rgb[1], rgb[2]].map(u32::from);
    ((r * 299 + g * 587 + b * 114 + 500) / 1000) as u8
}

/// The size `size` scaled down to fit `max_side` × `max_side`, aspect ratio kept (each side
/// at least 1); a size that fits stays as it is.
pub fn fit_within(size: ImageSize, max_side: u32) -> ImageSize {
    let longest = size.width.max(size.height);
    if longest <= max_side {
        return size;
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(max_side) + u64::from(longest) / 2) / u64::from(longest))
            .max(1) as u32
    };
    ImageSize::new(scale(size.width), scale(size.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_averages_blocks() {
        let pixels = [0, 100, 10, 10, 200, 100, 30, 50];
        let out = resize_box(&pixels, ImageSize::new(4, 2), ImageSize::new(2, 1), 1);
        assert_eq!(out, vec![100, 25]);
        // Doubling repeats each pixel.
        let out = resize_box(&[10, 20], ImageSize::new(2, 1), ImageSize::new(4, 2), 1);
        assert_eq!(out, vec![10, 10, 20, 20, 10, 10, 20, 20]);
        // A uniform image stays uniform at any size.
        let out = resize_box(
            &[77; 3 * 16 * 16],
            ImageSize::new(16, 16),
            ImageSize::new(7, 5),
            3,
        );
        assert!(out.iter().all(|&v| v == 77));
    }

    #[test]
    fn colours_convert_as_pil() {
        assert_eq!(
            convert_color(&[255, 0, 0, 0, 0, 255], ColorMode::Rgb, ColorMode::Gray),
            vec![76, 29]
        );
        assert_eq!(
            convert_color(&[9], ColorMode::Gray, ColorMode::Rgb),
            vec![9, 9, 9]
        );
    }

    #[test]
    fn large_sizes_fit_the_cap() {
        assert_eq!(
            fit_within(ImageSize::new(1024, 768), 64),
            ImageSize::new(64, 48)
        );
        assert_eq!(fit_within(ImageSize::new(8, 8), 64), ImageSize::new(8, 8));
        assert_eq!(
            fit_within(ImageSize::new(1000, 1), 64),
            ImageSize::new(64, 1)
        );
    }
}
