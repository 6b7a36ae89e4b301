//! Streaming CSV/TSV reader on `csv-core`: delimiter and header detection, type inference, errors naming file, row and column.
//!
//! Bytes arrive in chunks cut anywhere (mid-record, mid-quote, mid-UTF-8 sequence, between
//! `\r` and `\n`). The first 64 KiB are held back to reject binary files and to sniff the
//! delimiter. After that, each field's text is appended to its column's byte buffer, so the
//! file's raw text is never kept whole: lines without quotes are split directly, and
//! csv-core tokenizes the rest (quoted fields, records cut by a chunk boundary). At `finish`
//! the header is decided and each column is converted to a typed Arrow array (see
//! `infer`), its text buffer dropped as soon as it is converted.
//!
//! Rows in messages are 1-based line numbers as a text editor shows them, so a user can go
//! straight to the line.

pub(crate) mod infer;
mod sniff;

use std::collections::HashMap;
use std::fmt;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use thiserror::Error;

use crate::frame::{Column, Frame, FrameError};
use infer::{build_column, classify, is_missing, FieldStore, Kind};
use sniff::{check_text, sniff_delimiter, SNIFF_BYTES};

/// The largest file the in-browser import accepts (1 GiB); wasm32 memory tops out at 4 GiB
/// and an import peaks at a few times the file size.
pub const MAX_IMPORT_BYTES: u64 = 1 << 30;

/// How many values per column the header vote looks at.
const HEADER_SAMPLE_VALUES: usize = 1000;

/// Options a user can set; `None` means "work it out from the file".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter; `None` sniffs among `,` `;` tab and `|`.
    pub delimiter: Option<u8>,
    /// Whether the first row holds column names; `None` detects it.
    pub has_header: Option<bool>,
}

/// A parsed file: the frame and the choices made while reading it.
#[derive(Clone, Debug)]
pub struct Imported {
    pub frame: Frame,
    pub delimiter: u8,
    pub has_header: bool,
    /// Things the user should know that did not stop the import, e.g. skipped blank lines.
    pub warnings: Vec<String>,
}

/// Why a file could not be imported, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    pub file_name: String,
    /// 1-based line number in the file, as a text editor shows it.
    pub row: Option<u64>,
    pub column: Option<String>,
    pub kind: ImportErrorKind,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file_name)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column \"{column}\"")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// What is wrong with the file; each message says what to do about it.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ImportErrorKind {
    #[error("the file is empty; choose a file with a header row and at least one data row")]
    Empty,
    #[error("the file has a header row but no data rows; add rows below the header")]
    HeaderOnly,
    #[error(
        "has {found} fields, expected {expected} like the first row; \
         check this row for a missing or extra delimiter, or quote fields that contain one"
    )]
    WrongFieldCount { found: usize, expected: usize },
    #[error("not valid UTF-8 (byte 0x{byte:02X}); save the file as UTF-8 and import it again")]
    InvalidUtf8 { byte: u8 },
    #[error("the file is UTF-16 encoded; save the file as UTF-8 and import it again")]
    Utf16,
    #[error("does not look like a text file ({reason}); {advice}")]
    NotText {
        reason: String,
        advice: &'static str,
    },
    #[error(
        "a quoted field opened on row {opened_row} is never closed; \
         add the missing closing quote (\")"
    )]
    UnterminatedQuote { opened_row: u64 },
    #[error("column name \"{name}\" appears twice (columns {first} and {second}); rename one")]
    DuplicateColumn {
        name: String,
        first: usize,
        second: usize,
    },
    #[error(
        "the file is {}, more than the {} the browser can import; \
         use the native command-line tool for bigger files",
        format_size(*.size_bytes),
        format_size(MAX_IMPORT_BYTES)
    )]
    TooLarge { size_bytes: u64 },
    /// Boxed: a frame error is rare here and would make every `Result` larger.
    #[error(transparent)]
    Frame(Box<FrameError>),
}

fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if value.fract() == 0.0 {
                format!("{value:.0} {unit}")
            } else {
                format!("{value:.1} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// Checks a file's size before any of it is read.
pub fn check_import_size(file_name: &str, size_bytes: u64) -> Result<(), ImportError> {
    if size_bytes > MAX_IMPORT_BYTES {
        return Err(ImportError {
            file_name: file_name.to_string(),
            row: None,
            column: None,
            kind: ImportErrorKind::TooLarge { size_bytes },
        });
    }
    Ok(())
}

/// Reads a whole file held in memory.
pub fn read_csv(
    file_name: &str,
    bytes: &[u8],
    options: CsvOptions,
) -> Result<Imported, ImportError> {
    let mut importer = CsvImporter::new(file_name, options);
    importer.push(bytes)?;
    importer.finish()
}

/// An error located in the file, before the file name is attached.
#[derive(Debug)]
struct Failure {
    row: Option<u64>,
    column: Option<String>,
    kind: ImportErrorKind,
}

impl Failure {
    fn of(kind: ImportErrorKind) -> Failure {
        Failure {
            row: None,
            column: None,
            kind,
        }
    }
}

/// Reads a file pushed in chunks of any size.
pub struct CsvImporter {
    file_name: String,
    options: CsvOptions,
    bytes_consumed: u64,
    stage: Stage,
    failed: Option<ImportError>,
}

enum Stage {
    /// The first bytes, held until there are enough to sniff (or the file ends).
    Sniffing(Vec<u8>),
    Reading(Box<Reading>),
}

impl CsvImporter {
    pub fn new(file_name: &str, options: CsvOptions) -> Self {
        CsvImporter {
            file_name: file_name.to_string(),
            options,
            bytes_consumed: 0,
            stage: Stage::Sniffing(Vec::new()),
            failed: None,
        }
    }

    /// Bytes pushed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.bytes_consumed
    }

    /// Records parsed so far, a header row included; the first 64 KiB only count once the
    /// delimiter is known.
    pub fn rows_read(&self) -> u64 {
        match &self.stage {
            Stage::Sniffing(_) => 0,
            Stage::Reading(reading) => reading.records.n_records,
        }
    }

    /// Parses the next chunk. After an error, every later call returns the same error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.push_inner(chunk);
        result.map_err(|failure| self.fail(failure))
    }

    /// Ends the file: decides the header, infers the types and builds the frame.
    pub fn finish(mut self) -> Result<Imported, ImportError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let result = self.finish_inner();
        result.map_err(|failure| self.fail(failure))
    }

    fn fail(&mut self, failure: Failure) -> ImportError {
        let error = ImportError {
            file_name: self.file_name.clone(),
            row: failure.row,
            column: failure.column,
            kind: failure.kind,
        };
        self.failed = Some(error.clone());
        error
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<(), Failure> {
        self.bytes_consumed += chunk.len() as u64;
        if self.bytes_consumed > MAX_IMPORT_BYTES {
            return Err(Failure::of(ImportErrorKind::TooLarge {
                size_bytes: self.bytes_consumed,
            }));
        }
        match &mut self.stage {
            Stage::Reading(reading) => reading.feed(chunk),
            Stage::Sniffing(start) => {
                let taken = chunk.len().min(SNIFF_BYTES - start.len());
                start.extend_from_slice(&chunk[..taken]);
                if start.len() < SNIFF_BYTES {
                    return Ok(());
                }
                let start = std::mem::take(start);
                let mut reading = self.start_reading(&start, false)?;
                reading.feed(&chunk[taken..])?;
                self.stage = Stage::Reading(reading);
                Ok(())
            }
        }
    }

    fn finish_inner(&mut self) -> Result<Imported, Failure> {
        let stage = std::mem::replace(&mut self.stage, Stage::Sniffing(Vec::new()));
        let reading = match stage {
            Stage::Reading(reading) => reading,
            Stage::Sniffing(start) => self.start_reading(&start, true)?,
        };
        reading.finish()
    }

    fn start_reading(&self, start: &[u8], complete: bool) -> Result<Box<Reading>, Failure> {
        let body = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
        if complete && body.iter().all(u8::is_ascii_whitespace) {
            return Err(Failure::of(ImportErrorKind::Empty));
        }
        check_text(body).map_err(Failure::of)?;
        let delimiter = self
            .options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(body, complete, &self.file_name));
        let mut reading = Box::new(Reading::new(delimiter, self.options.has_header));
        reading.feed(body)?;
        Ok(reading)
    }
}

/// The first record, kept apart until we know whether it is a header.
struct FirstRecord {
    fields: Vec<Vec<u8>>,
    line: u64,
}

/// Tokenizing state once the delimiter is known.
///
/// Records without quotes (most records of most files) are split here directly, straight
/// from the pushed chunk into the column stores; csv-core takes over for a record with a
/// quote or a lone `\r`, or one cut by the end of a chunk, and hands the record back at its
/// end. Both paths produce the same fields, so results do not depend on where chunks end.
struct Reading {
    reader: Reader,
    delimiter: u8,
    /// Byte classes for the simple-record scan: 0 ordinary, 1 delimiter, 2 `\n`, 3 `"` or `\r`.
    classes: [u8; 256],
    /// Whether csv-core is between records, so the next record may take the simple path.
    at_record_start: bool,
    /// `\n`s consumed by the simple path, which csv-core's line counter did not see.
    simple_newlines: u64,
    /// csv-core's output for the current record: field texts back to back…
    out: Vec<u8>,
    out_len: usize,
    /// …and where each field ends.
    ends: Vec<usize>,
    ends_len: usize,
    /// Scratch bounds of the current record's fields, for either path.
    field_starts: Vec<usize>,
    field_ends: Vec<usize>,
    /// The last byte handed to csv-core, to tell a record ended by `\n` from one ended by
    /// `\r` or by the end of the file.
    last_byte: u8,
    /// The raw bytes of the record csv-core is in the middle of, kept only to explain an
    /// unclosed quote.
    pending_raw: Vec<u8>,
    records: Records,
}

/// What the records read so far add up to.
struct Records {
    has_header: Option<bool>,
    first: Option<FirstRecord>,
    columns: Vec<FieldStore>,
    n_records: u64,
    /// The line on which the previous record ended (0 before the first).
    previous_end_line: u64,
    n_blank_lines: u64,
    first_blank_line: u64,
}

/// One record's fields: `buffer[starts[i]..ends[i]]`, on lines `start_line..=end_line`.
struct RecordView<'a> {
    buffer: &'a [u8],
    starts: &'a [usize],
    ends: &'a [usize],
    start_line: u64,
    end_line: u64,
}

impl Reading {
    fn new(delimiter: u8, has_header: Option<bool>) -> Reading {
        let mut classes = [0u8; 256];
        classes[usize::from(delimiter)] = 1;
        classes[usize::from(b'\n')] = 2;
        classes[usize::from(b'"')] = 3;
        classes[usize::from(b'\r')] = 3;
        Reading {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            classes,
            at_record_start: true,
            simple_newlines: 0,
            out: vec![0; 64 * 1024],
            out_len: 0,
            ends: vec![0; 256],
            ends_len: 0,
            field_starts: Vec::new(),
            field_ends: Vec::new(),
            last_byte: 0,
            pending_raw: Vec::new(),
            records: Records {
                has_header,
                first: None,
                columns: Vec::new(),
                n_records: 0,
                previous_end_line: 0,
                n_blank_lines: 0,
                first_blank_line: 0,
            },
        }
    }

    /// The 1-based line the next unread byte is on.
    fn line(&self) -> u64 {
        self.reader.line() + self.simple_newlines
    }

    /// Tokenizes the next piece of the file.
    fn feed(&mut self, input: &[u8]) -> Result<(), Failure> {
        // csv-core reads empty input as the end of the file.
        if input.is_empty() {
            return Ok(());
        }
        self.tokenize(input)
    }

    /// Tells csv-core the file has ended: it emits the last record if that had no line
    /// break.
    fn end(&mut self) -> Result<(), Failure> {
        self.tokenize(&[])
    }

    fn tokenize(&mut self, input: &[u8]) -> Result<(), Failure> {
        let mut position = 0;
        loop {
            if self.at_record_start {
                while let Some(consumed) = self.simple_record(&input[position..])? {
                    position += consumed;
                }
            }
            let (result, n_in, n_out, n_ends) = self.reader.read_record(
                &input[position..],
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            if n_in > 0 {
                self.pending_raw
                    .extend_from_slice(&input[position..position + n_in]);
                position += n_in;
                self.last_byte = input[position - 1];
                self.at_record_start = false;
            }
            self.out_len += n_out;
            self.ends_len += n_ends;
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Ok(()),
                ReadRecordResult::OutputFull => {
                    let grown = self.out.len() * 2;
                    self.out.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    self.pending_raw.clear();
                    self.at_record_start = true;
                    self.csv_core_record()?;
                }
            }
        }
    }

    /// Reads one record from the front of `rest` if it is a whole line without quotes or
    /// stray `\r`, returning the bytes consumed (a blank line is consumed too); `None`
    /// leaves the record to csv-core.
    #[inline]
    fn simple_record(&mut self, rest: &[u8]) -> Result<Option<usize>, Failure> {
        let mut n_fields = 0;
        let mut field_start = 0;
        let mut index = 0;
        let line_end = loop {
            while index < rest.len() && self.classes[usize::from(rest[index])] == 0 {
                index += 1;
            }
            let Some(&byte) = rest.get(index) else {
                return Ok(None);
            };
            match self.classes[usize::from(byte)] {
                1 => {
                    // Written by index rather than pushed: see `FieldStore`.
                    if n_fields + 1 >= self.field_starts.len() {
                        let grown = (2 * self.field_starts.len()).max(64);
                        self.field_starts.resize(grown, 0);
                        self.field_ends.resize(grown, 0);
                    }
                    self.field_starts[n_fields] = field_start;
                    self.field_ends[n_fields] = index;
                    n_fields += 1;
                    field_start = index + 1;
                    index += 1;
                }
                2 => break index,
                _ if byte == b'\r' && rest.get(index + 1) == Some(&b'\n') => {
                    index += 1;
                    break index - 1;
                }
                _ => return Ok(None),
            }
        };
        let consumed = index + 1;
        let line = self.line();
        self.simple_newlines += 1;
        self.last_byte = b'\n';
        if line_end == 0 {
            // A blank line: csv-core skips these too; `Records` counts them from the gap.
            return Ok(Some(consumed));
        }
        if n_fields + 1 > self.field_starts.len() {
            self.field_starts.resize(n_fields + 1, 0);
            self.field_ends.resize(n_fields + 1, 0);
        }
        self.field_starts[n_fields] = field_start;
        self.field_ends[n_fields] = line_end;
        n_fields += 1;
        self.records.accept(RecordView {
            buffer: rest,
            starts: &self.field_starts[..n_fields],
            ends: &self.field_ends[..n_fields],
            start_line: line,
            end_line: line,
        })?;
        Ok(Some(consumed))
    }

    fn csv_core_record(&mut self) -> Result<(), Failure> {
        let out = &self.out[..self.out_len];
        let ends = &self.ends[..self.ends_len];
        // Newlines inside quoted fields are copied to the output, so the line the record
        // started on is its end line minus those.
        let end_line =
            self.reader.line() + self.simple_newlines - u64::from(self.last_byte == b'\n');
        let start_line = end_line - count_newlines(out) as u64;
        if ends.len() > self.field_starts.len() {
            // Both scratch vectors keep one length; the simple path relies on it.
            self.field_starts.resize(ends.len(), 0);
            self.field_ends.resize(ends.len(), 0);
        }
        let starts = &mut self.field_starts[..ends.len()];
        starts[0] = 0;
        starts[1..].copy_from_slice(&ends[..ends.len() - 1]);
        let result = self.records.accept(RecordView {
            // The whole buffer, so short fields can be copied with a fixed-size move.
            buffer: &self.out,
            starts,
            ends,
            start_line,
            end_line,
        });
        self.out_len = 0;
        self.ends_len = 0;
        result
    }

    /// The line of the quote that is still open at the end of the file, if any.
    fn unclosed_quote_line(&self) -> Option<u64> {
        let pending = self.pending_raw.as_slice();
        if pending.is_empty() {
            return None;
        }
        // csv-core keeps its state private (and its `Clone` loses the tables), so a fresh
        // tokenizer replays the unfinished record and is fed one newline: inside a quoted
        // field the newline becomes part of the field (one byte out, no record); anywhere
        // else it ends the record or is skipped as a blank line.
        let mut probe = ReaderBuilder::new().delimiter(self.delimiter).build();
        let mut out = vec![0u8; pending.len() + 1];
        let mut ends = vec![0usize; pending.len() + 2];
        let (result, n_in, _, _) = probe.read_record(pending, &mut out, &mut ends);
        if result != ReadRecordResult::InputEmpty || n_in != pending.len() {
            return None;
        }
        let (result, _, n_out, _) = probe.read_record(b"\n", &mut out, &mut ends);
        if result != ReadRecordResult::InputEmpty || n_out != 1 {
            return None;
        }
        let pending_line = self.line() - count_newlines(pending) as u64;
        let quote = last_opening_quote(pending, self.delimiter);
        Some(pending_line + count_newlines(&pending[..quote]) as u64)
    }

    fn finish(mut self: Box<Self>) -> Result<Imported, Failure> {
        if let Some(opened_row) = self.unclosed_quote_line() {
            return Err(Failure::of(ImportErrorKind::UnterminatedQuote {
                opened_row,
            }));
        }
        self.end()?;
        let delimiter = self.delimiter;
        self.records.finish(delimiter)
    }
}

impl Records {
    /// The name used for column `index` in messages before the header is decided.
    fn column_label(&self, index: usize) -> String {
        let from_header = match (&self.first, self.has_header) {
            (Some(first), None | Some(true)) => first
                .fields
                .get(index)
                .and_then(|field| std::str::from_utf8(field).ok())
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty()),
            _ => None,
        };
        from_header.unwrap_or_else(|| format!("column_{}", index + 1))
    }

    fn accept(&mut self, record: RecordView<'_>) -> Result<(), Failure> {
        let RecordView {
            buffer,
            starts,
            ends,
            start_line,
            end_line,
        } = record;
        let span = &buffer[starts[0]..ends[ends.len() - 1]];
        let mut blank_before = start_line.saturating_sub(self.previous_end_line + 1);
        let blank_from = self.previous_end_line + 1;
        self.previous_end_line = end_line;

        let is_blank = match &self.first {
            None => false,
            Some(first) if ends.len() == first.fields.len() => false,
            Some(first) => {
                let blank = ends.len() == 1
                    && first.fields.len() > 1
                    && span.iter().all(|&b| b == b' ' || b == b'\t');
                if !blank {
                    return Err(Failure {
                        row: Some(start_line),
                        column: None,
                        kind: ImportErrorKind::WrongFieldCount {
                            found: ends.len(),
                            expected: first.fields.len(),
                        },
                    });
                }
                blank
            }
        };
        if is_blank {
            blank_before += 1;
        }
        if blank_before > 0 {
            if self.n_blank_lines == 0 {
                self.first_blank_line = blank_from;
            }
            self.n_blank_lines += blank_before;
        }
        if is_blank {
            return Ok(());
        }
        if !span.is_ascii() {
            for (index, (&start, &end)) in starts.iter().zip(ends).enumerate() {
                if let Err(error) = std::str::from_utf8(&buffer[start..end]) {
                    let position = start + error.valid_up_to();
                    let is_header_row = self.first.is_none();
                    return Err(Failure {
                        row: Some(start_line + count_newlines(&buffer[starts[0]..position]) as u64),
                        column: (!is_header_row).then(|| self.column_label(index)),
                        kind: ImportErrorKind::InvalidUtf8 {
                            byte: buffer[position],
                        },
                    });
                }
            }
        }
        if self.first.is_none() {
            let fields = starts
                .iter()
                .zip(ends)
                .map(|(&start, &end)| buffer[start..end].to_vec())
                .collect::<Vec<_>>();
            self.columns = (0..fields.len()).map(|_| FieldStore::default()).collect();
            self.first = Some(FirstRecord {
                fields,
                line: start_line,
            });
        } else {
            for ((store, &start), &end) in self.columns.iter_mut().zip(starts).zip(ends) {
                store.push_from(buffer, start, end);
            }
        }
        self.n_records += 1;
        Ok(())
    }

    fn finish(mut self, delimiter: u8) -> Result<Imported, Failure> {
        let Some(first) = self.first.take() else {
            return Err(Failure::of(ImportErrorKind::Empty));
        };
        let stores = std::mem::take(&mut self.columns);
        let mut warnings = Vec::new();
        if self.n_blank_lines > 0 {
            warnings.push(match self.n_blank_lines {
                1 => format!("skipped a blank line (row {})", self.first_blank_line),
                n => format!(
                    "skipped {n} blank lines (the first on row {})",
                    self.first_blank_line
                ),
            });
        }
        let has_header = match self.has_header {
            Some(has_header) => has_header,
            None if self.n_records == 1 => true,
            None => {
                let detected = looks_like_header(&first.fields, &stores);
                if !detected {
                    warnings.push(format!(
                        "the first row looks like data, not column names, so the columns are \
                         named column_1 to column_{}",
                        first.fields.len()
                    ));
                }
                detected
            }
        };
        if has_header && self.n_records == 1 {
            return Err(Failure::of(ImportErrorKind::HeaderOnly));
        }

        let names = if has_header {
            header_names(&first, &mut warnings)?
        } else {
            (1..=first.fields.len())
                .map(|index| format!("column_{index}"))
                .collect()
        };
        let mut columns = Vec::with_capacity(names.len());
        for ((name, store), first_value) in names.into_iter().zip(stores).zip(&first.fields) {
            let first_value = (!has_header).then_some(first_value.as_slice());
            let (column_type, array) = build_column(first_value, &store);
            // Each column's text is freed as soon as it is converted.
            drop(store);
            columns.push(
                Column::new(name, column_type, array)
                    .map_err(|error| Failure::of(ImportErrorKind::Frame(Box::new(error))))?,
            );
        }
        let frame = Frame::new(columns)
            .map_err(|error| Failure::of(ImportErrorKind::Frame(Box::new(error))))?;
        Ok(Imported {
            frame,
            delimiter,
            has_header,
            warnings,
        })
    }
}

/// Column names from the header row: trimmed, generated where empty, never repeated.
fn header_names(first: &FirstRecord, warnings: &mut Vec<String>) -> Result<Vec<String>, Failure> {
    let mut names = Vec::with_capacity(first.fields.len());
    let mut position_of: HashMap<String, usize> = HashMap::with_capacity(first.fields.len());
    for (index, field) in first.fields.iter().enumerate() {
        let text = String::from_utf8_lossy(field);
        let mut name = text.trim().to_string();
        if name.is_empty() {
            name = format!("column_{}", index + 1);
            warnings.push(format!(
                "column {} has no name in the header row, so it is called \"{name}\"",
                index + 1
            ));
        }
        if let Some(&earlier) = position_of.get(&name) {
            return Err(Failure {
                row: Some(first.line),
                column: None,
                kind: ImportErrorKind::DuplicateColumn {
                    name,
                    first: earlier + 1,
                    second: index + 1,
                },
            });
        }
        position_of.insert(name.clone(), index);
        names.push(name);
    }
    Ok(names)
}

/// Votes on whether the first row names the columns. A column votes "header" when its first
/// value is text but the values below it are numbers, booleans or dates ("age" above ages),
/// and "data" when its first value fits the values below it or repeats one of them. The
/// first row is a header unless only "data" votes were cast; like pandas, a file of text
/// columns is assumed to have a header.
fn looks_like_header(first: &[Vec<u8>], stores: &[FieldStore]) -> bool {
    let (mut header_votes, mut data_votes) = (0, 0);
    for (value, store) in first.iter().zip(stores) {
        if is_missing(value) {
            continue;
        }
        let sample: Vec<&[u8]> = store
            .iter()
            .filter(|value| !is_missing(value))
            .take(HEADER_SAMPLE_VALUES)
            .collect();
        let Some(below) = sample
            .iter()
            .map(|value| classify(value))
            .reduce(Kind::join)
        else {
            continue;
        };
        let own = classify(value);
        if below == Kind::Text {
            if sample.contains(&value.as_slice()) {
                data_votes += 1;
            }
        } else if own == Kind::Text {
            header_votes += 1;
        } else {
            data_votes += 1;
        }
    }
    header_votes > 0 || data_votes == 0
}

/// Where the quote that opened the last quoted field of `raw` is (RFC 4180 quoting: a
/// quote opens a field only at its start, and `""` inside one is an escaped quote).
fn last_opening_quote(raw: &[u8], delimiter: u8) -> usize {
    let (mut opened_at, mut in_quotes, mut at_field_start) = (0, false, true);
    let mut index = 0;
    while index < raw.len() {
        let byte = raw[index];
        if in_quotes {
            if byte == b'"' {
                if raw.get(index + 1) == Some(&b'"') {
                    index += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if byte == b'"' && at_field_start {
            in_quotes = true;
            opened_at = index;
        }
        at_field_start = !in_quotes && (byte == delimiter || byte == b'\n' || byte == b'\r');
        index += 1;
    }
    opened_at
}

#[inline]
fn count_newlines(bytes: &[u8]) -> usize {
    // Most records have no newline inside; `contains` is core's word-at-a-time memchr.
    if bytes.contains(&b'\n') {
        bytes.iter().filter(|&&byte| byte == b'\n').count()
    } else {
        0
    }
}

#[cfg(test)]
mod tests;
