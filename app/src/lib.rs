//! The studio's Leptos single-page app: pages, components and the worker client; it never computes.

pub mod bridge;
pub mod charts;
pub mod download;
pub mod format;
pub mod pages;
pub mod shell;

pub use shell::App;
