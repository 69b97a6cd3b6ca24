//! `mm3gw preview IN -o OUT.png`: a fax's pages as one picture.
use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use crate::render::preview::preview_png;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A TIFF fax (any profile) or a PBM page.
    input: PathBuf,
    #[arg(short, long)]
    out: PathBuf,
}

pub(crate) fn run(a: Args) -> ExitCode {
    let data = match std::fs::read(&a.input) {
        Ok(d) => d,
        Err(e) => return fail(2, format_args!("{}: {e}", a.input.display())),
    };
    let pages = match super::fax::read_pages(&a.input, &data) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match preview_png(&pages) {
        Ok(png) => match std::fs::write(&a.out, png) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(2, format_args!("{}: {e}", a.out.display())),
        },
        Err(e) => fail(1, format_args!("{}: {e}", a.input.display())),
    }
}
