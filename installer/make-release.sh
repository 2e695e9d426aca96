#!/bin/sh
# Builds a self-contained release tarball for install.sh --from:
#
#   installer/make-release.sh agent|pool [OUT_DIR]     (OUT_DIR defaults to the current directory)
#
# The tarball holds one top directory, <package>-<version>/, with package.json, bin/, dist/, the
# installer, and node_modules/ for this machine's architecture (better-sqlite3 is native, so build
# the agent's tarball on the architecture it is for). Needs the npm registry for the dependencies.
set -eu

die() {
  echo "make-release.sh: $*" >&2
  exit 1
}

[ $# -ge 1 ] || die "usage: make-release.sh agent|pool [OUT_DIR]"
case "$1" in
  agent) pkg_dir=agent ;;
  pool) pkg_dir=pool ;;
  *) die "unknown component $1; expected agent or pool" ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${2:-.}" && cd "${2:-.}" && pwd)

cd "$repo"
npx tsc -b || die "the TypeScript build failed"
name=$(node -p "require('./$pkg_dir/package.json').name")
version=$(node -p "require('./$pkg_dir/package.json').version")
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

stage=$(mktemp -d "${TMPDIR:-/tmp}/farmhand-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT
top=$stage/$name-$version
mkdir -p "$top/vendor"
cp -R "$pkg_dir/package.json" "$pkg_dir/bin" "$top/"
cp -R "$pkg_dir/dist" "$top/dist"
find "$top/dist" -name '*.tsbuildinfo' -delete
mkdir -p "$top/installer"
cp -R installer/install.sh installer/systemd installer/config "$top/installer/"

# @farmhand/core is not published: it travels inside the release as a packed tarball.
core_tgz=$(npm pack --workspace core --pack-destination "$top/vendor" --silent | tail -n 1)
node -e '
  const fs = require("node:fs");
  const [file, tgz] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.dependencies["@farmhand/core"] = "file:vendor/" + tgz;
  delete pkg.devDependencies;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$top/package.json" "$core_tgz"
(cd "$top" && npm install --omit=dev --no-audit --no-fund --no-package-lock) || die "npm install failed in the release tree"

tarball=$out/$name-$version-linux-$arch.tar.gz
tar -czf "$tarball" -C "$stage" "$name-$version"
echo "$tarball"
