#!/usr/bin/env bash
# Regenerates the screenshots in docs/images/ from the committed reports, with Debian's
# Chromium (`apt-get install chromium`). Run from the repository root after
# `trustflow report models/*.yaml --date 2026-11-23 --out-dir reports`.
set -euo pipefail
cd "$(dirname "$0")/../.."
shot() { # page, image, width, height
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$(mktemp -d)" --window-size="$3,$4" --screenshot="$2" "file://$PWD/$1" 2>/dev/null
}
shot reports/connect-aws.html docs/images/report-connect-aws.png 1400 1800
