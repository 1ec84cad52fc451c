# Shared settings for the scripts in tools/ (sourced, not run).
# The build environment is a Debian sid root filesystem kept outside the
# checkout: Debian stable's Bazel is too old and sid's cannot be installed
# onto a stable host without a libc transition (see docs/environment.md).
SPRAT_ROOT="${SPRAT_ROOT:-/var/cache/sprat/sid-root}"
SPRAT_VENV=/opt/sprat-venv            # path inside the root filesystem
SPRAT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SPRAT_SHARED="$(cd "$SPRAT_REPO/.." && pwd -P)/shared"

sprat_die() { echo "sprat: $*" >&2; exit 1; }

# Run a command inside the root filesystem, in a private mount namespace so
# that nothing stays mounted when it ends. The checkout and ../shared appear
# at the same absolute paths inside, so Bazel's paths match the host's.
sprat_enter() {
  [ -f "$SPRAT_ROOT/.sprat-stamp" ] || sprat_die "the build environment is missing: run $SPRAT_REPO/tools/setup"
  local cwd; cwd="$(pwd -P)"
  case "$cwd" in "$SPRAT_REPO"*|"$SPRAT_SHARED"*) ;; *) cwd="$SPRAT_REPO";; esac
  local tty=0; [ -t 1 ] && tty=1
  unshare -m -- /bin/bash -c '
    set -e
    R="$1"; REPO="$2"; SHARED="$3"; CWD="$4"; TTY="$5"; shift 5
    mount --make-rprivate /
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mkdir -p "$R$REPO"; mount --bind "$REPO" "$R$REPO"
    if [ -d "$SHARED" ]; then mkdir -p "$R$SHARED"; mount --bind "$SHARED" "$R$SHARED"; fi
    mount -t tmpfs tmpfs "$R/tmp"
    exec chroot "$R" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
      PATH='"$SPRAT_VENV"'/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
      SPRAT_IN_ROOT=1 SPRAT_TTY="$TTY" CI="${CI:-}" SPRAT_HOST_CWD="$CWD" \
      /bin/bash -c "cd \"\$SPRAT_HOST_CWD\" && exec \"\$@\"" bash "$@"
  ' bash "$SPRAT_ROOT" "$SPRAT_REPO" "$SPRAT_SHARED" "$cwd" "$tty" "$@"
}
