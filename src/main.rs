use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = trustflow::cli::Cli::parse();
    trustflow::cli::run(cli).into()
}
