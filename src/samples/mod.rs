//! Sample-based regression runs (`mm3gw samples run`, and the project's own `tests/samples.rs`
//! through the same code): a corpus of case folders, each converted with a fixed clock and id
//! and compared semantically with the accepted output.
//!
//! - [`case`]: the case folder and `case.toml`;
//! - [`compare`]: what carries meaning in a message, decoded media included;
//! - [`run`]: running cases on threads;
//! - [`junit`] and [`report`]: JUnit XML for CI and one self-contained HTML page for people.
pub mod case;
pub mod compare;
pub mod junit;
pub mod report;
pub mod run;

pub use case::{Case, CaseError, Kind, discover};
pub use run::{CaseResult, Outcome, RunOptions, run_all, run_case};
