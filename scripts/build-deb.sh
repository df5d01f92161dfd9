#!/usr/bin/env bash
# Builds build/deb/wshub_<version>_amd64.deb: installs what is missing (as ./run does), builds the release
# preset's wshub, and packages it. With --from, packages a binary that is already built and compiles nothing
# (the tests do that with the build they test).
#   scripts/build-deb.sh                          as root on Debian bookworm, from anywhere
#   scripts/build-deb.sh --from BINARY OUT_DIR    package BINARY into OUT_DIR
# dpkg-deb rather than CPack: docs/packaging.md says why.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${1:-} == --from ]]; then
  [[ $# -eq 3 ]] || { echo "usage: $0 [--from BINARY OUT_DIR]" >&2; exit 2; }
  binary=$(realpath "$2")
  out=$(realpath -m "$3")
else
  [[ $# -eq 0 ]] || { echo "usage: $0 [--from BINARY OUT_DIR]" >&2; exit 2; }
  # git before configuring, so that --version can name the commit.
  "$top/scripts/setup.sh" build dpkg-dev help2man git
  (cd "$top" && cmake --preset release >/dev/null && cmake --build --preset release --target wshub)
  binary=$top/build/release/wshub
  out=$top/build/deb
fi
packaging=$top/packaging/debian
umask 022
export LC_ALL=C.UTF-8 TZ=UTC
# Man page and archive dates from the last commit, so that the same sources give the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}

version=$("$binary" --version | sed -n 's/^wshub \([0-9][0-9.]*\) .*/\1/p')
[[ -n $version ]] || { echo "build-deb: cannot read the version from $binary --version" >&2; exit 1; }
changelog_version=$(sed -n '1s/^wshub (\([^)]*\)).*/\1/p' "$packaging/changelog")
if [[ $changelog_version != "$version" ]]; then
  echo "build-deb: packaging/debian/changelog starts at $changelog_version, the binary is $version" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/wshub
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/default" "$doc" \
  "$root/usr/share/man/man1"

# The binary, stripped as dh_strip strips it.
install -m 755 "$binary" "$root/usr/bin/wshub"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/wshub"

# The unit of packaging/wshub.service, but as the static wshub user that postinst creates.
sed -e '/^DynamicUser=yes$/d' -e 's|^Description=.*|&\nDocumentation=man:wshub(1)|' \
    -e 's|^# Install: .*|# Installed by the wshub Debian package, which creates the wshub system user.|' \
    "$top/packaging/wshub.service" >"$root/lib/systemd/system/wshub.service"
chmod 644 "$root/lib/systemd/system/wshub.service"

# /etc/default/wshub: every setting --help lists, commented out at its default.
# Readable by root only: it may hold API_TOKEN and METRICS_TOKEN, and systemd reads it as root.
"$top/scripts/default-settings.sh" "$root/usr/bin/wshub" >"$root/etc/default/wshub"
chmod 600 "$root/etc/default/wshub"

# The man page, from --help and --version, with the HTTP API section of packaging/wshub.h2m.
help2man --no-info --no-discard-stderr --section 1 \
  --name "WebSocket hub with an HTTP API to list, reach, broadcast to and disconnect clients" \
  --include "$top/packaging/wshub.h2m" --version-string "$version" "$root/usr/bin/wshub" >"$work/wshub.1"
gzip -9n <"$work/wshub.1" >"$root/usr/share/man/man1/wshub.1.gz"

install -m 644 "$packaging/copyright" "$doc/copyright"
install -d "$root/usr/share/lintian/overrides"
install -m 644 "$packaging/lintian-overrides" "$root/usr/share/lintian/overrides/wshub"
gzip -9n <"$packaging/changelog" >"$doc/changelog.gz"

for script in postinst prerm postrm; do install -m 755 "$packaging/$script" "$root/DEBIAN/$script"; done
echo /etc/default/wshub >"$root/DEBIAN/conffiles"

# The shared libraries the binary links, as dpkg-shlibdeps computes them (it wants a debian/control to read).
mkdir -p "$work/shlibs/debian"
printf 'Source: wshub\n\nPackage: wshub\nArchitecture: amd64\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/wshub" | sed -n 's/^shlibs:Depends=//p')

installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_kib/" -e "s/@DEPENDS@/$depends/" \
  "$packaging/control" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
  >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums" "$root/DEBIAN/conffiles"
find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
package=$out/wshub_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "$package"
