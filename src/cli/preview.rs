//! `mm3gw preview IN -o OUT.png`: a TIFF fax or PBM page, or any message (fax mail, MM4 with
//! slides, voice mail, e-mail), as one picture.
use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use crate::render::preview::{preview_message, preview_png};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A TIFF fax (any profile), a PBM page or a message (.eml).
    input: PathBuf,
    #[arg(short, long)]
    out: PathBuf,
}

pub(crate) fn run(a: Args) -> ExitCode {
    let data = match std::fs::read(&a.input) {
        Ok(d) => d,
        Err(e) => return fail(2, format_args!("{}: {e}", a.input.display())),
    };
    let image = data.starts_with(b"P4") || data.starts_with(b"II*\0") || data.starts_with(b"MM\0*");
    let png = if image {
        let pages = match super::fax::read_pages(&a.input, &data) {
            Ok(p) => p,
            Err(code) => return code,
        };
        preview_png(&pages)
    } else {
        preview_message(&data)
    };
    match png {
        Ok(png) => match std::fs::write(&a.out, png) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(2, format_args!("{}: {e}", a.out.display())),
        },
        Err(e) => fail(1, format_args!("{}: {e}", a.input.display())),
    }
}
