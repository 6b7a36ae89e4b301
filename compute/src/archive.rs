//! Zip archives as lists of files: reading one a user drops (with limits, so a zip bomb or a damaged archive is refused by name) and writing one to download (deflate).
//!
//! Paths are kept as the archive spells them, with `/` separators; directories, and entries
//! whose path escapes the archive (`..`, an absolute path), are left out.

use std::io::{Cursor, Read, Write};

use thiserror::Error;

/// A file in an archive: its path inside it and its bytes.
pub type ArchiveFile = (String, Vec<u8>);

/// How much an archive may unpack to, in all (a zip bomb stops here, not at the tab's memory).
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;
/// How many files an archive may hold.
pub const MAX_FILES: usize = 500_000;

#[derive(Clone, Debug, Error, PartialEq)]
pub enum ArchiveError {
    #[error("{file} is not a zip archive, or it is damaged: {reason}")]
    NotZip { file: String, reason: String },
    #[error("{file}: entry \"{entry}\" cannot be read: {reason}")]
    BadEntry {
        file: String,
        entry: String,
        reason: String,
    },
    #[error("{file} unpacks to more than {limit_mb} MB; split it into smaller archives")]
    TooLarge { file: String, limit_mb: u64 },
    #[error("{file} holds more than {limit} files")]
    TooManyFiles { file: String, limit: usize },
}

/// Every file in the zip archive `bytes` (named `file` in messages), in archive order.
pub fn read_zip(file: &str, bytes: &[u8]) -> Result<Vec<ArchiveFile>, ArchiveError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::NotZip {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    if archive.len() > MAX_FILES {
        return Err(ArchiveError::TooManyFiles {
            file: file.to_string(),
            limit: MAX_FILES,
        });
    }
    let too_large = || ArchiveError::TooLarge {
        file: file.to_string(),
        limit_mb: MAX_UNPACKED_BYTES >> 20,
    };
    let mut unpacked: u64 = 0;
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| ArchiveError::NotZip {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        if entry.is_dir() {
            continue;
        }
        // `enclosed_name` is `None` for a path that would escape the archive.
        let Some(path) = entry.enclosed_name() else {
            continue;
        };
        let path = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        // The declared size may lie: the read below is bounded by what is left.
        let left = MAX_UNPACKED_BYTES - unpacked;
        if entry.size() > left {
            return Err(too_large());
        }
        let mut content = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(left + 1)
            .read_to_end(&mut content)
            .map_err(|e| ArchiveError::BadEntry {
                file: file.to_string(),
                entry: path.clone(),
                reason: e.to_string(),
            })?;
        unpacked += content.len() as u64;
        if unpacked > MAX_UNPACKED_BYTES {
            return Err(too_large());
        }
        files.push((path, content));
    }
    Ok(files)
}

/// A zip archive (deflate) of `files`, in the order given; a path ending in `/` is written
/// as a folder (MLflow reads a run only when its empty folders exist).
pub fn write_zip(files: &[ArchiveFile]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (path, bytes) in files {
        if path.ends_with('/') {
            writer
                .add_directory(path.as_str(), options)
                .expect("an in-memory archive takes any folder");
            continue;
        }
        // Writing to memory cannot fail but for sizes past zip64, which these are not.
        writer
            .start_file(path.as_str(), options)
            .expect("an in-memory archive takes any entry");
        writer
            .write_all(bytes)
            .expect("an in-memory archive takes any bytes");
    }
    writer
        .finish()
        .expect("an in-memory archive always finishes")
        .into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_through_a_zip() {
        let files = vec![
            (
                "mlruns/0/meta.yaml".to_string(),
                b"name: Default\n".to_vec(),
            ),
            (
                "mlruns/0/abc/metrics/r2".to_string(),
                b"1 0.5 0\n".repeat(1000),
            ),
            ("empty".to_string(), Vec::new()),
        ];
        let zipped = write_zip(&files);
        assert!(zipped.len() < 2_000, "deflated: {} bytes", zipped.len());
        assert_eq!(read_zip("runs.zip", &zipped).unwrap(), files);
        // Folders are written as such and not read back as files.
        let with_folder = vec![
            ("mlruns/0/abc/params/".to_string(), Vec::new()),
            (
                "mlruns/0/abc/meta.yaml".to_string(),
                b"run_id: abc\n".to_vec(),
            ),
        ];
        let zipped = write_zip(&with_folder);
        let archive = zip::ZipArchive::new(Cursor::new(&zipped)).unwrap();
        assert!(archive
            .file_names()
            .any(|name| name == "mlruns/0/abc/params/"));
        assert_eq!(read_zip("runs.zip", &zipped).unwrap(), with_folder[1..]);
    }

    #[test]
    fn damage_is_refused_by_name() {
        let error = read_zip("runs.zip", b"not a zip at all").unwrap_err();
        assert!(
            matches!(&error, ArchiveError::NotZip { file, .. } if file == "runs.zip"),
            "{error}"
        );
        let mut zipped = write_zip(&[("a.txt".to_string(), b"hello hello hello".to_vec())]);
        // Cut off the central directory.
        zipped.truncate(zipped.len() / 2);
        assert!(read_zip("cut.zip", &zipped)
            .unwrap_err()
            .to_string()
            .starts_with("cut.zip"));
    }

    #[test]
    fn paths_that_escape_are_left_out() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("../evil", options).unwrap();
        writer.write_all(b"x").unwrap();
        writer.add_directory("folder/", options).unwrap();
        writer.start_file("folder/ok", options).unwrap();
        writer.write_all(b"y").unwrap();
        let zipped = writer.finish().unwrap().into_inner();
        assert_eq!(
            read_zip("a.zip", &zipped).unwrap(),
            vec![("folder/ok".to_string(), b"y".to_vec())]
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = read_zip("fuzz.zip", &bytes);
        }
    }
}
