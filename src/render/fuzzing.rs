//! The bodies of the cargo-fuzz targets (`fuzz/fuzz_targets/render_*.rs`), here so that
//! `tests/render_fuzz_regressions.rs` replays saved inputs through exactly the same code. Each
//! returns normally for any input; a panic is a bug. Tight limits keep runs fast.
use super::decode::DecodeLimits;
use super::fax_to_image::{ClassLimits, ToImageOptions, pages_to_images};
use super::image_to_fax::{ImageOptions, image_to_pages};

fn tight() -> DecodeLimits {
    DecodeLimits { max_pixels: 1 << 20, max_side: 4096, max_frames: 4 }
}

/// Image bytes → fax pages (both resolutions, GIF frames as pages on odd lengths).
pub fn image(data: &[u8]) {
    let opts = ImageOptions {
        y_dpi: if data.len().is_multiple_of(2) { 98 } else { 196 },
        gif_frames_as_pages: data.len().is_multiple_of(3),
        max_pages: 4,
        limits: tight(),
        ..ImageOptions::default()
    };
    if let Ok(r) = image_to_pages(data, &opts) {
        // The pages go on to the MM-image side too, as a fax→MMS round trip would.
        if data.len().is_multiple_of(5)
            && let Some(class) = ClassLimits::named("image-basic")
        {
            let _ = pages_to_images(&r.pages[..1], &class, &ToImageOptions::default());
        }
    }
}
