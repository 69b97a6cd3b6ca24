//! mm3gw — the MM3 interworking function of an MMS center (3GPP TS 23.140 §8.3, Annex D).
//!
//! # Layout
//! A pure core and a thin I/O shell (see `README.md`, "Architecture"):
//! - [`mm`]: the Multimedia Message model; MM4 parse/emit (forward, delivery and read-reply
//!   reports, each .REQ and .RES); SMIL; MMS addresses.
//! - [`mail`]: the Internet-mail formats: T.37 fax mail, VPIM v2 / IVM voice mail, DSNs and
//!   MDNs, with the SMTP envelope and DSN parameters they travel with.
//! - [`fax`]: T.4/T.6 fax coding (MH, MR, MMR), TIFF-F read/write, Profile S/F checker.
//! - [`interwork`]: the conversions MM ↔ fax mail / VPIM / IVM, with what could not be carried.
//! - [`voice`]: G.726-32 (audio/32kadpcm), G.711, AMR-NB, WAV/MP3/AAC input, resampling,
//!   durations; sans-IO.
//! - [`render`]: MM images and text → fax pages, fax pages → MM images for a content class.
//! - [`config`]: profiles and the gateway configuration (TOML), with an embedded default.
//! - [`gateway`]: the service: SMTP server, durable spool, routing, delivery with retry, report
//!   correlation (signed tokens), metrics. The only module with sockets, disk and clocks.
//! - [`samples`]: sample-based regression runs: case folders, semantic and media-aware
//!   comparison, JUnit XML and the HTML report (`samples::case` and `samples::run` read and
//!   write case folders; the comparison is pure).
//! - [`cli`]: the command-line front end; each subcommand is a thin shell over the core.
//!
//! Nothing outside `cli`, `gateway` and the case runner `samples` touches files, sockets, clocks or randomness.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod fax;
pub mod gateway;
pub mod inspect;
pub mod interwork;
pub mod mail;
pub mod mime;
pub mod mm;
pub mod render;
pub mod samples;
pub mod voice;
