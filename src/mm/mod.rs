//! The Multimedia Message model and the MM4 format.
pub mod address;
pub mod smil;
