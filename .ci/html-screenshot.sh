#!/usr/bin/env bash
# Render the HTML report in headless Chromium and check the screenshot
# (cmd/ssis-ha-lint/html_screenshot_test.go): the topology drawing is there
# and the failing node is drawn red. Installs Debian's chromium when it is
# missing (as root). The screenshots are kept in a temporary directory
# (SSIS_HA_LINT_SCREENSHOT_DIR, printed at the end) for CI to upload as
# artifacts; nothing is written into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
start=$(date +%s)

chromium=${SSIS_HA_LINT_CHROMIUM:-$(command -v chromium || true)}
if [ -z "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "html-screenshot: chromium is not installed (apt-get install chromium, or set SSIS_HA_LINT_CHROMIUM)" >&2
    exit 2
  fi
  echo "== apt-get install chromium"
  t0=$(date +%s)
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  echo "   installed in $(( $(date +%s) - t0 ))s"
  chromium=$(command -v chromium)
fi
echo "== $("$chromium" --version 2>/dev/null || echo "$chromium")"

export SSIS_HA_LINT_CHROMIUM="$chromium"
export SSIS_HA_LINT_SCREENSHOT_DIR="${SSIS_HA_LINT_SCREENSHOT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ssis-ha-lint-screenshot.XXXXXX")}"
echo "== go test -run TestHTMLScreenshotChromium ./cmd/ssis-ha-lint"
go test -count=1 -v -run '^TestHTMLScreenshotChromium$' ./cmd/ssis-ha-lint 2>&1 |
  grep -Ev '^(=== RUN|=== PAUSE|=== CONT)' || { echo "html-screenshot: FAILED (screenshots in $SSIS_HA_LINT_SCREENSHOT_DIR)" >&2; exit 1; }
echo "html-screenshot: OK in $(( $(date +%s) - start ))s; screenshots in $SSIS_HA_LINT_SCREENSHOT_DIR"
