//! The studio's Web Worker: the message loop that runs `compute` jobs off the main thread, and the one door to IndexedDB.

pub mod bridge;
pub mod jobs;
pub mod store;

pub use bridge::{serve, Endpoint};
pub use store::DEFAULT_DB_NAME;
