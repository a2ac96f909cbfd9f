#!/usr/bin/env bash
# Checks weft_*.deb (built by build_deb.sh from the build tree in $1 into the directory $2): its metadata, contents
# and units; unpacks it into a throw-away root and runs the installed weft-session --headless --tour from there (store
# and trusted keys are the package's own /usr/share/weft/apps and /etc/weft/trusted-keys, under that root).
set -euo pipefail
build="$(cd "$1" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/weft-deb-test-XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

deb="$(ls "$2"/weft_*.deb 2>/dev/null | head -n1)"
[ -n "$deb" ] || fail "no weft_*.deb in $2 (the Packaging.BuildTheDeb fixture builds it)"
echo "checking $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# Metadata: dependencies found by dpkg-shlibdeps, plus the tools WEFT runs.
info="$(dpkg-deb -f "$deb" Package Version Architecture Depends)"
echo "$info"
for dep in libwpewebkit-1.1 libwlroots10 libsoup-3.0 libsodium libwabt libcurl glib-networking wl-clipboard \
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good; do
  case "$dep" in libwabt) continue ;; esac  # wabt is linked statically
  grep -q "$dep" <<<"$info" || fail "Depends lacks $dep"
done

# Contents: the FHS layout of packaging/CMakeLists.txt.
contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for path in ./usr/bin/weft-session ./usr/bin/weft-compositor ./usr/bin/weft-appd ./usr/bin/weft-shell \
            ./usr/bin/weft-pack ./usr/lib/weft/weft-runtime ./usr/lib/weft/weft-app-shell \
            ./usr/lib/weft/weft-file-portal ./usr/lib/weft/weft-mount-helper \
            ./usr/share/weft/system/system-ui.html ./usr/share/weft/system/weft-ui-kit.js \
            ./usr/share/weft/apps/org.weft.demo.counter/wapp.toml ./usr/share/weft/apps/org.weft.demo.notes/signature.sig \
            ./etc/weft/trusted-keys/weft-demo.pub ./usr/lib/systemd/user/weft-session.target \
            ./usr/lib/systemd/user/weft-compositor.service ./usr/lib/systemd/user/weft-appd.service \
            ./usr/lib/systemd/user/weft-shell.service ./usr/share/doc/weft/device-setup.md; do
  grep -qx "$path" <<<"$contents" || fail "the package lacks $path"
done
if grep -q "weft-sign.key\|/build/\|/work/" <<<"$contents"; then fail "the package holds a private key or a build path"; fi

root="$work/root"
dpkg-deb -x "$deb" "$root"

# Units: Type=notify where the spec says so, absolute installed paths, and systemd accepts them.
units="$root/usr/lib/systemd/user"
grep -q '^Type=notify' "$units/weft-compositor.service" || fail "weft-compositor.service is not Type=notify"
grep -q '^Type=notify' "$units/weft-appd.service" || fail "weft-appd.service is not Type=notify"
grep -q '^ExecStart=/usr/bin/weft-appd$' "$units/weft-appd.service" || fail "weft-appd.service does not start /usr/bin/weft-appd"
grep -q '^Environment=WEFT_RUNTIME_BIN=/usr/lib/weft/weft-runtime$' "$units/weft-appd.service" ||
  fail "weft-appd.service does not point appd at /usr/lib/weft/weft-runtime"
grep -q '^BindsTo=graphical-session.target' "$units/weft-session.target" || fail "weft-session.target is not bound to graphical-session.target"
if grep -rq "@WEFT_" "$units"; then fail "a unit still holds an unexpanded @WEFT_…@ variable"; fi
if command -v systemd-analyze >/dev/null; then
  # ExecStart paths are checked against the real root, so verify copies that point into the unpacked one.
  mkdir -p "$work/units"
  for unit in "$units"/*; do sed "s#=/usr/#=$root/usr/#g" "$unit" >"$work/units/$(basename "$unit")"; done
  # Offline (no user manager runs here): the system manager's view, where the user-only graphical-session.target does
  # not exist; every other complaint fails the test.
  SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$work"/units/*.service "$work"/units/*.target \
    >"$work/verify.log" 2>&1 || true
  if grep -v "Unit graphical-session.target not found" "$work/verify.log" | grep -q .; then
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify found problems in the units"
  fi
fi

# The installed session plays the tour from the unpacked root: helpers from usr/lib/weft, the system page from
# usr/share/weft/system, the demos from the package's system store, trusted by the package's key.
home="$work/home"
runtime="$work/xdg-runtime"
mkdir -p "$home" "$runtime"
chmod 0700 "$runtime"
status=0
env -i PATH="$PATH" HOME="$home" XDG_RUNTIME_DIR="$runtime" XDG_DATA_HOME="$home/.local/share" \
    XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" WEFT_LOG=warn \
    WEFT_APP_STORE="$root/usr/share/weft/apps" WEFT_TRUSTED_KEYS="$root/etc/weft/trusted-keys" \
    timeout 300 "$root/usr/bin/weft-session" --headless --tour --screenshot-dir "$work/tour" >"$work/tour.log" 2>&1 ||
  status=$?
if [ "$status" != 0 ]; then
  cat "$work/tour.log" >&2
  fail "the installed weft-session --tour exited with $status"
fi
shots=$(ls "$work"/tour/*.png | wc -l)
[ "$shots" -ge 12 ] || fail "the tour wrote $shots screenshots, expected 12"
grep -q "<img" "$work/tour/index.html" || fail "the tour wrote no index.html"
mkdir -p "$build/screenshots/e2e/packaged-tour"
cp "$work"/tour/* "$build/screenshots/e2e/packaged-tour/"
echo "the installed session played the tour: $shots screenshots (kept in $build/screenshots/e2e/packaged-tour)"
