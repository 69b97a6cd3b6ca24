//! Utility functions and helpers for the codec library

pub mod simd;
pub mod tables;
pub mod validation;

pub use simd::*;
pub use tables::*;
pub use validation::*;
