//! The `trustflow` command: parses the command line and runs it (`trustflow::cli`).

use clap::Parser;
use std::process::ExitCode;

// jemalloc instead of the system allocator where it builds (see Cargo.toml): measured faster
// and leaner on the analysis's many small allocations. The library leaves the choice to the
// program that embeds it.
#[cfg(all(unix, not(target_os = "openbsd")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = trustflow::cli::Cli::parse();
    trustflow::cli::run(cli).into()
}
