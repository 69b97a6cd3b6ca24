//! The Multimedia Message model and the MM4 format.
