//! The `mm3gw` binary: argument parsing only; every subcommand lives in `mm3gw::cli`.
use std::process::ExitCode;

fn main() -> ExitCode {
    mm3gw::cli::main()
}
