//! The `trustflow` command: parses the command line and runs it (`trustflow::cli`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = trustflow::cli::Cli::parse();
    trustflow::cli::run(cli).into()
}
