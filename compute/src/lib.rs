//! The studio's engine: columnar frames on Arrow arrays, the CSV reader, lineage logic and the worker protocol; it knows nothing of the browser.
//!
//! Everything a user's data goes through lives here and builds and tests natively. The
//! `engine` feature gates the kernels; without it only the serializable boundary types
//! (protocol, records) remain, which is all the UI crate may see.

pub mod automl;
pub mod debugger;
pub mod experiments;
pub mod forecast;
pub mod image;
pub mod ml;
pub mod profile;
pub mod protocol;
pub mod recipe;
pub mod records;
pub mod schema;
pub mod text;

#[cfg(feature = "engine")]
pub mod archive;
#[cfg(feature = "engine")]
pub mod csv;
#[cfg(feature = "engine")]
pub mod export;
#[cfg(feature = "engine")]
pub mod formula;
#[cfg(feature = "engine")]
pub mod frame;
#[cfg(feature = "engine")]
pub mod hash;
#[cfg(feature = "engine")]
pub mod lineage;
