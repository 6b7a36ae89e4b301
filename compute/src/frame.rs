//! A light polars-like frame on arrow-rs arrays: columns with our logical types, canonical content hash, Arrow IPC chunks, row windows.
//!
//! A [`Frame`] is deliberately small: the kernels work on the Arrow arrays underneath, the
//! frame only guarantees that columns line up (equal lengths, unique names) and that each
//! array has the Arrow type its [`ColumnType`] promises:
//!
//! | ColumnType  | Arrow type                        |
//! |-------------|-----------------------------------|
//! | Integer     | Int64                             |
//! | Float       | Float64                           |
//! | Boolean     | Boolean                           |
//! | String      | Utf8                              |
//! | Categorical | Dictionary(Int32, Utf8)           |
//! | Date        | Date32                            |
//! | Datetime    | Timestamp(Millisecond, no zone)   |

pub(crate) mod calendar;

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, PrimitiveBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Float64Type, Int32Type, Int64Type, TimestampMillisecondType,
};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int32Array, RecordBatch, RecordBatchOptions, StringArray,
};
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use thiserror::Error;

use crate::hash::ContentHash;
use crate::schema::{ColumnSummary, ColumnType};

/// Field metadata key under which IPC chunks record each column's [`ColumnType`], so that a
/// categorical column does not come back as a plain string one (or a future Arrow mapping
/// change cannot silently retype stored data).
pub const TYPE_METADATA_KEY: &str = "studio.type";

/// Tag that starts the canonical encoding behind [`Frame::content_hash`]. Changing the
/// encoding means changing this tag: stored datasets are named by their hash.
const CONTENT_HASH_VERSION: &[u8] = b"studio.frame.content.v1\0";

/// The Arrow type a column of `column_type` is stored as.
pub fn arrow_type(column_type: ColumnType) -> DataType {
    match column_type {
        ColumnType::Integer => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::String => DataType::Utf8,
        ColumnType::Categorical => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
        }
        ColumnType::Date => DataType::Date32,
        ColumnType::Datetime => DataType::Timestamp(TimeUnit::Millisecond, None),
    }
}

fn column_type_from_label(label: &str) -> Option<ColumnType> {
    [
        ColumnType::Integer,
        ColumnType::Float,
        ColumnType::Boolean,
        ColumnType::String,
        ColumnType::Categorical,
        ColumnType::Date,
        ColumnType::Datetime,
    ]
    .into_iter()
    .find(|column_type| column_type.label() == label)
}

fn column_type_from_arrow(data_type: &DataType) -> Option<ColumnType> {
    [
        ColumnType::Integer,
        ColumnType::Float,
        ColumnType::Boolean,
        ColumnType::String,
        ColumnType::Categorical,
        ColumnType::Date,
        ColumnType::Datetime,
    ]
    .into_iter()
    .find(|column_type| &arrow_type(*column_type) == data_type)
}

/// Everything that can go wrong building, storing or reloading a frame.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FrameError {
    #[error(
        "column \"{column}\" has {found} rows, expected {expected} like the columns before it"
    )]
    LengthMismatch {
        column: String,
        found: usize,
        expected: usize,
    },
    #[error("column name \"{name}\" appears twice; rename one")]
    DuplicateColumn { name: String },
    #[error("column \"{column}\" is typed {column_type} but holds Arrow data of type {found}")]
    TypeMismatch {
        column: String,
        column_type: &'static str,
        found: String,
    },
    #[error("rows per chunk must be at least 1")]
    InvalidChunkSize,
    #[error("no stored chunks were given; the dataset's data is missing")]
    NoChunks,
    #[error("stored chunk {chunk} could not be read ({message}); import the file again")]
    Ipc { chunk: usize, message: String },
    #[error("stored chunk {chunk} has different columns from chunk 0; import the file again")]
    ChunkSchemaMismatch { chunk: usize },
    #[error("column \"{column}\" has unknown type \"{label}\"; this data was written by a newer version")]
    UnknownColumnType { column: String, label: String },
    #[error("could not write column data ({message})")]
    Arrow { message: String },
}

impl From<ArrowError> for FrameError {
    fn from(error: ArrowError) -> Self {
        FrameError::Arrow {
            message: error.to_string(),
        }
    }
}

/// One named, typed column.
#[derive(Clone, Debug)]
pub struct Column {
    name: String,
    column_type: ColumnType,
    array: ArrayRef,
}

impl Column {
    /// Checks that `array` has the Arrow type `column_type` maps to.
    pub fn new(
        name: impl Into<String>,
        column_type: ColumnType,
        array: ArrayRef,
    ) -> Result<Column, FrameError> {
        let name = name.into();
        if array.data_type() != &arrow_type(column_type) {
            return Err(FrameError::TypeMismatch {
                column: name,
                column_type: column_type.label(),
                found: array.data_type().to_string(),
            });
        }
        Ok(Column {
            name,
            column_type,
            array,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn column_type(&self) -> ColumnType {
        self.column_type
    }

    pub fn array(&self) -> &ArrayRef {
        &self.array
    }

    pub fn len(&self) -> usize {
        self.array.len()
    }

    pub fn is_empty(&self) -> bool {
        self.array.is_empty()
    }

    pub fn null_count(&self) -> usize {
        self.array.logical_null_count()
    }

    /// The display string of row `row` (`None` for a missing value); see [`Frame::row_window`].
    pub fn display_value(&self, row: usize) -> Option<String> {
        let array = self.array.as_ref();
        if array.is_null(row) {
            return None;
        }
        Some(match self.column_type {
            ColumnType::Integer => array.as_primitive::<Int64Type>().value(row).to_string(),
            ColumnType::Float => array.as_primitive::<Float64Type>().value(row).to_string(),
            ColumnType::Boolean => array.as_boolean().value(row).to_string(),
            ColumnType::String => array.as_string::<i32>().value(row).to_string(),
            ColumnType::Categorical => {
                let dictionary = array.as_dictionary::<Int32Type>();
                let key = dictionary.keys().value(row) as usize;
                dictionary
                    .values()
                    .as_string::<i32>()
                    .value(key)
                    .to_string()
            }
            ColumnType::Date => {
                calendar::format_date(i64::from(array.as_primitive::<Date32Type>().value(row)))
            }
            ColumnType::Datetime => calendar::format_datetime(
                array.as_primitive::<TimestampMillisecondType>().value(row),
            ),
        })
    }

    fn field(&self) -> Field {
        Field::new(self.name.clone(), arrow_type(self.column_type), true)
            .with_metadata([(TYPE_METADATA_KEY, self.column_type.label())])
    }
}

/// Columns of equal length with unique names.
#[derive(Clone, Debug)]
pub struct Frame {
    columns: Vec<Column>,
    n_rows: usize,
}

impl Frame {
    pub fn new(columns: Vec<Column>) -> Result<Frame, FrameError> {
        let n_rows = columns.first().map_or(0, Column::len);
        let mut seen = HashMap::with_capacity(columns.len());
        for column in &columns {
            if column.len() != n_rows {
                return Err(FrameError::LengthMismatch {
                    column: column.name.clone(),
                    found: column.len(),
                    expected: n_rows,
                });
            }
            if seen.insert(column.name.as_str(), ()).is_some() {
                return Err(FrameError::DuplicateColumn {
                    name: column.name.clone(),
                });
            }
        }
        Ok(Frame { columns, n_rows })
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    pub fn column_summaries(&self) -> Vec<ColumnSummary> {
        self.columns
            .iter()
            .map(|column| ColumnSummary {
                name: column.name.clone(),
                column_type: column.column_type,
                missing_count: column.null_count() as u64,
            })
            .collect()
    }

    /// Memory held by the Arrow buffers, in bytes.
    pub fn estimated_size_bytes(&self) -> u64 {
        self.columns
            .iter()
            .map(|column| column.array.get_array_memory_size() as u64)
            .sum()
    }

    /// A hash of the frame's names, types and values, independent of how the arrays are
    /// chunked, dictionary-encoded or laid out in memory, and of the Arrow version.
    ///
    /// The canonical encoding: the version tag, `n_rows` and `n_cols` (u64 LE), then per
    /// column its name and type label (u64 LE length + UTF-8), then per row a flag byte
    /// (0 missing, 1 present) followed, when present, by the value: i64 / f64 LE (with -0.0
    /// written as 0.0 and every NaN as the canonical quiet NaN), one byte for a boolean,
    /// u64 LE length + UTF-8 for strings and categories (hashed by their text, never by
    /// dictionary key), i32 LE days for dates, i64 LE milliseconds for datetimes.
    pub fn content_hash(&self) -> ContentHash {
        let mut sink = HashSink::new();
        sink.bytes(CONTENT_HASH_VERSION);
        sink.u64(self.n_rows as u64);
        sink.u64(self.columns.len() as u64);
        for column in &self.columns {
            sink.text(column.name.as_bytes());
            sink.text(column.column_type.label().as_bytes());
            hash_values(&mut sink, column);
        }
        sink.finish()
    }

    /// The Arrow schema the frame is written with: each column nullable, its
    /// [`ColumnType`] in the field metadata under [`TYPE_METADATA_KEY`].
    pub fn arrow_schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns.iter().map(Column::field).collect::<Vec<_>>(),
        ))
    }

    /// Rows `[start, start + len)` as one Arrow record batch with `schema`
    /// ([`Frame::arrow_schema`]); the arrays are shared, not copied.
    pub fn record_batch(
        &self,
        schema: &SchemaRef,
        start: usize,
        len: usize,
    ) -> Result<RecordBatch, ArrowError> {
        let arrays = self
            .columns
            .iter()
            .map(|column| column.array.slice(start, len))
            .collect();
        RecordBatch::try_new_with_options(
            schema.clone(),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(len)),
        )
    }

    /// The frame as Arrow IPC streams of at most `rows_per_chunk` rows each; an empty frame
    /// gives one chunk holding only the schema and an empty batch.
    pub fn to_ipc_chunks(&self, rows_per_chunk: usize) -> Result<Vec<Vec<u8>>, FrameError> {
        if rows_per_chunk == 0 {
            return Err(FrameError::InvalidChunkSize);
        }
        let schema = self.arrow_schema();
        let mut chunks = Vec::with_capacity(self.n_rows.div_ceil(rows_per_chunk).max(1));
        let mut start = 0;
        loop {
            let len = rows_per_chunk.min(self.n_rows - start);
            let batch = self.record_batch(&schema, start, len)?;
            let mut writer = StreamWriter::try_new(Vec::new(), &schema)?;
            writer.write(&batch)?;
            writer.finish()?;
            chunks.push(writer.into_inner()?);
            start += len;
            if start >= self.n_rows {
                return Ok(chunks);
            }
        }
    }

    /// Reassembles a frame from the chunks [`Frame::to_ipc_chunks`] wrote, in order.
    pub fn from_ipc_chunks(chunks: &[&[u8]]) -> Result<Frame, FrameError> {
        if chunks.is_empty() {
            return Err(FrameError::NoChunks);
        }
        let mut schema: Option<SchemaRef> = None;
        let mut parts: Vec<Vec<ArrayRef>> = Vec::new();
        for (index, chunk) in chunks.iter().enumerate() {
            let ipc_error = |error: ArrowError| FrameError::Ipc {
                chunk: index,
                message: error.to_string(),
            };
            let reader = StreamReader::try_new(*chunk, None).map_err(ipc_error)?;
            let chunk_schema = reader.schema();
            match &schema {
                None => {
                    parts = vec![Vec::new(); chunk_schema.fields().len()];
                    schema = Some(chunk_schema);
                }
                Some(first) if same_columns(first, &chunk_schema) => {}
                Some(_) => return Err(FrameError::ChunkSchemaMismatch { chunk: index }),
            }
            for batch in reader {
                let batch = batch.map_err(ipc_error)?;
                for (part, array) in parts.iter_mut().zip(batch.columns()) {
                    part.push(array.clone());
                }
            }
        }
        let schema = schema.expect("at least one chunk was read");
        let mut columns = Vec::with_capacity(parts.len());
        for (field, part) in schema.fields().iter().zip(parts) {
            let column_type = match field.metadata().get(TYPE_METADATA_KEY) {
                Some(label) => {
                    column_type_from_label(label).ok_or_else(|| FrameError::UnknownColumnType {
                        column: field.name().clone(),
                        label: label.clone(),
                    })?
                }
                None => column_type_from_arrow(field.data_type()).ok_or_else(|| {
                    FrameError::TypeMismatch {
                        column: field.name().clone(),
                        column_type: "unknown",
                        found: field.data_type().to_string(),
                    }
                })?,
            };
            if field.data_type() != &arrow_type(column_type) {
                return Err(FrameError::TypeMismatch {
                    column: field.name().clone(),
                    column_type: column_type.label(),
                    found: field.data_type().to_string(),
                });
            }
            let array = concat(column_type, &part, field.data_type())?;
            columns.push(Column::new(field.name().clone(), column_type, array)?);
        }
        Frame::new(columns)
    }

    /// Display strings for rows `[start, start + len)`, clipped to the frame; `None` marks a
    /// missing value. Floats print as the shortest text that reads back to the same value
    /// (Rust's `{}`), dates as `YYYY-MM-DD`, datetimes as `YYYY-MM-DD HH:MM:SS[.mmm]`.
    pub fn row_window(&self, start: usize, len: usize) -> Vec<Vec<Option<String>>> {
        let start = start.min(self.n_rows);
        let end = start.saturating_add(len).min(self.n_rows);
        (start..end)
            .map(|row| {
                self.columns
                    .iter()
                    .map(|column| column.display_value(row))
                    .collect()
            })
            .collect()
    }
}

fn same_columns(first: &Schema, other: &Schema) -> bool {
    first.fields().len() == other.fields().len()
        && first.fields().iter().zip(other.fields()).all(|(a, b)| {
            a.name() == b.name()
                && a.data_type() == b.data_type()
                && a.metadata().get(TYPE_METADATA_KEY) == b.metadata().get(TYPE_METADATA_KEY)
        })
}

/// Concatenates one column's per-chunk arrays (arrow-select is not a dependency; our seven
/// types are simple to append through builders).
fn concat(
    column_type: ColumnType,
    parts: &[ArrayRef],
    data_type: &DataType,
) -> Result<ArrayRef, FrameError> {
    if parts.len() == 1 {
        return Ok(parts[0].clone());
    }
    let n_rows: usize = parts.iter().map(|part| part.len()).sum();
    Ok(match column_type {
        ColumnType::Integer => concat_primitive::<Int64Type>(parts, n_rows),
        ColumnType::Float => concat_primitive::<Float64Type>(parts, n_rows),
        ColumnType::Date => concat_primitive::<Date32Type>(parts, n_rows),
        ColumnType::Datetime => concat_primitive::<TimestampMillisecondType>(parts, n_rows),
        ColumnType::Boolean => {
            let mut builder = BooleanBuilder::with_capacity(n_rows);
            for part in parts {
                builder.extend(part.as_boolean().iter());
            }
            Arc::new(builder.finish())
        }
        ColumnType::String => {
            let n_bytes = parts
                .iter()
                .map(|part| part.as_string::<i32>().values().len())
                .sum();
            let mut builder = StringBuilder::with_capacity(n_rows, n_bytes);
            for part in parts {
                for value in part.as_string::<i32>() {
                    builder.append_option(value);
                }
            }
            Arc::new(builder.finish())
        }
        ColumnType::Categorical => concat_categorical(parts, n_rows)?,
    })
    .and_then(|array: ArrayRef| {
        if array.data_type() == data_type {
            Ok(array)
        } else {
            Err(FrameError::Arrow {
                message: format!("concatenated {} into {}", data_type, array.data_type()),
            })
        }
    })
}

fn concat_primitive<T: ArrowPrimitiveType>(parts: &[ArrayRef], n_rows: usize) -> ArrayRef {
    let mut builder = PrimitiveBuilder::<T>::with_capacity(n_rows);
    for part in parts {
        let array = part.as_primitive::<T>();
        if array.null_count() == 0 {
            builder.append_slice(array.values());
        } else {
            builder.extend(array.iter());
        }
    }
    Arc::new(builder.finish())
}

/// Merges dictionaries by text; only values some row uses enter the merged dictionary.
fn concat_categorical(parts: &[ArrayRef], n_rows: usize) -> Result<ArrayRef, FrameError> {
    let mut merged: Vec<&str> = Vec::new();
    let mut index_of: HashMap<&str, i32> = HashMap::new();
    let mut keys: Vec<Option<i32>> = Vec::with_capacity(n_rows);
    for part in parts {
        let dictionary = part.as_dictionary::<Int32Type>();
        let values = dictionary.values().as_string::<i32>();
        let mut remap: Vec<Option<i32>> = vec![None; values.len()];
        for key in dictionary.keys() {
            keys.push(match key {
                None => None,
                Some(key) => {
                    let slot = &mut remap[key as usize];
                    Some(match *slot {
                        Some(merged_key) => merged_key,
                        None => {
                            let text = values.value(key as usize);
                            let merged_key = *index_of.entry(text).or_insert_with(|| {
                                merged.push(text);
                                (merged.len() - 1) as i32
                            });
                            *slot = Some(merged_key);
                            merged_key
                        }
                    })
                }
            });
        }
    }
    let values: ArrayRef = Arc::new(StringArray::from(merged));
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        Int32Array::from(keys),
        values,
    )?))
}

/// Buffers the canonical encoding so BLAKE3 sees large updates, not one per value.
struct HashSink {
    hasher: blake3::Hasher,
    buffer: Vec<u8>,
}

impl HashSink {
    const FLUSH_BYTES: usize = 64 * 1024;

    fn new() -> HashSink {
        HashSink {
            hasher: blake3::Hasher::new(),
            buffer: Vec::with_capacity(Self::FLUSH_BYTES + 64),
        }
    }

    #[inline]
    fn bytes(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= Self::FLUSH_BYTES {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
    }

    #[inline]
    fn u64(&mut self, value: u64) {
        self.bytes(&value.to_le_bytes());
    }

    #[inline]
    fn text(&mut self, text: &[u8]) {
        self.u64(text.len() as u64);
        self.bytes(text);
    }

    fn finish(mut self) -> ContentHash {
        self.hasher.update(&self.buffer);
        ContentHash(*self.hasher.finalize().as_bytes())
    }
}

fn canonical_f64(value: f64) -> [u8; 8] {
    let value = if value == 0.0 {
        0.0
    } else if value.is_nan() {
        f64::NAN
    } else {
        value
    };
    value.to_bits().to_le_bytes()
}

fn hash_values(sink: &mut HashSink, column: &Column) {
    let array = column.array.as_ref();
    let present = |row: usize| !array.is_null(row);
    match column.column_type {
        ColumnType::Integer => {
            let values = array.as_primitive::<Int64Type>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.bytes(&values.value(row).to_le_bytes());
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::Float => {
            let values = array.as_primitive::<Float64Type>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.bytes(&canonical_f64(values.value(row)));
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::Boolean => {
            let values = array.as_boolean();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1, u8::from(values.value(row))]);
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::String => {
            let values = array.as_string::<i32>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.text(values.value(row).as_bytes());
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::Categorical => {
            let dictionary = array.as_dictionary::<Int32Type>();
            let keys = dictionary.keys();
            let values = dictionary.values().as_string::<i32>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.text(values.value(keys.value(row) as usize).as_bytes());
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::Date => {
            let values = array.as_primitive::<Date32Type>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.bytes(&values.value(row).to_le_bytes());
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
        ColumnType::Datetime => {
            let values = array.as_primitive::<TimestampMillisecondType>();
            for row in 0..array.len() {
                if present(row) {
                    sink.bytes(&[1]);
                    sink.bytes(&values.value(row).to_le_bytes());
                } else {
                    sink.bytes(&[0]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, TimestampMillisecondArray,
    };

    fn sample() -> Frame {
        let species: DictionaryArray<Int32Type> =
            vec![Some("Adelie"), None, Some("Gentoo"), Some("Adelie")]
                .into_iter()
                .collect();
        Frame::new(vec![
            Column::new(
                "n",
                ColumnType::Integer,
                Arc::new(Int64Array::from(vec![Some(1), None, Some(-3), Some(4)])),
            )
            .unwrap(),
            Column::new(
                "x",
                ColumnType::Float,
                Arc::new(Float64Array::from(vec![
                    Some(0.1),
                    Some(-0.0),
                    None,
                    Some(1e21),
                ])),
            )
            .unwrap(),
            Column::new(
                "ok",
                ColumnType::Boolean,
                Arc::new(BooleanArray::from(vec![
                    Some(true),
                    Some(false),
                    None,
                    Some(true),
                ])),
            )
            .unwrap(),
            Column::new(
                "name",
                ColumnType::String,
                Arc::new(StringArray::from(vec![
                    Some("a,b"),
                    Some(""),
                    None,
                    Some("é"),
                ])),
            )
            .unwrap(),
            Column::new("species", ColumnType::Categorical, Arc::new(species)).unwrap(),
            Column::new(
                "day",
                ColumnType::Date,
                Arc::new(Date32Array::from(vec![
                    Some(0),
                    Some(-1),
                    None,
                    Some(11_016),
                ])),
            )
            .unwrap(),
            Column::new(
                "at",
                ColumnType::Datetime,
                Arc::new(TimestampMillisecondArray::from(vec![
                    Some(1_357_034_400_000),
                    Some(1_357_034_400_042),
                    None,
                    Some(0),
                ])),
            )
            .unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn rejects_unequal_lengths_and_duplicate_names() {
        let short = || {
            Column::new(
                "a",
                ColumnType::Integer,
                Arc::new(Int64Array::from(vec![1])),
            )
            .unwrap()
        };
        let long = Column::new(
            "b",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![1, 2])),
        )
        .unwrap();
        let error = Frame::new(vec![short(), long]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column \"b\" has 2 rows, expected 1 like the columns before it"
        );
        let error = Frame::new(vec![short(), short()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column name \"a\" appears twice; rename one"
        );
        let error =
            Column::new("a", ColumnType::Float, Arc::new(Int64Array::from(vec![1]))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column \"a\" is typed float but holds Arrow data of type Int64"
        );
    }

    #[test]
    fn summaries_and_window() {
        let frame = sample();
        assert_eq!((frame.n_rows(), frame.n_cols()), (4, 7));
        let summaries = frame.column_summaries();
        assert_eq!(summaries[0].missing_count, 1);
        assert_eq!(summaries[4].column_type, ColumnType::Categorical);
        assert!(frame.estimated_size_bytes() > 0);
        let text = |cells: &[Option<&str>]| -> Vec<Option<String>> {
            cells.iter().map(|cell| cell.map(str::to_string)).collect()
        };
        assert_eq!(
            frame.row_window(1, 100),
            vec![
                text(&[
                    None,
                    Some("-0"),
                    Some("false"),
                    Some(""),
                    None,
                    Some("1969-12-31"),
                    Some("2013-01-01 10:00:00.042")
                ]),
                text(&[Some("-3"), None, None, None, Some("Gentoo"), None, None]),
                text(&[
                    Some("4"),
                    Some("1000000000000000000000"),
                    Some("true"),
                    Some("é"),
                    Some("Adelie"),
                    Some("2000-02-29"),
                    Some("1970-01-01 00:00:00")
                ]),
            ]
        );
        assert!(frame.row_window(4, 10).is_empty());
        assert!(frame.row_window(usize::MAX, usize::MAX).is_empty());
    }

    #[test]
    fn ipc_round_trip_keeps_types_and_hash_for_every_chunk_size() {
        let frame = sample();
        let hash = frame.content_hash();
        for rows_per_chunk in 1..=5 {
            let chunks = frame.to_ipc_chunks(rows_per_chunk).unwrap();
            assert_eq!(chunks.len(), 4usize.div_ceil(rows_per_chunk));
            let slices: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let back = Frame::from_ipc_chunks(&slices).unwrap();
            assert_eq!(back.column_summaries(), frame.column_summaries());
            assert_eq!(back.content_hash(), hash);
            assert_eq!(back.row_window(0, 4), frame.row_window(0, 4));
        }
    }

    #[test]
    fn empty_frames_round_trip() {
        let empty = Frame::new(vec![Column::new(
            "a",
            ColumnType::String,
            Arc::new(StringArray::from(Vec::<&str>::new())),
        )
        .unwrap()])
        .unwrap();
        let chunks = empty.to_ipc_chunks(10).unwrap();
        assert_eq!(chunks.len(), 1);
        let back = Frame::from_ipc_chunks(&[&chunks[0]]).unwrap();
        assert_eq!(back.n_rows(), 0);
        assert_eq!(back.content_hash(), empty.content_hash());
        assert_eq!(
            empty.to_ipc_chunks(0).unwrap_err(),
            FrameError::InvalidChunkSize
        );
        assert_eq!(
            Frame::from_ipc_chunks(&[]).unwrap_err(),
            FrameError::NoChunks
        );
        assert!(matches!(
            Frame::from_ipc_chunks(&[b"not arrow"]).unwrap_err(),
            FrameError::Ipc { chunk: 0, .. }
        ));
    }

    #[test]
    fn hash_ignores_layout_but_not_content() {
        let frame = sample();
        // Same values, different dictionary order and an unused dictionary entry.
        let reordered = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![Some(2), None, Some(0), Some(2)]),
            Arc::new(StringArray::from(vec!["Gentoo", "Chinstrap", "Adelie"])),
        )
        .unwrap();
        let mut columns = frame.columns().to_vec();
        columns[4] = Column::new("species", ColumnType::Categorical, Arc::new(reordered)).unwrap();
        // Same float column with +0.0 instead of -0.0.
        columns[1] = Column::new(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![
                Some(0.1),
                Some(0.0),
                None,
                Some(1e21),
            ])),
        )
        .unwrap();
        assert_eq!(
            Frame::new(columns.clone()).unwrap().content_hash(),
            frame.content_hash()
        );

        // A null slot's hidden value does not matter, but a changed value does.
        columns[0] = Column::new(
            "n",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![Some(1), None, Some(-3), Some(5)])),
        )
        .unwrap();
        assert_ne!(
            Frame::new(columns.clone()).unwrap().content_hash(),
            frame.content_hash()
        );

        // Same text typed differently is different content.
        let as_string: ArrayRef = Arc::new(StringArray::from(vec![
            Some("Adelie"),
            None,
            Some("Gentoo"),
            Some("Adelie"),
        ]));
        let mut retyped = frame.columns().to_vec();
        retyped[4] = Column::new("species", ColumnType::String, as_string).unwrap();
        assert_ne!(
            Frame::new(retyped).unwrap().content_hash(),
            frame.content_hash()
        );
    }
}
