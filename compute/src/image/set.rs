//! An image set as the studio stores it: per-image entries (path, class, size), a content hash, the original files and lossless thumbnails at the common shape, and the dataset read back from those thumbnails for a training.
//!
//! The thumbnails are the images exactly as a training reads them (8-bit PNG at the set's
//! size and colour model, lossless), so the gallery shows what the model sees and a
//! training decodes small PNGs rather than every original again.

use std::collections::HashMap;

use super::dataset::{image_dataset_with_progress, normalize, ImageDataset, LabelledImage};
use super::decode::{decode_image, thumbnail_png};
use super::{ImageError, ImageWarning};
use crate::hash::ContentHash;
use crate::records::{ClassCount, ImageEntry, ImageSetRecord};

/// A folder's images read and ready to store: everything in the order of `dataset.images`.
#[derive(Clone, Debug)]
pub struct PreparedImageSet {
    pub dataset: ImageDataset,
    pub warnings: Vec<ImageWarning>,
    pub entries: Vec<ImageEntry>,
    pub classes: Vec<ClassCount>,
    /// See [`image_set_hash`].
    pub content_hash: ContentHash,
    /// Each image's file as given.
    pub files: Vec<Vec<u8>>,
    /// Each image at the set's size and colour model as a PNG.
    pub thumbnails: Vec<Vec<u8>>,
}

/// Reads class folders from `entries` (see [`image_dataset`]: paths ending in `/` are
/// folders) at their common shape and prepares what the studio stores of them. Fails as
/// [`image_dataset`] does, naming the folder or file.
pub fn prepare_image_set(entries: &[(String, Vec<u8>)]) -> Result<PreparedImageSet, ImageError> {
    prepare_image_set_with_progress(entries, &mut |_, _| {})
}

/// [`prepare_image_set`], calling `progress(files decoded, files)` as it decodes.
pub fn prepare_image_set_with_progress(
    entries: &[(String, Vec<u8>)],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PreparedImageSet, ImageError> {
    let (dataset, warnings) = image_dataset_with_progress(entries, None, progress)?;
    let by_path: HashMap<String, &[u8]> = entries
        .iter()
        .filter(|(path, _)| !path.ends_with('/'))
        .map(|(path, bytes)| (normalize(path), bytes.as_slice()))
        .collect();
    // An image brought to the common size names its own size in a warning.
    let resized_from: HashMap<&str, super::ImageSize> = warnings
        .iter()
        .filter_map(|warning| match warning {
            ImageWarning::Resized { file, from, .. } => Some((file.as_str(), *from)),
            _ => None,
        })
        .collect();
    let mut files = Vec::with_capacity(dataset.images.len());
    let mut entries_out = Vec::with_capacity(dataset.images.len());
    let mut thumbnails = Vec::with_capacity(dataset.images.len());
    for image in &dataset.images {
        let bytes = by_path
            .get(&image.file)
            .map(|bytes| bytes.to_vec())
            .unwrap_or_default();
        let size = resized_from
            .get(image.file.as_str())
            .copied()
            .unwrap_or(dataset.size);
        entries_out.push(ImageEntry {
            file: image.file.clone(),
            class: image.class.clone(),
            width: size.width,
            height: size.height,
            size_bytes: bytes.len() as u64,
        });
        files.push(bytes);
        thumbnails.push(thumbnail_png(dataset.size, dataset.color, &image.pixels));
    }
    let classes = dataset
        .class_counts()
        .into_iter()
        .map(|(class, n_images)| ClassCount {
            class,
            n_images: n_images as u64,
        })
        .collect();
    let content_hash = image_set_hash(&entries_out, &files);
    Ok(PreparedImageSet {
        dataset,
        warnings,
        entries: entries_out,
        classes,
        content_hash,
        files,
        thumbnails,
    })
}

/// BLAKE3 over every image's path, class and bytes, in order, each length-prefixed so that
/// no two different sets encode the same: the same folder imported twice has the same hash
/// (its images are stored once), a renamed class or a changed pixel does not.
pub fn image_set_hash(entries: &[ImageEntry], files: &[Vec<u8>]) -> ContentHash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"ml-studio image set 1\0");
    for (entry, bytes) in entries.iter().zip(files) {
        for part in [entry.file.as_bytes(), entry.class.as_bytes(), bytes] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    ContentHash(*hasher.finalize().as_bytes())
}

/// The dataset a training reads, from the stored thumbnails (in the record's image order):
/// each decoded back to exactly the pixels the import made. Refuses a thumbnail that does
/// not match the record's shape, naming its image.
pub fn dataset_from_thumbnails(
    record: &ImageSetRecord,
    thumbnails: &[Vec<u8>],
) -> Result<ImageDataset, ImageError> {
    if thumbnails.len() != record.images.len() {
        return Err(ImageError::Corrupt {
            file: record.name.clone(),
            reason: format!(
                "storage holds {} of its {} images",
                thumbnails.len(),
                record.images.len()
            ),
        });
    }
    let images = record
        .images
        .iter()
        .zip(thumbnails)
        .map(|(entry, png)| {
            let decoded = decode_image(&entry.file, png)?;
            if decoded.size != record.size || decoded.color != record.color {
                return Err(ImageError::Corrupt {
                    file: entry.file.clone(),
                    reason: format!(
                        "its stored copy is {} {}, not the set's {} {}",
                        decoded.size,
                        decoded.color.label(),
                        record.size,
                        record.color.label()
                    ),
                });
            }
            Ok(LabelledImage {
                file: entry.file.clone(),
                class: entry.class.clone(),
                pixels: decoded.pixels,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ImageDataset {
        size: record.size,
        color: record.color,
        classes: record.classes.iter().map(|c| c.class.clone()).collect(),
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{ColorMode, ImageSize};
    use crate::records::{SourceFile, RECORD_SCHEMA_VERSION};

    fn png(size: ImageSize, color: ColorMode, value: u8) -> Vec<u8> {
        thumbnail_png(
            size,
            color,
            &vec![value; size.n_pixels() * color.channels()],
        )
    }

    fn entries() -> Vec<(String, Vec<u8>)> {
        let eight = ImageSize::new(8, 8);
        vec![
            ("set/b/2.png".into(), png(eight, ColorMode::Gray, 200)),
            ("set/a/1.png".into(), png(eight, ColorMode::Gray, 10)),
            (
                "set/a/big.png".into(),
                png(ImageSize::new(16, 16), ColorMode::Gray, 90),
            ),
            ("set/b/".into(), Vec::new()),
        ]
    }

    fn record(prepared: &PreparedImageSet) -> ImageSetRecord {
        ImageSetRecord {
            schema_version: RECORD_SCHEMA_VERSION,
            image_set_id: "img-1".into(),
            name: "set".into(),
            created_at_ms: 1.0,
            content_hash: prepared.content_hash.to_hex(),
            artifact_id: "art-1".into(),
            size: prepared.dataset.size,
            color: prepared.dataset.color,
            classes: prepared.classes.clone(),
            images: prepared.entries.clone(),
            stored_bytes: 0,
            source: SourceFile {
                file_name: "set".into(),
                size_bytes: 0,
                content_hash: String::new(),
            },
            warnings: Vec::new(),
        }
    }

    #[test]
    fn entries_keep_path_class_original_size_and_bytes_in_path_order() {
        let given = entries();
        let prepared = prepare_image_set(&given).unwrap();
        let files: Vec<&str> = prepared.entries.iter().map(|e| e.file.as_str()).collect();
        assert_eq!(files, ["set/a/1.png", "set/a/big.png", "set/b/2.png"]);
        assert_eq!(prepared.entries[1].class, "a");
        assert_eq!(
            (prepared.entries[1].width, prepared.entries[1].height),
            (16, 16)
        );
        assert_eq!(
            (prepared.entries[0].width, prepared.entries[0].height),
            (8, 8)
        );
        assert_eq!(prepared.files[1], given[2].1);
        assert_eq!(prepared.entries[1].size_bytes, given[2].1.len() as u64);
        assert_eq!(
            prepared.classes,
            [
                ClassCount {
                    class: "a".into(),
                    n_images: 2
                },
                ClassCount {
                    class: "b".into(),
                    n_images: 1
                }
            ]
        );
    }

    #[test]
    fn thumbnails_decode_back_to_the_pixels_a_training_reads() {
        let prepared = prepare_image_set(&entries()).unwrap();
        let back = dataset_from_thumbnails(&record(&prepared), &prepared.thumbnails).unwrap();
        assert_eq!(back, prepared.dataset);
    }

    #[test]
    fn a_damaged_or_missing_thumbnail_is_refused_by_name() {
        let prepared = prepare_image_set(&entries()).unwrap();
        let record = record(&prepared);
        let mut thumbnails = prepared.thumbnails.clone();
        thumbnails[2] = b"junk".to_vec();
        let error = dataset_from_thumbnails(&record, &thumbnails).unwrap_err();
        assert!(error.to_string().contains("set/b/2.png"), "{error}");
        let error = dataset_from_thumbnails(&record, &prepared.thumbnails[..2]).unwrap_err();
        assert!(error.to_string().contains("2 of its 3 images"), "{error}");
    }

    #[test]
    fn the_hash_follows_content_not_order_of_arrival() {
        let mut given = entries();
        let first = prepare_image_set(&given).unwrap().content_hash;
        given.reverse();
        assert_eq!(prepare_image_set(&given).unwrap().content_hash, first);
        // The same bytes under another class are another set.
        for (path, _) in given.iter_mut().filter(|(path, _)| path == "set/b/2.png") {
            *path = "set/c/2.png".into();
        }
        given.push((
            "set/b/3.png".into(),
            png(ImageSize::new(8, 8), ColorMode::Gray, 1),
        ));
        assert_ne!(prepare_image_set(&given).unwrap().content_hash, first);
    }

    #[test]
    fn progress_counts_every_file_decoded() {
        let mut seen = Vec::new();
        prepare_image_set_with_progress(&entries(), &mut |done, total| seen.push((done, total)))
            .unwrap();
        assert_eq!(seen, [(0, 3), (1, 3), (2, 3)]);
    }

    #[test]
    fn an_empty_class_folder_is_refused_by_name() {
        let mut given = entries();
        given.push(("set/empty/".into(), Vec::new()));
        let error = prepare_image_set(&given).unwrap_err();
        assert_eq!(
            error,
            ImageError::EmptyClass {
                folder: "set/empty".into()
            }
        );
    }
}
