//! Print a synthetic model of N app units (default 1,000) for scale tests:
//! `cargo run --release --example synthetic -- 10000 > /tmp/big.yaml`;
//! `-- 1000 twin` prints the shape OWASP pytm is benchmarked with (own product, vendor, third
//! party and categories per unit; four installations).

fn main() {
    let mut args = std::env::args().skip(1);
    let units = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000);
    if args.next().as_deref() == Some("twin") {
        print!("{}", trustflow::synth::twin_model(units));
    } else {
        print!("{}", trustflow::synth::synthetic_model(units));
    }
}
