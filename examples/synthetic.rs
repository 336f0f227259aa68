//! Print a synthetic model of N app units (default 1,000) for scale tests:
//! `cargo run --release --example synthetic -- 10000 > /tmp/big.yaml`

fn main() {
    let units = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000);
    print!("{}", trustflow::synth::synthetic_model(units));
}
