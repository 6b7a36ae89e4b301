//! The studio's pages, one module each.

pub mod build;
pub mod data;
pub mod experiments;
pub mod forecast;
pub mod images;
pub mod model;
pub mod profile;
pub mod recipe;
