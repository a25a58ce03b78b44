# Shared by .ci/deb, .ci/cross and .ci/deb-check (sourced): sudo, packages, build roots.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
mirror="${CB_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${CB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

# need_packages PKG...: installs those of this machine's packages that are missing.
need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "${0##*/}: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# copy_tree DEST: the tree as git sees it (tracked and new files, not ignored ones) into DEST.
# Only files whose content differs are written, and they get the time of the copy: a build
# dir outside DEST (.ci/cross's) rebuilds exactly what changed. (A copy keeping the tree's
# times let ninja keep objects built from other contents with newer times: a stale test
# object that disagreed with its library about a class's layout crashed under qemu.)
copy_tree() {
  need_packages rsync
  local stage
  stage=$(mktemp -d)
  git ls-files -z --cached --others --exclude-standard |
    tar --null -T - -cf - | tar -xf - -C "$stage"
  mkdir -p "$1"
  $sudo rsync -r --checksum --delete --links --perms "$stage/" "$1/"
  rm -rf "$stage"
}

# bookworm TARGET OPTION...: mmdebstrap of bookworm, its updates and security fixes included;
# without the security archive when its index cannot be had (a mirror in the middle of a sync).
bookworm() {
  local target="$1"
  shift
  need_packages mmdebstrap arch-test
  local args=(--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='APT::Install-Recommends "false"'
    "$@" bookworm "$target" "deb $mirror bookworm main" "deb $mirror bookworm-updates main")
  $sudo mmdebstrap "${args[@]}" "deb $security_mirror bookworm-security main" && return 0
  echo "${0##*/}: retrying without bookworm-security"
  $sudo rm -rf "$target"
  $sudo mmdebstrap "${args[@]}"
}

# bootstrap_root ROOT ARCH: a bookworm root of this machine's architecture with ARCH added and
# the cross compiler for it, made once (about 2 minutes); later runs reuse it.
bootstrap_root() {
  local root="$1" arch="$2" native
  native=$(dpkg --print-architecture)
  [ -f "$root/.cb-ready" ] && return 0
  echo "${0##*/}: bootstrapping the $native+$arch build root $root"
  $sudo rm -rf "$root"
  # mmdebstrap wants the target's parent to exist (a fresh clone has no build-deb/ yet).
  mkdir -p "$(dirname "$root")"
  bookworm "$root" --variant=buildd --architectures="$native,$arch" --format=directory \
    --include="crossbuild-essential-$arch,debhelper,meson,ninja-build,pkg-config,python3" \
    --skip=cleanup/apt/lists
  $sudo touch "$root/.cb-ready"
}

# in_root ROOT COMMAND: runs COMMAND (bash -ec) in ROOT, with /proc, /dev and the network; the
# mounts live in a mount namespace of their own and vanish with it. CB_BIND="SRC:DEST ..."
# adds read-only bind mounts (DEST inside the root).
in_root() {
  local root="$1" cmd="$2"
  $sudo cp /etc/resolv.conf "$root/etc/resolv.conf"
  $sudo env CB_BIND="${CB_BIND:-}" unshare --mount --fork sh -ec '
    root="$1"; shift
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    for b in $CB_BIND; do
      mkdir -p "$root/${b#*:}"
      mount --bind "${b%%:*}" "$root/${b#*:}"
      mount -o remount,bind,ro "$root/${b#*:}"
    done
    exec chroot "$root" bash -ec "$1"' in_root "$root" "$cmd"
}

# register_binfmt QEMU_ARCH (aarch64, arm): the kernel runs that architecture's programs through
# qemu-user-static, inside build roots too (flag F: the interpreter is opened once, here).
register_binfmt() {
  local dir=/proc/sys/fs/binfmt_misc
  need_packages qemu-user-static
  [ -f "$dir/register" ] || $sudo mount -t binfmt_misc binfmt_misc "$dir"
  [ -e "$dir/qemu-$1" ] && return 0
  echo "${0##*/}: registering qemu-$1 with binfmt_misc"
  $sudo sh -c "cat /usr/lib/binfmt.d/qemu-$1.conf > $dir/register"
}
