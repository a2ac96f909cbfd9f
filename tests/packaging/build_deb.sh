#!/usr/bin/env bash
# Builds weft_*.deb with cpack from the build tree in $1 into the directory $2 (emptied first), for the packaging
# tests that install it (deb_test.sh unpacks it into a throw-away root; units_e2e_tests starts its systemd units).
# cpack's staging tree (≈ the package unpacked) is removed afterwards; only the .deb stays.
set -euo pipefail
build="$(cd "$1" && pwd)"
out="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
(cd "$out" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1) ||
  { cat "$out/cpack.log" >&2; fail "cpack -G DEB failed"; }
rm -rf "$out/_CPack_Packages"
deb="$(ls "$out"/weft_*.deb 2>/dev/null | head -n1)"
[ -n "$deb" ] || fail "cpack wrote no weft_*.deb"
echo "built $deb ($(du -h "$deb" | cut -f1))"
