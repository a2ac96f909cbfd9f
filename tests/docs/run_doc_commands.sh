#!/usr/bin/env bash
# Runs a guide the way a reader does: every fenced block opened with ```sh runnable, in document order, in one bash
# session (so exports carry over) started in an empty directory with an empty HOME and a minimal environment, with
# WEFT set to the checkout. Any failing command fails the test and is shown with its block's line in the guide.
#   run_doc_commands.sh <guide.md> <weft checkout> <build dir>
set -euo pipefail
doc=$1
weft=$(cd "$2" && pwd -P)
build=$(cd "$3" && pwd -P)
# The guide's commands use $WEFT/build/debug/bin; another build tree cannot be tested through them.
if [ "$(cd "$weft/build/debug" 2>/dev/null && pwd -P)" != "$build" ]; then
  echo "skipped: the guide runs \$WEFT/build/debug/bin, and this build tree is $build"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/cwd"
script="$work/guide.sh"
awk -v doc="$doc" '
  /^```sh runnable[[:space:]]*$/ { on = 1; printf "echo \"=== %s:%d\" >&2\n", doc, NR; next }
  /^```/ { on = 0; next }
  on { print }
' "$doc" >"$script"
grep -q '^echo "===' "$script" || { echo "$doc has no \`\`\`sh runnable block"; exit 1; }
cd "$work/cwd"
# Pipelines like `… | head -n 1` end a long-running command on purpose, so no pipefail; -x shows each command.
# WEFT_AOT_OPT=-O0: `weft-pack install` compiles the app to native code, at the tests' level (seconds less than -O2).
env -i HOME="$work/home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 WEFT_AOT_OPT=-O0 WEFT="$weft" \
  bash -eux "$script"
echo "every runnable command of $doc succeeded"
