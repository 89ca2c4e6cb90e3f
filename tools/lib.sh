# Shared by tools/demo and tools/test: sourced, not run.
# shellcheck shell=bash

# Debian packages that building flywatch needs (Debian 12 "bookworm" names); used by the sourcing scripts.
# shellcheck disable=SC2034
BUILD_PACKAGES=(meson ninja-build pkg-config g++ ccache libboost1.81-dev libboost-json1.81-dev
                libboost-url1.81-dev libssl-dev prometheus-cpp-dev libyaml-cpp-dev doctest-dev
                libsystemd-dev libgumbo-dev libcrypt-dev)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ensure_packages PKG...: installs, with apt-get, the packages dpkg does not list as installed.
# Runs apt-get as root directly, else through sudo; does nothing at all when everything is there.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]} (and no apt-get to install them)"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "missing packages: ${missing[*]}; run as root or install sudo"
    sudo=(sudo)
  fi
  say "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

# configure DIR [MESON_OPTION...]: sets DIR up once, applying the options to an existing one.
configure() {
  local dir=$1
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    say "configuring $dir"
    meson setup "$dir" "$@"
  elif (($# > 0)); then
    meson configure "$dir" "$@"
  fi
}

# compile DIR [TARGET...]: builds the targets (default: everything) in DIR, with
# $FLYWATCH_JOBS parallel jobs when set (ninja's default otherwise).
compile() {
  local dir=$1
  shift
  local jobs=()
  [[ -n "${FLYWATCH_JOBS:-}" ]] && jobs=(-j "$FLYWATCH_JOBS")
  say "building $dir"
  meson compile -C "$dir" "${jobs[@]}" "$@"
}
