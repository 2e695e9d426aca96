#!/bin/sh
# farmhand installer: installs, upgrades in place, or uninstalls the farm appliance (the agent)
# or, with --pool, the pool companion, on Debian/Ubuntu with systemd. See docs/install.md.
#
#   install.sh [--from RELEASE.tar.gz | --npm SPEC] [--pool] [--prefix DIR] [--node PATH] [--no-start]
#   install.sh --uninstall [--purge] [--pool] [--prefix DIR]
#
# --prefix DIR installs into DIR as if it were / (for tests and packaging): file contents still
# name the real paths, and nothing outside DIR is touched (no user, no systemctl).
set -eu

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

say() {
  echo "install.sh: $*"
}

here=$(cd "$(dirname "$0")" && pwd)
root=""
from=""
npm_spec=""
component=agent
node_bin=""
start=yes
action=install
purge=no

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; root=$2; shift 2 ;;
    --from) [ $# -ge 2 ] || die "--from needs a release tarball"; from=$2; shift 2 ;;
    --npm) [ $# -ge 2 ] || die "--npm needs a package spec, e.g. farmhand@0.1.0"; npm_spec=$2; shift 2 ;;
    --pool) component=pool; shift ;;
    --node) [ $# -ge 2 ] || die "--node needs the path of the node binary"; node_bin=$2; shift 2 ;;
    --no-start) start=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

if [ -n "$root" ]; then
  mkdir -p "$root" || die "cannot create $root"
  root=$(cd "$root" && pwd)
  [ "$root" != / ] || root=""
fi
[ "$purge" = no ] || [ "$action" = uninstall ] || die "--purge goes with --uninstall"

# Everything that differs between the appliance and the pool.
if [ "$component" = agent ]; then
  name=farmhand
  user=farmhand
  bin_js=bin/farmhand.js
  units="farmhand-agent.service"
  etc_dir=/etc/farmhand
  data_dir=/var/lib/farmhand
  readme_src=$here/config/README-agent
else
  name=farmhand-pool
  user=farmhand-pool
  bin_js=bin/farmhand-pool.js
  units="farmhand-pool@.service"
  etc_dir=/etc/farmhand-pool
  data_dir=/var/lib/farmhand-pool
  readme_src=$here/config/README-pool
fi
app_dir=/opt/$name
manifest=$app_dir/manifest
unit_dir=/etc/systemd/system
wrapper=/usr/local/bin/$name

# Runs a command on the live system, or only reports it under --prefix.
system() {
  if [ -n "$root" ]; then
    say "skipped under --prefix: $*"
  else
    "$@"
  fi
}

unit_active() {
  [ -z "$root" ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$1"
}

uninstall() {
  if [ ! -f "$root$manifest" ]; then
    # Already removed with config and data kept: --purge still deletes those.
    if [ "$purge" = yes ] && { [ -e "$root$etc_dir" ] || [ -e "$root$data_dir" ]; }; then
      rm -rf "$root$etc_dir" "$root$data_dir"
      system userdel "$user"
      say "purged $etc_dir and $data_dir"
      return
    fi
    die "$name is not installed under ${root:-/} (no $manifest)"
  fi
  if [ "$component" = agent ]; then
    system systemctl disable --now farmhand-agent.service
  else
    system sh -c 'systemctl stop "farmhand-pool@*.service"; for u in $(systemctl list-units --all --plain --no-legend "farmhand-pool@*.service" | cut -d" " -f1); do systemctl disable "$u"; done'
  fi
  # The manifest lists what the installer owns; config and data are listed but kept without --purge.
  while IFS=' ' read -r kind path; do
    # Never trust the manifest with a path outside what this installer creates.
    case "$path" in
      "$app_dir"/* | "$etc_dir" | "$etc_dir"/* | "$data_dir" | "$unit_dir"/* | "$wrapper") ;;
      *) continue ;;
    esac
    case "$kind" in
      file | link) rm -f "$root$path" ;;
      dir) rm -rf "$root$path" ;;
      config | data) [ "$purge" = yes ] && rm -rf "$root$path" ;;
      *) ;;
    esac
  done <"$root$manifest"
  rm -rf "$root$app_dir"
  system systemctl daemon-reload
  if [ "$purge" = yes ]; then
    system userdel "$user"
    say "removed $name, its configuration ($etc_dir) and its data ($data_dir)"
  else
    say "removed $name; kept $etc_dir and $data_dir (add --purge to delete them)"
  fi
}

# Finds the node binary and checks it can run farmhand (Node 20.19 or newer).
pick_node() {
  if [ -z "$node_bin" ]; then
    node_bin=$(command -v node || true)
    [ -n "$node_bin" ] || die "node is not installed; install Node.js 20.19 or newer (e.g. apt-get install nodejs) and re-run"
  fi
  [ -x "$node_bin" ] || die "$node_bin is not an executable node binary"
  "$node_bin" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "$node_bin is Node $("$node_bin" -p process.versions.node); farmhand needs 20.19 or newer"
  case "$node_bin" in
    /home/* | /root/*)
      # ProtectHome=yes hides these from the service.
      [ -n "$root" ] || die "$node_bin lives under a home directory, which the service cannot see; install node system-wide or pass --node"
      ;;
  esac
}

# Unpacks the release into a staging directory and prints the package directory.
stage_release() {
  stage=$1
  if [ -n "$from" ]; then
    [ -f "$from" ] || die "release tarball $from not found"
    mkdir -p "$stage/unpacked"
    tar -xzf "$from" -C "$stage/unpacked" || die "cannot unpack $from"
    pkg=$(find "$stage/unpacked" -mindepth 1 -maxdepth 2 -name package.json | head -n 1)
    [ -n "$pkg" ] || die "$from holds no package.json; is it a farmhand release tarball?"
    dirname "$pkg"
  else
    command -v npm >/dev/null 2>&1 || die "npm is not installed; use --from RELEASE.tar.gz or install npm"
    spec=${npm_spec:-$name@latest}
    npm install --global --prefix "$stage/npm" --omit=dev --no-audit --no-fund "$spec" >&2 || die "npm could not install $spec"
    echo "$stage/npm/lib/node_modules/$name"
  fi
}

package_field() {
  "$node_bin" -p "require(process.argv[1]).$2" "$1/package.json"
}

install_component() {
  pick_node
  stage=$(mktemp -d "${TMPDIR:-/tmp}/farmhand-install.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  pkg_dir=$(stage_release "$stage")
  pkg_name=$(package_field "$pkg_dir" name)
  version=$(package_field "$pkg_dir" version)
  [ "$pkg_name" = "$name" ] || die "the release is $pkg_name, not $name$([ "$component" = agent ] && echo ' (use --pool for farmhand-pool)')"
  [ -f "$pkg_dir/$bin_js" ] || die "the release has no $bin_js"
  case "$version" in *[!0-9A-Za-z.+-]* | "") die "the release's version '$version' is not a version" ;; esac

  upgrade=no
  previous=""
  if [ -f "$root$manifest" ]; then
    upgrade=yes
    previous=$(readlink "$root$app_dir/current" 2>/dev/null || true)
  fi

  if [ -z "$root" ] && ! getent passwd "$user" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin "$user"
  elif [ -n "$root" ]; then
    say "skipped under --prefix: useradd --system --user-group $user"
  fi

  # The new release goes beside the old one; `current` then switches in one rename.
  releases=$app_dir/releases
  mkdir -p "$root$releases"
  rm -rf "$root$releases/$version.new"
  cp -RH "$pkg_dir" "$root$releases/$version.new"
  rm -rf "$root$releases/$version"
  mv "$root$releases/$version.new" "$root$releases/$version"
  ln -sfn "releases/$version" "$root$app_dir/current.new"
  mv -T "$root$app_dir/current.new" "$root$app_dir/current"
  # Keep the release just replaced for a manual rollback; drop older ones.
  for old in "$root$releases"/*; do
    base=$(basename "$old")
    [ "$base" = "$version" ] || [ "releases/$base" = "$previous" ] || rm -rf "$old"
  done

  mkdir -p "$root$(dirname "$wrapper")"
  printf '#!/bin/sh\nexec %s %s/current/%s "$@"\n' "$node_bin" "$app_dir" "$bin_js" >"$root$wrapper"
  chmod 755 "$root$wrapper"

  mkdir -p "$root$unit_dir"
  for unit in $units; do
    sed "s#@NODE@#$node_bin#g" "$here/systemd/$unit" >"$root$unit_dir/$unit"
    chmod 644 "$root$unit_dir/$unit"
  done

  mkdir -p "$root$etc_dir"
  cp "$readme_src" "$root$etc_dir/README"
  chmod 644 "$root$etc_dir/README"
  if [ "$component" = agent ] && [ ! -e "$root$etc_dir/agent.json" ]; then
    cp "$here/config/agent.json" "$root$etc_dir/agent.json"
    chmod 640 "$root$etc_dir/agent.json"
    system chown "root:$user" "$etc_dir/agent.json"
  fi

  mkdir -p "$root$data_dir"
  chmod 750 "$root$data_dir"
  system chown "$user:$user" "$data_dir"

  {
    echo "# farmhand installer manifest: kind path (config and data are kept unless --uninstall --purge)"
    echo "dir $app_dir/releases"
    echo "link $app_dir/current"
    echo "file $wrapper"
    for unit in $units; do echo "file $unit_dir/$unit"; done
    echo "file $etc_dir/README"
    [ "$component" = agent ] && echo "config $etc_dir/agent.json"
    echo "config $etc_dir"
    echo "data $data_dir"
    echo "file $manifest"
  } >"$root$manifest"

  system systemctl daemon-reload
  if [ "$component" = agent ]; then
    if [ "$upgrade" = yes ]; then
      # A clean stop flushes the share buffer; the restart runs the new release on the same data.
      if unit_active farmhand-agent.service || [ -n "$root" ]; then system systemctl restart farmhand-agent.service; fi
    elif [ "$start" = yes ]; then
      system systemctl enable --now farmhand-agent.service
    else
      system systemctl enable farmhand-agent.service
    fi
  elif [ "$upgrade" = yes ]; then
    system systemctl try-restart "farmhand-pool@*.service"
  fi

  if [ "$upgrade" = yes ]; then
    say "upgraded $name to $version (was ${previous#releases/}); kept $etc_dir and $data_dir"
  else
    say "installed $name $version"
  fi
}

if [ "$action" = uninstall ]; then
  uninstall
else
  [ -z "$from" ] || [ -z "$npm_spec" ] || die "use --from or --npm, not both"
  install_component
fi
