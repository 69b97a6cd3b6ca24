//! Fax page rendering, both ways: MM images and text → bilevel fax pages, and fax pages → MM
//! images sized for a content class. Sans-IO: bytes and values in, pages and bytes out.
//!
//! - [`decode`]: JPEG/PNG/GIF/BMP/WBMP → greyscale, EXIF orientation applied, pixel limits
//!   checked before any allocation;
//! - [`raster`]: the greyscale image, resampling, tone curve, error diffusion, adaptive threshold;
//! - [`image_to_fax`]: fit an image to fax pages (aspect, rotation, split/shrink, halftone);
//! - [`text`]: text (and a cover block) → fax pages with the bundled DejaVu Sans;
//! - [`fax_to_image`]: fax pages → greyscale MM images within a content class's limits;
//! - [`preview`]: fax pages, or any message (pages, pictures, text, sound cards), as one PNG.
//!
//! Geometry comes from `spec/t37-fax.md` §2: 1728 dots over 8.47 in (204 dpi), 98 or 196 lpi.

pub mod decode;
pub mod fax_to_image;
#[doc(hidden)]
pub mod fuzzing;
pub mod image_to_fax;
pub mod preview;
pub mod raster;
pub mod text;

pub use decode::{DecodeError, DecodeLimits};
pub use raster::Grey;

/// Horizontal density of every Profile S page.
pub const FAX_X_DPI: f64 = 204.0;
/// Dots per row of a Letter/A4 page.
pub const FAX_WIDTH: u32 = 1728;

/// Paper length the pages are cut to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Length in inches (A4 297 mm, Letter 11 in).
    pub fn length_in(self) -> f64 {
        match self {
            Paper::A4 => 297.0 / 25.4,
            Paper::Letter => 11.0,
        }
    }
}
