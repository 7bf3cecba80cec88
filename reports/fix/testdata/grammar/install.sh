#!/usr/bin/env bash
# Installs the grammar checker's npm packages (pinned by package-lock.json)
# into a tools folder outside the repository, then prints the variable that
# TestGrammar reads:
#
#   bash reports/fix/testdata/grammar/install.sh /tmp/ssis-ha-lint-grammar
#   SSIS_HA_LINT_GRAMMAR_DIR=/tmp/ssis-ha-lint-grammar go test ./reports/fix -run TestGrammar
#
# Needs node (>= 18) and npm. The native parts of tree-sitter and
# tree-sitter-powershell come as prebuilt binaries inside the npm packages
# (linux-x64 and others), so no compiler and no install script is needed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:?usage: install.sh TOOLS_DIR}"
mkdir -p "$dest"
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
node -e '
  const path = require("path");
  const { createRequire } = require("module");
  const req = createRequire(path.join(process.argv[1], "package.json"));
  for (const p of ["tree-sitter", "tree-sitter-powershell", "antlr4ts-sql", "antlr4ts"]) req.resolve(p);
' "$dest"
echo "SSIS_HA_LINT_GRAMMAR_DIR=$dest"
