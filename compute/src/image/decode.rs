//! PNG and JPEG bytes to 8-bit grayscale or RGB pixels (told apart by their magic bytes, not their names), and PNG thumbnails written back.

use std::io::Cursor;

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use super::{ColorMode, ImageError, ImageSize, MAX_DECODE_PIXELS, MAX_DECODE_SIDE};

/// A decoded image: row-major pixels, `color.channels()` bytes each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedImage {
    pub size: ImageSize,
    pub color: ColorMode,
    pub pixels: Vec<u8>,
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];

/// Decodes the PNG or JPEG image `bytes` (named `file` in errors): 16-bit samples are cut to
/// 8, palettes expanded, alpha composited over black; grayscale stays one channel, anything
/// else becomes RGB. Refuses other formats, damaged data and images larger than
/// [`MAX_DECODE_SIDE`] a side or [`MAX_DECODE_PIXELS`] in all, naming the file.
pub fn decode_image(file: &str, bytes: &[u8]) -> Result<DecodedImage, ImageError> {
    let corrupt = |reason: String| ImageError::Corrupt {
        file: file.to_string(),
        reason,
    };
    if bytes.starts_with(PNG_MAGIC) {
        decode_png(file, bytes).map_err(|error| match error {
            PngFailure::Decoding(reason) => corrupt(reason),
            PngFailure::Refused(error) => error,
        })
    } else if bytes.starts_with(JPEG_MAGIC) {
        decode_jpeg(file, bytes)
    } else if bytes.is_empty() {
        Err(corrupt("the file is empty".to_string()))
    } else {
        Err(corrupt(
            "its first bytes are neither PNG's nor JPEG's signature".to_string(),
        ))
    }
}

enum PngFailure {
    Decoding(String),
    Refused(ImageError),
}

impl From<png::DecodingError> for PngFailure {
    fn from(error: png::DecodingError) -> Self {
        PngFailure::Decoding(error.to_string())
    }
}

fn check_size(file: &str, width: u32, height: u32) -> Result<ImageSize, ImageError> {
    let size = ImageSize::new(width, height);
    if width > MAX_DECODE_SIDE || height > MAX_DECODE_SIDE || size.n_pixels() > MAX_DECODE_PIXELS {
        return Err(ImageError::TooLarge {
            file: file.to_string(),
            size,
        });
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            file: file.to_string(),
            reason: format!("it declares {size} pixels"),
        });
    }
    Ok(size)
}

fn decode_png(file: &str, bytes: &[u8]) -> Result<DecodedImage, PngFailure> {
    // The decoder's own limit on what it allocates: the largest image we take, as RGBA.
    let limits = png::Limits {
        bytes: MAX_DECODE_PIXELS * 4 + (1 << 20),
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    let header = decoder.read_header_info()?;
    let size = check_size(file, header.width, header.height).map_err(PngFailure::Refused)?;
    let mut reader = decoder.read_info()?;
    let buffer_size = reader
        .output_buffer_size()
        .ok_or_else(|| PngFailure::Decoding("the image is too large to hold".to_string()))?;
    let mut buffer = vec![0; buffer_size];
    let frame = reader.next_frame(&mut buffer)?;
    buffer.truncate(frame.buffer_size());
    let n = size.n_pixels();
    let (color, pixels) = match frame.color_type {
        png::ColorType::Grayscale => (ColorMode::Gray, buffer),
        png::ColorType::GrayscaleAlpha => (
            ColorMode::Gray,
            buffer
                .chunks_exact(2)
                .map(|p| over_black(p[0], p[1]))
                .collect(),
        ),
        png::ColorType::Rgb => (ColorMode::Rgb, buffer),
        png::ColorType::Rgba => (
            ColorMode::Rgb,
            buffer
                .chunks_exact(4)
                .flat_map(|p| {
                    [
                        over_black(p[0], p[3]),
                        over_black(p[1], p[3]),
                        over_black(p[2], p[3]),
                    ]
                })
                .collect(),
        ),
        // `EXPAND` turns palettes into RGB(A); an indexed frame would be a decoder's bug.
        png::ColorType::Indexed => {
            return Err(PngFailure::Decoding(
                "a palette image the decoder did not expand".to_string(),
            ))
        }
    };
    if pixels.len() != n * color.channels() {
        return Err(PngFailure::Decoding(format!(
            "{} bytes of pixels for a {size} image",
            pixels.len()
        )));
    }
    Ok(DecodedImage {
        size,
        color,
        pixels,
    })
}

/// A sample with alpha `alpha` composited over black.
fn over_black(value: u8, alpha: u8) -> u8 {
    ((u16::from(value) * u16::from(alpha) + 127) / 255) as u8
}

fn decode_jpeg(file: &str, bytes: &[u8]) -> Result<DecodedImage, ImageError> {
    let corrupt = |reason: String| ImageError::Corrupt {
        file: file.to_string(),
        reason,
    };
    let limits = DecoderOptions::new_safe()
        .set_max_width(MAX_DECODE_SIDE as usize)
        .set_max_height(MAX_DECODE_SIDE as usize);
    let mut probe = JpegDecoder::new_with_options(ZCursor::new(bytes), limits);
    probe
        .decode_headers()
        .map_err(|error| corrupt(format!("{error:?}")))?;
    let info = probe
        .info()
        .ok_or_else(|| corrupt("no image header".to_string()))?;
    let size = check_size(file, u32::from(info.width), u32::from(info.height))?;
    let (color, space) = if info.components == 1 {
        (ColorMode::Gray, ColorSpace::Luma)
    } else {
        (ColorMode::Rgb, ColorSpace::RGB)
    };
    let mut decoder =
        JpegDecoder::new_with_options(ZCursor::new(bytes), limits.jpeg_set_out_colorspace(space));
    let pixels = decoder
        .decode()
        .map_err(|error| corrupt(format!("{error:?}")))?;
    if pixels.len() != size.n_pixels() * color.channels() {
        return Err(corrupt(format!(
            "{} bytes of pixels for a {size} image",
            pixels.len()
        )));
    }
    Ok(DecodedImage {
        size,
        color,
        pixels,
    })
}

/// The pixels as an 8-bit PNG (grayscale or RGB), for a gallery's thumbnail.
pub fn thumbnail_png(size: ImageSize, color: ColorMode, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size.width, size.height);
    encoder.set_color(match color {
        ColorMode::Gray => png::ColorType::Grayscale,
        ColorMode::Rgb => png::ColorType::Rgb,
    });
    encoder.set_depth(png::BitDepth::Eight);
    // Writing to memory fails only when the pixels do not fit the size: a caller's bug.
    let mut writer = encoder
        .write_header()
        .expect("a PNG header for a valid size");
    writer
        .write_image_data(pixels)
        .expect("pixels of the thumbnail's size");
    writer.finish().expect("an in-memory PNG always finishes");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray(width: u32, height: u32) -> DecodedImage {
        DecodedImage {
            size: ImageSize::new(width, height),
            color: ColorMode::Gray,
            pixels: (0..width * height).map(|i| (i * 7 % 256) as u8).collect(),
        }
    }

    #[test]
    fn a_png_round_trips() {
        let image = gray(5, 3);
        let bytes = thumbnail_png(image.size, image.color, &image.pixels);
        assert_eq!(decode_image("a.png", &bytes).unwrap(), image);
        let rgb: Vec<u8> = (0..12).map(|i| i * 20).collect();
        let bytes = thumbnail_png(ImageSize::new(2, 2), ColorMode::Rgb, &rgb);
        let decoded = decode_image("b.png", &bytes).unwrap();
        assert_eq!((decoded.color, decoded.pixels), (ColorMode::Rgb, rgb));
    }

    #[test]
    fn damage_is_named() {
        let image = gray(8, 8);
        let bytes = thumbnail_png(image.size, image.color, &image.pixels);
        let error = decode_image("3/cut.png", &bytes[..bytes.len() / 2]).unwrap_err();
        assert!(error.to_string().starts_with("3/cut.png: "), "{error}");
        let error = decode_image("notes.png", b"hello").unwrap_err();
        assert!(error.to_string().contains("signature"), "{error}");
        let error = decode_image("x.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap_err();
        assert!(error.to_string().starts_with("x.jpg: "), "{error}");
    }

    #[test]
    fn huge_images_are_refused_before_decoding() {
        let error = check_size("big.png", 10_000, 10_000).unwrap_err();
        assert!(
            matches!(&error, ImageError::TooLarge { file, .. } if file == "big.png"),
            "{error}"
        );
        assert!(check_size("ok.png", 4_000, 3_000).is_ok());
        assert!(check_size("flat.png", 0, 3).is_err());
    }

    #[test]
    fn alpha_goes_over_black() {
        assert_eq!(over_black(200, 255), 200);
        assert_eq!(over_black(200, 0), 0);
        assert_eq!(over_black(255, 128), 128);
    }
}
