#!/usr/bin/env bash
# Regenerates every screenshot in docs/images/ with Debian's Chromium (`apt-get install
# chromium`): the README's report of the bundled Connect model (from the committed reports/),
# and each page of the three journeys in docs/journeys.md, whose commands this script runs as
# the page lists them. Run from anywhere; it builds the release binary first (set TRUSTFLOW to
# use another binary).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [ -z "${TRUSTFLOW:-}" ]; then
  cargo build --release --locked --quiet # never screenshot what a stale binary drew
fi
trustflow="${TRUSTFLOW:-${CARGO_TARGET_DIR:-$root/target}/release/trustflow}"
# Pages without --date are dated by SOURCE_DATE_EPOCH: one fixed day, so an unchanged page
# gives an unchanged image (2026-12-01: no earlier than the catalog sources it cites).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1796083200}"

shot() { # page, image, width, height
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$(mktemp -d)" --window-size="$3,$4" --screenshot="$2" "file://$1" 2>/dev/null
}

shot "$root/reports/connect-aws.html" docs/images/report-connect-aws.png 1400 1800

# The journeys, in a scratch folder that sees the repository's files, exactly as written.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for dir in models examples tests; do ln -s "$root/$dir" "$work/$dir"; done
awk '/^```/{sh = ($0 == "```sh"); next} sh && /^trustflow /' docs/journeys.md > "$work/commands"
(
  cd "$work"
  while IFS= read -r line; do
    expected=0 # a step the page marks `# exits N` must exit N (the gate's red step)
    if [[ "$line" =~ \#\ exits\ ([0-9]+)$ ]]; then expected="${BASH_REMATCH[1]}"; fi
    line="${line%%#*}"
    eval "set -- ${line#trustflow }"
    status=0
    "$trustflow" "$@" >/dev/null 2>&1 || status=$?
    if [ "$status" -ne "$expected" ]; then
      echo "exit $status (expected $expected): $line" >&2
      exit 1
    fi
  done < commands
)
shot "$work/out/trust.html" docs/images/journey-vendor-trust.png 1200 900
shot "$work/out/trust.html" docs/images/journey-vendor-trust-phone.png 420 900
shot "$work/out/notice.html" docs/images/journey-vendor-notice.png 1200 1300
shot "$work/out/annex.html" docs/images/journey-procurement-annex.png 1400 1100
shot "$work/out/annex.html" docs/images/journey-procurement-annex-phone.png 420 900
shot "$work/out/compare.html" docs/images/journey-architect-compare.png 1400 1500
shot "$work/out/reports/forge-native.html" docs/images/journey-architect-report.png 1400 1800
