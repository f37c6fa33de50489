#!/usr/bin/env bash
# Open a `trev report` HTML page in headless Chromium and save a screenshot (PNG), to look at
# what a reader sees. Not run by CI.
#
#   scripts/report_screenshot.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
#
# Needs chromium (Debian: `apt-get install chromium`). Every network feature of the browser is
# off: the page must render from the file alone.
set -euo pipefail
page=${1:?usage: scripts/report_screenshot.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-${page%.html}.png}
size=${3:-1400x4000}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "report_screenshot: no chromium found (apt-get install chromium)" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars \
    --screenshot="$(realpath -m "$out")" --window-size="${size/x/,}" \
    "file://$(realpath "$page")" 2>/dev/null
echo "wrote $out"
