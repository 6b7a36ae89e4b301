//! An image dataset from a list of (path, bytes) entries — a directory read, a browser folder pick or drop, a zip — class = first folder, every image brought to the common size and colour model, each image skipped, resized or converted named in a warning.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use super::decode::{decode_image, thumbnail_png, DecodedImage};
use super::resize::{convert_color, fit_within, resize_box};
use super::{
    ClassGallery, ColorMode, ImageError, ImageSize, ImageWarning, SkipReason, Thumbnail,
    IMAGE_EXTENSIONS, MAX_SIDE,
};

/// One image of a dataset at the dataset's size and colour model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledImage {
    /// The path as given (with `/` separators, any top folder kept).
    pub file: String,
    pub class: String,
    /// Row-major, `color.channels()` bytes a pixel.
    pub pixels: Vec<u8>,
}

/// Images in class folders, all of one size and colour model, in path order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageDataset {
    pub size: ImageSize,
    pub color: ColorMode,
    /// Sorted.
    pub classes: Vec<String>,
    pub images: Vec<LabelledImage>,
}

/// An image to predict: its path and its pixels at the model's size and colour model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedImage {
    pub file: String,
    pub pixels: Vec<u8>,
}

/// An entry's path with `/` separators, without a leading `./` or `/`.
pub(super) fn normalize(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut path = path.as_str();
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            return path.to_string();
        }
    }
}

/// Files a system leaves beside a user's (`.DS_Store`, `__MACOSX/`, `Thumbs.db`, any hidden
/// file or folder): left out without a word.
fn is_system_file(path: &str) -> bool {
    path.split('/').any(|part| {
        part.starts_with('.')
            || part == "__MACOSX"
            || part.eq_ignore_ascii_case("Thumbs.db")
            || part.eq_ignore_ascii_case("desktop.ini")
    })
}

fn has_image_extension(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, extension)| {
        IMAGE_EXTENSIONS
            .iter()
            .any(|known| extension.eq_ignore_ascii_case(known))
    })
}

/// Why a decoding error left a file out, in words that do not repeat its name.
fn unreadable(error: ImageError) -> SkipReason {
    let reason = match error {
        ImageError::Corrupt { reason, .. } => reason,
        ImageError::TooLarge { size, .. } => format!(
            "{size} pixels is larger than the studio decodes ({} pixels, {} a side)",
            super::MAX_DECODE_PIXELS,
            super::MAX_DECODE_SIDE
        ),
        other => other.to_string(),
    };
    SkipReason::Unreadable { reason }
}

/// The images among `entries` (paths ending in `/` are folders, listed so that an empty
/// class folder is seen), decoded, with their class folder (the first folder under one
/// optional top folder holding everything), and the folders seen.
struct Decoded {
    images: Vec<(String, Option<String>, DecodedImage)>,
    folders: BTreeMap<String, String>,
    warnings: Vec<ImageWarning>,
}

fn decode_entries(
    entries: &[(String, Vec<u8>)],
    need_class: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Decoded {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut folders: Vec<String> = Vec::new();
    for (path, bytes) in entries {
        let path = normalize(path);
        if path.is_empty() || is_system_file(path.trim_end_matches('/')) {
            continue;
        }
        if path.ends_with('/') {
            folders.push(path.trim_end_matches('/').to_string());
        } else {
            files.push((path, bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // One top folder holding every file in subfolders (`digits/3/x.png`) is not a class.
    let top = files
        .first()
        .and_then(|(path, _)| path.split_once('/'))
        .map(|(top, _)| top);
    let strip = top.filter(|top| {
        files.iter().all(|(path, _)| {
            path.strip_prefix(top)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| rest.contains('/'))
        })
    });
    let prefix_len = strip.map_or(0, |top| top.len() + 1);
    // class -> the folder's path as given.
    let mut class_folders: BTreeMap<String, String> = BTreeMap::new();
    if need_class {
        for folder in &folders {
            if folder.len() <= prefix_len || !folder.starts_with(&files_prefix(strip)) {
                continue;
            }
            let class = folder[prefix_len..].split('/').next().unwrap_or_default();
            if !class.is_empty() {
                class_folders
                    .entry(class.to_string())
                    .or_insert_with(|| folder[..prefix_len + class.len()].to_string());
            }
        }
    }
    let mut images = Vec::new();
    let mut warnings = Vec::new();
    let n_files = files.len();
    for (done, (path, bytes)) in files.into_iter().enumerate() {
        progress(done, n_files);
        let skip = |reason| ImageWarning::Skipped {
            file: path.clone(),
            reason,
        };
        if !has_image_extension(&path) {
            warnings.push(skip(SkipReason::UnknownExtension));
            continue;
        }
        let class = match path[prefix_len..].split_once('/') {
            Some((class, _)) => Some(class.to_string()),
            None if need_class => {
                warnings.push(skip(SkipReason::NotInClassFolder));
                continue;
            }
            None => None,
        };
        if let Some(class) = &class {
            class_folders
                .entry(class.clone())
                .or_insert_with(|| path[..prefix_len + class.len()].to_string());
        }
        match decode_image(&path, bytes) {
            Ok(image) => images.push((path, class, image)),
            Err(error) => warnings.push(skip(unreadable(error))),
        }
    }
    Decoded {
        images,
        folders: class_folders,
        warnings,
    }
}

fn files_prefix(strip: Option<&str>) -> String {
    strip.map_or(String::new(), |top| format!("{top}/"))
}

/// The most frequent size (ties: the larger area, then the wider) scaled down to fit
/// [`MAX_SIDE`], and the most frequent colour model (ties: RGB).
fn common_shape<'a>(images: impl Iterator<Item = &'a DecodedImage>) -> (ImageSize, ColorMode) {
    let mut sizes: HashMap<ImageSize, usize> = HashMap::new();
    let mut colors: BTreeMap<ColorMode, usize> = BTreeMap::new();
    for image in images {
        *sizes.entry(image.size).or_default() += 1;
        *colors.entry(image.color).or_default() += 1;
    }
    let size = sizes
        .into_iter()
        .max_by_key(|&(size, count)| (count, size.n_pixels(), size.width))
        .map_or(ImageSize::new(1, 1), |(size, _)| size);
    let gray = colors.get(&ColorMode::Gray).copied().unwrap_or(0);
    let rgb = colors.get(&ColorMode::Rgb).copied().unwrap_or(0);
    let color = if gray > rgb {
        ColorMode::Gray
    } else {
        ColorMode::Rgb
    };
    (fit_within(size, MAX_SIDE), color)
}

/// `image` at `size` and `color`, with a warning naming `file` for each change.
fn conform(
    file: &str,
    image: DecodedImage,
    size: ImageSize,
    color: ColorMode,
    warnings: &mut Vec<ImageWarning>,
) -> Vec<u8> {
    let mut pixels = image.pixels;
    if image.color != color {
        pixels = convert_color(&pixels, image.color, color);
        warnings.push(ImageWarning::Converted {
            file: file.to_string(),
            from: image.color,
            to: color,
        });
    }
    if image.size != size {
        pixels = resize_box(&pixels, image.size, size, color.channels());
        warnings.push(ImageWarning::Resized {
            file: file.to_string(),
            from: image.size,
            to: size,
        });
    }
    pixels
}

/// The labelled images among `entries`: PNG and JPEG files in class folders (class = the
/// first folder, under one optional top folder that holds everything, e.g.
/// `digits/3/x.png`), in path order. `shape` fixes the size and colour model (a model's);
/// without it they are the dataset's common ones (see the module doc of [`super`]).
/// Files that are not images, not in a class folder, or cannot be decoded are left out,
/// each named in a warning; so is every image resized or converted. Fails on an empty
/// class folder (naming it), no image at all, or a single class.
pub fn image_dataset(
    entries: &[(String, Vec<u8>)],
    shape: Option<(ImageSize, ColorMode)>,
) -> Result<(ImageDataset, Vec<ImageWarning>), ImageError> {
    image_dataset_with_progress(entries, shape, &mut |_, _| {})
}

/// [`image_dataset`], calling `progress(files decoded, files)` before each file is decoded
/// (a worker posts it, so a long decode shows how far it is).
pub fn image_dataset_with_progress(
    entries: &[(String, Vec<u8>)],
    shape: Option<(ImageSize, ColorMode)>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(ImageDataset, Vec<ImageWarning>), ImageError> {
    let Decoded {
        images,
        folders,
        mut warnings,
    } = decode_entries(entries, true, progress);
    let with_images: BTreeSet<&str> = images
        .iter()
        .filter_map(|(_, class, _)| class.as_deref())
        .collect();
    if images.is_empty() && folders.len() <= 1 {
        return Err(ImageError::NoImages);
    }
    if let Some((_, folder)) = folders
        .iter()
        .find(|(class, _)| !with_images.contains(class.as_str()))
    {
        return Err(ImageError::EmptyClass {
            folder: folder.clone(),
        });
    }
    let classes: Vec<String> = folders.into_keys().collect();
    if classes.len() == 1 {
        return Err(ImageError::OneClass {
            class: classes[0].clone(),
        });
    }
    let (size, color) = shape.unwrap_or_else(|| common_shape(images.iter().map(|(_, _, i)| i)));
    let images = images
        .into_iter()
        .map(|(file, class, image)| {
            let pixels = conform(&file, image, size, color, &mut warnings);
            LabelledImage {
                file,
                class: class.expect("every dataset image has a class"),
                pixels,
            }
        })
        .collect();
    Ok((
        ImageDataset {
            size,
            color,
            classes,
            images,
        },
        warnings,
    ))
}

/// [`image_dataset`] of a zip archive's files (its folders too, so an empty class folder is
/// seen), named `file` in messages.
pub fn image_dataset_from_zip(
    file: &str,
    bytes: &[u8],
    shape: Option<(ImageSize, ColorMode)>,
) -> Result<(ImageDataset, Vec<ImageWarning>), ImageError> {
    image_dataset(&zip_entries(file, bytes)?, shape)
}

/// A zip archive's files and its folders (as paths ending in `/`, empty, so that an empty
/// class folder is seen), named `file` in messages: the entries [`image_dataset`] reads.
pub fn zip_entries(file: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ImageError> {
    let mut entries = crate::archive::read_zip(file, bytes)
        .map_err(|error| ImageError::Archive(error.to_string()))?;
    if let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) {
        entries.extend(
            archive
                .file_names()
                .filter(|name| name.ends_with('/') && !name.split('/').any(|part| part == ".."))
                .map(|name| (name.to_string(), Vec::new())),
        );
    }
    Ok(entries)
}

/// Every image among `entries` (no classes needed), at `size` and `color`, in path order;
/// files that are not images or cannot be decoded are left out, each named in a warning.
pub fn images_to_predict(
    entries: &[(String, Vec<u8>)],
    size: ImageSize,
    color: ColorMode,
) -> (Vec<NamedImage>, Vec<ImageWarning>) {
    let Decoded {
        images,
        mut warnings,
        ..
    } = decode_entries(entries, false, &mut |_, _| {});
    let images = images
        .into_iter()
        .map(|(file, _, image)| {
            let pixels = conform(&file, image, size, color, &mut warnings);
            NamedImage { file, pixels }
        })
        .collect();
    (images, warnings)
}

impl ImageDataset {
    /// Images per class, classes in order.
    pub fn class_counts(&self) -> Vec<(String, usize)> {
        self.classes
            .iter()
            .map(|class| {
                let n = self.images.iter().filter(|i| &i.class == class).count();
                (class.clone(), n)
            })
            .collect()
    }

    /// A gallery: per class, its count and PNG thumbnails of its first `per_class` images in
    /// path order (at the dataset's size, at most [`MAX_SIDE`] a side).
    pub fn gallery(&self, per_class: usize) -> Vec<ClassGallery> {
        self.class_counts()
            .into_iter()
            .map(|(class, n_images)| {
                let thumbnails = self
                    .images
                    .iter()
                    .filter(|image| image.class == class)
                    .take(per_class)
                    .map(|image| Thumbnail {
                        file: image.file.clone(),
                        png: thumbnail_png(self.size, self.color, &image.pixels),
                    })
                    .collect();
                ClassGallery {
                    class,
                    n_images,
                    thumbnails,
                }
            })
            .collect()
    }

    /// The same dataset keeping only the images `keep` says yes to (classes kept).
    pub fn filter(&self, keep: impl Fn(&LabelledImage) -> bool) -> ImageDataset {
        ImageDataset {
            images: self.images.iter().filter(|i| keep(i)).cloned().collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(size: ImageSize, color: ColorMode, value: u8) -> Vec<u8> {
        thumbnail_png(
            size,
            color,
            &vec![value; size.n_pixels() * color.channels()],
        )
    }

    fn eight(value: u8) -> Vec<u8> {
        png(ImageSize::new(8, 8), ColorMode::Gray, value)
    }

    #[test]
    fn classes_are_first_folders_under_one_top_folder() {
        let entries = vec![
            ("digits/b/2.png".to_string(), eight(2)),
            ("digits/a/1.png".to_string(), eight(1)),
            ("digits/a/.DS_Store".to_string(), b"junk".to_vec()),
            ("digits/b/deeper/3.PNG".to_string(), eight(3)),
        ];
        let (dataset, warnings) = image_dataset(&entries, None).unwrap();
        assert_eq!(warnings, vec![]);
        assert_eq!(dataset.classes, vec!["a", "b"]);
        let files: Vec<&str> = dataset.images.iter().map(|i| i.file.as_str()).collect();
        assert_eq!(
            files,
            vec!["digits/a/1.png", "digits/b/2.png", "digits/b/deeper/3.PNG"]
        );
        assert_eq!(dataset.images[2].class, "b");
        assert_eq!(dataset.size, ImageSize::new(8, 8));
        assert_eq!(dataset.color, ColorMode::Gray);
        // Without the top folder, the same classes.
        let flat: Vec<(String, Vec<u8>)> = entries
            .iter()
            .map(|(p, b)| (p.trim_start_matches("digits/").to_string(), b.clone()))
            .collect();
        assert_eq!(
            image_dataset(&flat, None).unwrap().0.classes,
            vec!["a", "b"]
        );
        let gallery = dataset.gallery(1);
        assert_eq!(gallery[1].n_images, 2);
        assert_eq!(gallery[1].thumbnails.len(), 1);
        assert_eq!(
            decode_image("t.png", &gallery[1].thumbnails[0].png)
                .unwrap()
                .pixels,
            vec![2; 64]
        );
    }

    #[test]
    fn odd_images_are_conformed_and_named() {
        let entries = vec![
            ("a/1.png".to_string(), eight(10)),
            ("a/2.png".to_string(), eight(20)),
            (
                "b/big.png".to_string(),
                png(ImageSize::new(16, 16), ColorMode::Gray, 30),
            ),
            (
                "b/colour.png".to_string(),
                png(ImageSize::new(8, 8), ColorMode::Rgb, 40),
            ),
            ("b/readme.txt".to_string(), b"hello".to_vec()),
            ("b/fake.png".to_string(), b"hello".to_vec()),
            ("loose.png".to_string(), eight(1)),
        ];
        let (dataset, warnings) = image_dataset(&entries, None).unwrap();
        assert_eq!(dataset.images.len(), 4);
        assert!(dataset.images.iter().all(|i| i.pixels.len() == 64));
        let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        for name in [
            "b/big.png: 16×16 image resized to 8×8",
            "b/colour.png: RGB image converted to grayscale",
            "b/readme.txt",
            "b/fake.png",
            "loose.png",
        ] {
            assert!(
                text.iter().any(|w| w.starts_with(name)),
                "{name} in {text:?}"
            );
        }
    }

    #[test]
    fn empty_and_single_classes_are_refused_by_name() {
        let entries = vec![
            ("a/1.png".to_string(), eight(1)),
            ("b/".to_string(), Vec::new()),
        ];
        assert_eq!(
            image_dataset(&entries, None).unwrap_err(),
            ImageError::EmptyClass {
                folder: "b".to_string()
            }
        );
        let entries = vec![
            ("a/1.png".to_string(), eight(1)),
            ("b/broken.png".to_string(), b"x".to_vec()),
        ];
        assert!(image_dataset(&entries, None)
            .unwrap_err()
            .to_string()
            .contains("\"b\""));
        let entries = vec![("a/1.png".to_string(), eight(1))];
        assert!(matches!(
            image_dataset(&entries, None),
            Err(ImageError::OneClass { .. })
        ));
        assert_eq!(image_dataset(&[], None), Err(ImageError::NoImages));
    }

    #[test]
    fn zips_read_as_folders() {
        let zipped = crate::archive::write_zip(&[
            ("set/a/1.png".to_string(), eight(1)),
            ("set/b/2.png".to_string(), eight(2)),
            ("set/c/".to_string(), Vec::new()),
        ]);
        let error = image_dataset_from_zip("set.zip", &zipped, None).unwrap_err();
        assert_eq!(error.to_string(), "class folder \"set/c\" holds no image");
    }
}
