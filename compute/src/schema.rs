//! Column types and per-column summaries: the part of a frame's shape that crosses to the UI.

use serde::{Deserialize, Serialize};

/// The logical type of a column, as a user sees it. Every type is nullable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Integer,
    Float,
    Boolean,
    String,
    /// A string column with few distinct values, stored dictionary-encoded.
    Categorical,
    Date,
    Datetime,
}

impl ColumnType {
    pub fn label(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Boolean => "boolean",
            ColumnType::String => "string",
            ColumnType::Categorical => "categorical",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
        }
    }
}

/// One column's name, type and missing count, as listed beside a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    pub column_type: ColumnType,
    pub missing_count: u64,
}
