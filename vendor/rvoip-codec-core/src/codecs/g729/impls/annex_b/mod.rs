//! Provenance: Annex B VAD/DTX/CNG behavior adapted from ITU G.729 Annex B reference routines.
//! Q-format: VAD features, SID parameters, and CNG gains use Q0/Q13/Q15 fixed-point domains.

/// Public module `cng`.
pub mod cng;
/// Public module `dtx`.
pub mod dtx;
/// Public module `vad`.
pub mod vad;
