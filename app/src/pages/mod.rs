//! The studio's pages, one module each.

pub mod data;
pub mod profile;
pub mod recipe;
