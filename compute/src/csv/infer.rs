//! Type inference and conversion: field text collected per column becomes one typed Arrow array.
//!
//! A column's kind starts as the kind of its first present value and widens along a small
//! lattice when a later value does not fit (Integer → Float, Date → Datetime, anything →
//! Text). Each widening restarts the conversion of that column, so a column is parsed at
//! most three times and usually once; no value is parsed twice in the common case.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampMillisecondArray,
};
use arrow_buffer::{BooleanBufferBuilder, NullBufferBuilder, OffsetBuffer, ScalarBuffer};

use crate::frame::calendar::{days_from_civil, days_in_month, MS_PER_DAY};
use crate::schema::ColumnType;

/// Texts read as a missing value in every column type: pandas' default `na_values`, which
/// is what users of the files we import have usually been writing. Surrounding spaces are
/// ignored.
#[inline]
pub(crate) fn is_missing(value: &[u8]) -> bool {
    // A `match` on literals compiles to a switch on the length, then a compare or two.
    let exact = |value: &[u8]| {
        matches!(
            value,
            b"" | b"NA"
                | b"N/A"
                | b"n/a"
                | b"NaN"
                | b"nan"
                | b"#NA"
                | b"-NaN"
                | b"-nan"
                | b"null"
                | b"NULL"
                | b"None"
                | b"<NA>"
                | b"#N/A"
                | b"1.#IND"
                | b"-1.#IND"
                | b"1.#QNAN"
                | b"-1.#QNAN"
                | b"#N/A N/A"
        )
    };
    if value.len() > 8 {
        return false;
    }
    exact(value)
        || (matches!(
            value.first().zip(value.last()),
            Some((b' ' | b'\t', _) | (_, b' ' | b'\t'))
        ) && exact(trim(value)))
}

/// The most distinct values a text column may have and still be stored as categorical.
pub(crate) const MAX_CATEGORIES: usize = 1000;

/// A text column is categorical when it has at most this many distinct present values:
/// one category per 20 present values, at least 2 and at most [`MAX_CATEGORIES`] (and each
/// category appears at least twice on average). Species, islands and sexes qualify; names,
/// identifiers and free text do not.
pub(crate) fn category_limit(n_present: usize) -> usize {
    (n_present / 20).clamp(2, MAX_CATEGORIES)
}

/// The field texts of one column, back to back, with the end offset of each.
///
/// Both buffers are kept zero-filled to their full length, with `used` and `count` marking
/// how much is filled. So a short field is copied as one fixed 16-byte move (whatever
/// follows it in the source lands past `used` and is overwritten by the next field), and
/// nothing on this path is a call: at opt-level "z", the wasm build's, neither
/// `copy_from_slice` of a runtime length nor `Vec::push` is inlined.
#[derive(Debug, Default)]
pub(crate) struct FieldStore {
    bytes: Vec<u8>,
    used: usize,
    ends: Vec<u32>,
    count: usize,
}

const SHORT_FIELD: usize = 16;

/// A zeroed buffer twice as long (at least `needed`), keeping the first `filled` items.
/// `vec![0; n]` is a calloc whose untouched pages cost nothing, unlike `resize`.
#[cold]
fn grow<T: Copy + Default>(buffer: &[T], filled: usize, needed: usize) -> Vec<T> {
    let mut grown = vec![T::default(); (buffer.len() * 2).max(needed).max(1024)];
    grown[..filled].copy_from_slice(&buffer[..filled]);
    grown
}

impl FieldStore {
    /// Appends `source[start..end]`.
    #[inline]
    pub(crate) fn push_from(&mut self, source: &[u8], start: usize, end: usize) {
        let len = end - start;
        if self.used + len.max(SHORT_FIELD) > self.bytes.len() {
            self.bytes = grow(&self.bytes, self.used, self.used + len + SHORT_FIELD);
        }
        if self.count == self.ends.len() {
            self.ends = grow(&self.ends, self.count, self.count + 1);
        }
        match source.get(start..start + SHORT_FIELD) {
            Some(short) if len <= SHORT_FIELD => {
                let from: &[u8; SHORT_FIELD] = short.try_into().expect("16 bytes");
                let to: &mut [u8; SHORT_FIELD] = (&mut self.bytes
                    [self.used..self.used + SHORT_FIELD])
                    .try_into()
                    .expect("16 bytes");
                *to = *from;
            }
            _ => self.bytes[self.used..self.used + len].copy_from_slice(&source[start..end]),
        }
        self.used += len;
        // The importer caps files at 1 GiB, so offsets fit in u32.
        self.ends[self.count] = self.used as u32;
        self.count += 1;
    }

    #[cfg(test)]
    pub(crate) fn push(&mut self, field: &[u8]) {
        self.push_from(field, 0, field.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    fn ends(&self) -> &[u32] {
        &self.ends[..self.count]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut start = 0usize;
        self.ends().iter().map(move |&end| {
            let field = &self.bytes[start..end as usize];
            start = end as usize;
            field
        })
    }

    pub(crate) fn text_bytes(&self) -> usize {
        self.used
    }
}

/// The optional first-row value, then the stored ones.
#[derive(Clone, Copy)]
pub(crate) struct Values<'a> {
    first: Option<&'a [u8]>,
    store: &'a FieldStore,
}

impl<'a> Values<'a> {
    fn len(self) -> usize {
        self.store.len() + usize::from(self.first.is_some())
    }

    /// Calls `visit` on each value in order, stopping at the first error. (Internal
    /// iteration: a `Chain` iterator would test the first value's slot on every step.)
    #[inline]
    fn try_for_each<E>(self, mut visit: impl FnMut(&'a [u8]) -> Result<(), E>) -> Result<(), E> {
        if let Some(first) = self.first {
            visit(first)?;
        }
        let bytes = self.store.bytes.as_slice();
        let mut start = 0usize;
        for &end in self.store.ends() {
            visit(&bytes[start..end as usize])?;
            start = end as usize;
        }
        Ok(())
    }

    fn find_present(self) -> Option<&'a [u8]> {
        self.first
            .into_iter()
            .chain(self.store.iter())
            .find(|value| !is_missing(value))
    }
}

#[inline]
fn trim(value: &[u8]) -> &[u8] {
    let mut value = value;
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// What one present value parses as; the order is only for readability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Boolean,
    Integer,
    Float,
    Date,
    Datetime,
    Text,
}

impl Kind {
    /// The narrowest kind that holds both.
    pub(crate) fn join(self, other: Kind) -> Kind {
        use Kind::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Integer, Float) | (Float, Integer) => Float,
            (Date, Datetime) | (Datetime, Date) => Datetime,
            _ => Text,
        }
    }

    pub(crate) fn column_type(self) -> ColumnType {
        match self {
            Kind::Boolean => ColumnType::Boolean,
            Kind::Integer => ColumnType::Integer,
            Kind::Float => ColumnType::Float,
            Kind::Date => ColumnType::Date,
            Kind::Datetime => ColumnType::Datetime,
            Kind::Text => ColumnType::String,
        }
    }
}

/// The narrowest kind a present value parses as.
pub(crate) fn classify(value: &[u8]) -> Kind {
    let value = trim(value);
    match value.first() {
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => {
            if parse_i64(value).is_some() {
                Kind::Integer
            } else if parse_f64(value).is_some() {
                Kind::Float
            } else if parse_date(value).is_some() {
                Kind::Date
            } else if parse_datetime(value).is_some() {
                Kind::Datetime
            } else {
                Kind::Text
            }
        }
        Some(b't' | b'T' | b'f' | b'F') if parse_bool(value).is_some() => Kind::Boolean,
        _ => Kind::Text,
    }
}

#[inline]
pub(crate) fn parse_bool(value: &[u8]) -> Option<bool> {
    match value {
        b"true" | b"True" | b"TRUE" => Some(true),
        b"false" | b"False" | b"FALSE" => Some(false),
        _ => None,
    }
}

/// `[+-]?[0-9]+` within i64.
#[inline]
pub(crate) fn parse_i64(value: &[u8]) -> Option<i64> {
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    // 19 digits always fit in u64 (10^19 < 2^64); longer numbers are read as floats.
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        magnitude = magnitude * 10 + u64::from(digit);
    }
    if negative {
        if magnitude <= 1 << 63 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Decimal numbers with an optional fraction and exponent (`-1.5`, `.5`, `2.`, `1e-3`);
/// not `inf` or `nan` (NaN spellings are missing markers instead).
///
/// Most values take Clinger's fast path: a mantissa below 2^53 and a power of ten of at
/// most 22 are both exact in f64, so one multiplication or division rounds correctly.
/// Everything else is validated here and handed to the standard library's parser.
#[inline]
pub(crate) fn parse_f64(value: &[u8]) -> Option<f64> {
    let mut position = 0;
    let negative = match value.first()? {
        b'-' => {
            position = 1;
            true
        }
        b'+' => {
            position = 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut n_digits = 0usize;
    let mut n_significant = 0usize;
    let mut exponent: i64 = 0;
    while let Some(&byte) = value.get(position) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        if mantissa != 0 || digit != 0 {
            n_significant += 1;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        n_digits += 1;
        position += 1;
    }
    if value.get(position) == Some(&b'.') {
        position += 1;
        while let Some(&byte) = value.get(position) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            if mantissa != 0 || digit != 0 {
                n_significant += 1;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            n_digits += 1;
            exponent -= 1;
            position += 1;
        }
    }
    if n_digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = value.get(position) {
        position += 1;
        let exponent_negative = match value.get(position) {
            Some(b'-') => {
                position += 1;
                true
            }
            Some(b'+') => {
                position += 1;
                false
            }
            _ => false,
        };
        let start = position;
        let mut written: i64 = 0;
        while let Some(&byte) = value.get(position) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            written = written.saturating_mul(10).saturating_add(i64::from(digit));
            position += 1;
        }
        if position == start {
            return None;
        }
        exponent = exponent.saturating_add(if exponent_negative { -written } else { written });
    }
    if position != value.len() {
        return None;
    }
    if n_significant <= 19 && mantissa <= 1 << 53 && (-22..=22).contains(&exponent) {
        let magnitude = mantissa as f64;
        let power = EXACT_POWERS_OF_TEN[exponent.unsigned_abs() as usize];
        let magnitude = if exponent < 0 {
            magnitude / power
        } else {
            magnitude * power
        };
        return Some(if negative { -magnitude } else { magnitude });
    }
    // Validated above: only digits, one dot, an exponent and signs remain, all ASCII.
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[inline]
fn digits_value(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut total = 0u32;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        total = total * 10 + u32::from(digit);
    }
    Some(total)
}

/// Splits `YYYY-M[M]-D[D]` (or with `/`) off the front of `value`; returns days since the
/// epoch and the rest.
#[inline]
fn split_date(value: &[u8]) -> Option<(i64, &[u8])> {
    if value.len() < 8 {
        return None;
    }
    let separator = value[4];
    if separator != b'-' && separator != b'/' {
        return None;
    }
    // Fast path for the usual zero-padded `YYYY-MM-DD`.
    if let [y1, y2, y3, y4, _, m1, m2, s2, d1, d2, rest @ ..] = value {
        if *s2 == separator {
            let digits = [*y1, *y2, *y3, *y4, *m1, *m2, *d1, *d2].map(|b| b.wrapping_sub(b'0'));
            if digits.iter().all(|&d| d <= 9) {
                let [y1, y2, y3, y4, m1, m2, d1, d2] = digits.map(u32::from);
                let year = i64::from(y1 * 1000 + y2 * 100 + y3 * 10 + y4);
                let (month, day) = (m1 * 10 + m2, d1 * 10 + d2);
                if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
                    return None;
                }
                return Some((days_from_civil(year, month, day), rest));
            }
        }
    }
    let year = digits_value(&value[..4])?;
    let rest = &value[5..];
    let month_len = rest.iter().take(3).position(|&b| b == separator)?;
    if month_len == 0 || month_len > 2 {
        return None;
    }
    let month = digits_value(&rest[..month_len])?;
    let rest = &rest[month_len + 1..];
    let day_len = rest
        .iter()
        .take(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let day = digits_value(&rest[..day_len])?;
    let year = i64::from(year);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((days_from_civil(year, month, day), &rest[day_len..]))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` (one-digit months and days allowed) as days since 1970-01-01.
#[inline]
pub(crate) fn parse_date(value: &[u8]) -> Option<i32> {
    match split_date(value)? {
        (days, []) => i32::try_from(days).ok(),
        _ => None,
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.fff…]]][Z|±HH[:MM]]` as milliseconds since the epoch, in UTC
/// when an offset is given. A plain date is midnight, so a column mixing dates and
/// datetimes is a datetime column.
pub(crate) fn parse_datetime(value: &[u8]) -> Option<i64> {
    let (days, rest) = split_date(value)?;
    let mut ms = days * MS_PER_DAY;
    let rest = match rest {
        [] => return Some(ms),
        [b'T' | b' ', rest @ ..] => rest,
        _ => return None,
    };
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = digits_value(&rest[..2])?;
    let minute = digits_value(&rest[3..5])?;
    let mut rest = &rest[5..];
    let mut second = 0;
    let mut millis = 0;
    if let [b':', tail @ ..] = rest {
        if tail.len() < 2 {
            return None;
        }
        second = digits_value(&tail[..2])?;
        rest = &tail[2..];
        if let [b'.' | b',', fraction @ ..] = rest {
            let n_fraction = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if n_fraction == 0 || n_fraction > 9 {
                return None;
            }
            // Milliseconds are the stored unit: finer digits are dropped.
            let kept = &fraction[..n_fraction.min(3)];
            millis = digits_value(kept)? * 10u32.pow(3 - kept.len() as u32);
            rest = &fraction[n_fraction..];
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += i64::from(hour * 3600 + minute * 60 + second) * 1000 + i64::from(millis);
    let offset_minutes = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), offset @ ..] => {
            let (hours, minutes) = match offset {
                [h1, h2] => (digits_value(&[*h1, *h2])?, 0),
                [h1, h2, m1, m2] => (digits_value(&[*h1, *h2])?, digits_value(&[*m1, *m2])?),
                [h1, h2, b':', m1, m2] => (digits_value(&[*h1, *h2])?, digits_value(&[*m1, *m2])?),
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let minutes = i64::from(hours * 60 + minutes);
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    Some(ms - offset_minutes * 60_000)
}

/// A cheap multiplicative hasher (FxHash) for counting distinct field texts: SipHash's
/// DoS resistance buys nothing for a user's own file and costs time per value.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Converts one column's texts (optionally preceded by the first row's value) into a typed
/// array, inferring the type.
pub(crate) fn build_column(first: Option<&[u8]>, store: &FieldStore) -> (ColumnType, ArrayRef) {
    let values = Values { first, store };
    let mut kind = values.find_present().map_or(Kind::Text, classify);
    loop {
        let built = match kind {
            Kind::Boolean => build_boolean(values),
            Kind::Integer => build_primitive(values, parse_i64)
                .map(|(values, nulls)| Arc::new(Int64Array::new(values, nulls)) as ArrayRef),
            Kind::Float => build_primitive(values, parse_f64)
                .map(|(values, nulls)| Arc::new(Float64Array::new(values, nulls)) as ArrayRef),
            Kind::Date => build_primitive(values, remember_last(parse_date))
                .map(|(values, nulls)| Arc::new(Date32Array::new(values, nulls)) as ArrayRef),
            Kind::Datetime => {
                build_primitive(values, remember_last(parse_datetime)).map(|(values, nulls)| {
                    Arc::new(TimestampMillisecondArray::new(values, nulls)) as ArrayRef
                })
            }
            Kind::Text => return build_text(values),
        };
        match built {
            Ok(array) => return (kind.column_type(), array),
            Err(misfit) => kind = kind.join(classify(misfit)),
        }
    }
}

/// Dates and times usually come sorted, with runs of the same text (an hourly timestamp
/// on every flight of that hour): comparing with the previous text is cheaper than parsing.
fn remember_last<T: Copy>(parse: fn(&[u8]) -> Option<T>) -> impl FnMut(&[u8]) -> Option<T> {
    let mut last: Option<(Vec<u8>, T)> = None;
    move |value| {
        if let Some((text, parsed)) = &last {
            if text.as_slice() == value {
                return Some(*parsed);
            }
        }
        let parsed = parse(value)?;
        match &mut last {
            Some((text, last_parsed)) => {
                text.clear();
                text.extend_from_slice(value);
                *last_parsed = parsed;
            }
            None => last = Some((value.to_vec(), parsed)),
        }
        Some(parsed)
    }
}

type Built<T> = (ScalarBuffer<T>, Option<arrow_buffer::NullBuffer>);

/// Parses every value with `parse`; on the first present value that does not parse,
/// returns it so the caller can widen the kind.
#[inline]
fn build_primitive<'a, T: arrow_buffer::ArrowNativeType>(
    values: Values<'a>,
    mut parse: impl FnMut(&[u8]) -> Option<T>,
) -> Result<Built<T>, &'a [u8]> {
    let n_rows = values.len();
    // Written by index rather than pushed: see `FieldStore`.
    let mut parsed = vec![T::default(); n_rows];
    let mut row = 0;
    let mut nulls = NullBufferBuilder::new(n_rows);
    values.try_for_each(|value| {
        if let Some(number) = parse(value) {
            parsed[row] = number;
            nulls.append_non_null();
        } else if let Some(number) = parse(trim(value)) {
            // Padded values are rare; trim only after the exact text failed.
            parsed[row] = number;
            nulls.append_non_null();
        } else if is_missing(value) {
            nulls.append_null();
        } else {
            return Err(value);
        }
        row += 1;
        Ok(())
    })?;
    Ok((ScalarBuffer::from(parsed), nulls.finish()))
}

fn build_boolean(values: Values<'_>) -> Result<ArrayRef, &[u8]> {
    let n_rows = values.len();
    let mut parsed = BooleanBufferBuilder::new(n_rows);
    let mut nulls = NullBufferBuilder::new(n_rows);
    values.try_for_each(|value| {
        if let Some(flag) = parse_bool(trim(value)) {
            parsed.append(flag);
            nulls.append_non_null();
        } else if is_missing(value) {
            parsed.append(false);
            nulls.append_null();
        } else {
            return Err(value);
        }
        Ok(())
    })?;
    Ok(Arc::new(BooleanArray::new(parsed.finish(), nulls.finish())))
}

/// Text becomes a dictionary column when it has few distinct values (see
/// [`category_limit`]), else a plain string column. Field texts were checked to be UTF-8
/// while reading.
fn build_text(values: Values<'_>) -> (ColumnType, ArrayRef) {
    if let Some(array) = build_categorical(values) {
        return (ColumnType::Categorical, array);
    }
    let n_rows = values.len();
    let mut offsets: Vec<i32> = Vec::with_capacity(n_rows + 1);
    let mut bytes: Vec<u8> =
        Vec::with_capacity(values.store.text_bytes() + values.first.map_or(0, <[u8]>::len));
    let mut nulls = NullBufferBuilder::new(n_rows);
    offsets.push(0);
    let _ = values.try_for_each(|value| -> Result<(), ()> {
        if is_missing(value) {
            nulls.append_null();
        } else {
            bytes.extend_from_slice(value);
            nulls.append_non_null();
        }
        offsets.push(bytes.len() as i32);
        Ok(())
    });
    let text = String::from_utf8(bytes).expect("field texts were validated as UTF-8 on read");
    let array = StringArray::new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        arrow_buffer::Buffer::from_vec(text.into_bytes()),
        nulls.finish(),
    );
    (ColumnType::String, Arc::new(array))
}

fn build_categorical(values: Values<'_>) -> Option<ArrayRef> {
    let n_rows = values.len();
    // n_rows bounds the present count, so this bound is never tighter than the final one.
    let bound = category_limit(n_rows);
    let mut index_of: FxMap<&[u8], i32> = FxMap::default();
    let mut categories: Vec<&[u8]> = Vec::new();
    let mut keys: Vec<i32> = Vec::with_capacity(n_rows);
    let mut nulls = NullBufferBuilder::new(n_rows);
    let mut n_present = 0usize;
    values
        .try_for_each(|value| {
            if is_missing(value) {
                keys.push(0);
                nulls.append_null();
                return Ok(());
            }
            n_present += 1;
            let key = match index_of.get(value) {
                Some(&key) => key,
                None if categories.len() == bound => return Err(()),
                None => {
                    categories.push(value);
                    let key = (categories.len() - 1) as i32;
                    index_of.insert(value, key);
                    key
                }
            };
            keys.push(key);
            nulls.append_non_null();
            Ok(())
        })
        .ok()?;
    // A category must also repeat: two names in two rows are not categories.
    if categories.is_empty()
        || categories.len() > category_limit(n_present)
        || categories.len() * 2 > n_present
    {
        return None;
    }
    let categories: Vec<&str> = categories
        .into_iter()
        .map(|value| std::str::from_utf8(value).expect("field texts were validated as UTF-8"))
        .collect();
    let keys = Int32Array::new(ScalarBuffer::from(keys), nulls.finish());
    let dictionary = DictionaryArray::<Int32Type>::try_new(
        keys,
        Arc::new(StringArray::from(categories)) as ArrayRef,
    )
    .expect("every key indexes the dictionary");
    Some(Arc::new(dictionary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::calendar::{format_date, format_datetime};

    /// One table of inputs and the kind and display value we expect.
    fn check(value: &str, kind: Kind, shown: &str) {
        let bytes = value.as_bytes();
        assert_eq!(classify(bytes), kind, "kind of {value:?}");
        let rendered = match kind {
            Kind::Boolean => parse_bool(trim(bytes)).unwrap().to_string(),
            Kind::Integer => parse_i64(trim(bytes)).unwrap().to_string(),
            Kind::Float => parse_f64(trim(bytes)).unwrap().to_string(),
            Kind::Date => format_date(i64::from(parse_date(trim(bytes)).unwrap())),
            Kind::Datetime => format_datetime(parse_datetime(trim(bytes)).unwrap()),
            Kind::Text => value.to_string(),
        };
        assert_eq!(rendered, shown, "display of {value:?}");
    }

    #[test]
    fn classifies_and_parses_values() {
        check("0", Kind::Integer, "0");
        check("-42", Kind::Integer, "-42");
        check("+7", Kind::Integer, "7");
        check(" 12 ", Kind::Integer, "12");
        check("007", Kind::Integer, "7");
        check("9223372036854775807", Kind::Integer, "9223372036854775807");
        check(
            "-9223372036854775808",
            Kind::Integer,
            "-9223372036854775808",
        );
        check("9223372036854775808", Kind::Float, "9223372036854776000");
        check(
            "123456789012345678901234",
            Kind::Float,
            "123456789012345690000000",
        );
        check("1.5", Kind::Float, "1.5");
        check("-0.0", Kind::Float, "-0");
        check(".5", Kind::Float, "0.5");
        check("2.", Kind::Float, "2");
        check("1e3", Kind::Float, "1000");
        check("1E-3", Kind::Float, "0.001");
        check("0.1", Kind::Float, "0.1");
        check("3.141592653589793238", Kind::Float, "3.141592653589793");
        check("1e-7", Kind::Float, "0.0000001");
        check("1e400", Kind::Float, "inf");
        check("inf", Kind::Text, "inf");
        check("infinity", Kind::Text, "infinity");
        check("1e", Kind::Text, "1e");
        check("1.2.3", Kind::Text, "1.2.3");
        check("-", Kind::Text, "-");
        check(".", Kind::Text, ".");
        check("1,5", Kind::Text, "1,5");
        check("true", Kind::Boolean, "true");
        check("FALSE", Kind::Boolean, "false");
        check("True", Kind::Boolean, "true");
        check("yes", Kind::Text, "yes");
        check("tRue", Kind::Text, "tRue");
        check("2013-01-01", Kind::Date, "2013-01-01");
        check("2013/1/5", Kind::Date, "2013-01-05");
        check("2012-02-29", Kind::Date, "2012-02-29");
        check("2013-02-29", Kind::Text, "2013-02-29");
        check("2013-13-01", Kind::Text, "2013-13-01");
        check(
            "2013-01-01T10:00:00Z",
            Kind::Datetime,
            "2013-01-01 10:00:00",
        );
        check("2013-01-01 10:00", Kind::Datetime, "2013-01-01 10:00:00");
        check(
            "2013-01-01 10:00:05.25",
            Kind::Datetime,
            "2013-01-01 10:00:05.250",
        );
        check(
            "2013-01-01T10:00:00.123456789",
            Kind::Datetime,
            "2013-01-01 10:00:00.123",
        );
        check(
            "2013-01-01T10:00:00+02:00",
            Kind::Datetime,
            "2013-01-01 08:00:00",
        );
        check(
            "2013-01-01T00:30:00-0100",
            Kind::Datetime,
            "2013-01-01 01:30:00",
        );
        check("2013-01-01T24:00:00", Kind::Text, "2013-01-01T24:00:00");
        check("2013-01-01x", Kind::Text, "2013-01-01x");
        check("Adelie", Kind::Text, "Adelie");
    }

    #[test]
    fn fast_float_path_matches_the_standard_parser() {
        let samples = [
            "0.3",
            "517.0",
            "-18.0",
            "4.8598",
            "1e22",
            "9007199254740993",
            "0.1e-22",
            "123.456e7",
            "1e23",
            "8.5e-5",
            "100000000000000000000000",
            "0.000001",
            "4503599627370497.5",
        ];
        for sample in samples {
            assert_eq!(
                parse_f64(sample.as_bytes()).map(f64::to_bits),
                sample.parse::<f64>().ok().map(f64::to_bits),
                "{sample}"
            );
        }
    }

    #[test]
    fn missing_markers() {
        for marker in [
            "", "NA", "N/A", "null", "NULL", "NaN", "nan", "None", " NA ",
        ] {
            assert!(is_missing(marker.as_bytes()), "{marker:?}");
        }
        for value in ["0", "n", "Na", "-"] {
            assert!(!is_missing(value.as_bytes()), "{value:?}");
        }
    }

    fn store(values: &[&str]) -> FieldStore {
        let mut store = FieldStore::default();
        for value in values {
            store.push(value.as_bytes());
        }
        store
    }

    #[test]
    fn widens_along_the_lattice() {
        let cases: &[(&[&str], ColumnType)] = &[
            (&["1", "2", "NA"], ColumnType::Integer),
            (&["1", "2.5", ""], ColumnType::Float),
            (&["1", "99999999999999999999"], ColumnType::Float),
            (&["2013-01-01", "2013-01-02 10:00"], ColumnType::Datetime),
            (&["2013-01-02 10:00", "2013-01-01"], ColumnType::Datetime),
            (&["true", "False", "null"], ColumnType::Boolean),
            (&["1", "true"], ColumnType::String),
            (&["1", "2013-01-01"], ColumnType::String),
            (&["", "NA"], ColumnType::String),
            (&["a", "b", "a", "b"], ColumnType::Categorical),
            (&["a", "b", "c"], ColumnType::String),
        ];
        for (values, expected) in cases {
            let (column_type, array) = build_column(None, &store(values));
            assert_eq!(column_type, *expected, "{values:?}");
            assert_eq!(array.len(), values.len());
        }
        let (column_type, array) = build_column(Some(b"x"), &store(&["1", "2"]));
        assert_eq!((column_type, array.len()), (ColumnType::String, 3));
    }

    #[test]
    fn category_limits() {
        assert_eq!(category_limit(0), 2);
        assert_eq!(category_limit(344), 17);
        assert_eq!(category_limit(1_000_000), MAX_CATEGORIES);
    }
}
