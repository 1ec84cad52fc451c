# Shared settings for the scripts in tools/ (sourced, not run).
# The build environment is a Debian sid root filesystem kept outside the
# checkout: Debian stable's Bazel is too old and sid's cannot be installed
# onto a stable host without a libc transition (see docs/environment.md).
# Root keeps it in /var/cache/sprat; anyone else in their own cache folder,
# entered through a user namespace (no root needed, see tools/setup).
# chroot and friends live in /usr/sbin, which a normal user's login PATH
# on Debian leaves out.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin"; export PATH ;; esac
if [ "$(id -u)" = 0 ]; then
  SPRAT_ROOTLESS=0
  SPRAT_CACHE="${SPRAT_CACHE:-/var/cache/sprat}"
  _sprat_run=/run
else
  SPRAT_ROOTLESS=1
  SPRAT_CACHE="${SPRAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sprat}"
  _sprat_run="${XDG_RUNTIME_DIR:-$SPRAT_CACHE}"
  [ -d "$_sprat_run" ] && [ -w "$_sprat_run" ] || _sprat_run="$SPRAT_CACHE"
fi
# Inside, everyone is root, so a /tmp shared with the host's other users
# would clash on names like /tmp/pytest-of-root: a temporary folder each.
SPRAT_TMP=/tmp
[ "$SPRAT_ROOTLESS" = 1 ] && SPRAT_TMP="/tmp/sprat-tmp-$(id -u)"
SPRAT_ROOT="${SPRAT_ROOT:-$SPRAT_CACHE/sid-root}"
SPRAT_VENV=/opt/sprat-venv            # path inside the root filesystem
# Bazel's output tree sits at the same path inside the root filesystem and
# outside it, so bazel-bin and friends resolve from both.
SPRAT_BAZEL_ROOT="${SPRAT_BAZEL_ROOT:-$SPRAT_CACHE/bazel}"
SPRAT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SPRAT_SHARED="$(cd "$SPRAT_REPO/.." && pwd -P)/shared"

sprat_die() { echo "sprat: $*" >&2; exit 1; }

# How a private mount namespace is made. Without root it sits in a user
# namespace where the user is root and their subordinate ids (/etc/subuid)
# are the other users, so apt and dpkg can own files as _apt, man, ...
if [ "$SPRAT_ROOTLESS" = 1 ]; then
  SPRAT_UNSHARE=(unshare --map-auto --map-root-user --mount --propagation private)
  SPRAT_NSENTER=(nsenter --user --mount)
  # A fresh proc needs a PID namespace of its own; the host's, bound, does not.
  SPRAT_MOUNT_PROC='mount --rbind /proc "$R/proc"'
else
  SPRAT_UNSHARE=(unshare --mount --propagation private)
  SPRAT_NSENTER=(nsenter --mount)
  SPRAT_MOUNT_PROC='mount -t proc proc "$R/proc"'
fi

# Run a command inside the root filesystem, in a private mount namespace so
# that nothing it mounts shows on the host. The checkout and ../shared appear
# at the same absolute paths inside, so Bazel's paths match the host's. One
# namespace is kept alive by a holder process and entered by every call:
# Bazel's server, started by one call, must see the same mounts as the next
# call's client or the client restarts it.
SPRAT_NS_PIDFILE="$_sprat_run/sprat-namespace-$(printf %s "$SPRAT_ROOT" | md5sum | cut -c1-12).pid"

_sprat_is_holder() {
  [ -n "$1" ] && [ "$( { tr '\0' ' ' < /proc/"$1"/cmdline; } 2>/dev/null)" = "sprat-namespace-2 infinity " ]
}

_sprat_namespace() {
  local pid
  pid="$(cat "$SPRAT_NS_PIDFILE" 2>/dev/null || true)"
  if _sprat_is_holder "$pid"; then echo "$pid"; return; fi
  # The holder mounts what every call needs, then sleeps until the machine stops.
  setsid "${SPRAT_UNSHARE[@]}" -- /bin/bash -c '
    R="$1"
    '"$SPRAT_MOUNT_PROC"'
    mount --rbind /dev "$R/dev"
    # The usual folders of users, so paths given to sprat mean the same inside.
    for d in /home /tmp /mnt /media /srv /work; do
      [ -d "$d" ] && mkdir -p "$R$d" && mount --rbind "$d" "$R$d"
    done
    echo $$ > "$2"
    exec -a sprat-namespace-2 sleep infinity
  ' bash "$SPRAT_ROOT" "$SPRAT_NS_PIDFILE" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 100); do
    pid="$(cat "$SPRAT_NS_PIDFILE" 2>/dev/null || true)"
    if _sprat_is_holder "$pid"; then echo "$pid"; return; fi
    sleep 0.05
  done
  sprat_die "could not start the build environment's mount namespace"
}

sprat_enter() {
  [ -f "$SPRAT_ROOT/.sprat-stamp" ] || sprat_die "the build environment is missing: run $SPRAT_REPO/tools/setup"
  local cwd; cwd="$(pwd -P)"
  # The folders visible inside (see the holder below); elsewhere, the checkout.
  case "$cwd" in "$SPRAT_REPO"*|"$SPRAT_SHARED"*|/home/*|/tmp*|/mnt/*|/media/*|/srv/*|/work/*) ;; *) cwd="$SPRAT_REPO";; esac
  local tty=0; [ -t 1 ] && tty=1
  mkdir -p "$SPRAT_BAZEL_ROOT"
  [ -d "$SPRAT_TMP" ] || mkdir -m 700 "$SPRAT_TMP"
  [ -O "$SPRAT_TMP" ] || sprat_die "$SPRAT_TMP belongs to another user: remove it, or set TMPDIR elsewhere"
  local ns; ns="$(_sprat_namespace)"
  exec "${SPRAT_NSENTER[@]}" -t "$ns" -- /bin/bash -c '
    set -e
    R="$1"; CWD="$2"; TTY="$3"; BZ="$4"; REPO="$5"; SHARED="$6"; TMP="$7"; shift 7
    # Bind each folder at its own path inside, again if the host folder was
    # replaced since (a fresh clone at the same path).
    for d in "$REPO" "$SHARED" "$BZ"; do
      [ -d "$d" ] || continue
      if [ "$(stat -c %d:%i "$d")" != "$(stat -c %d:%i "$R$d" 2>/dev/null)" ]; then
        mountpoint -q "$R$d" && umount -l "$R$d"
        mkdir -p "$R$d"; mount --bind "$d" "$R$d"
      fi
    done
    exec chroot "$R" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" TMPDIR="$TMP" \
      PATH='"$SPRAT_VENV"'/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
      SPRAT_IN_ROOT=1 SPRAT_TTY="$TTY" CI="${CI:-}" SPRAT_HOST_CWD="$CWD" SPRAT_BAZEL_ROOT="$BZ" SPRAT_HOST_RESULTS="${SPRAT_HOST_RESULTS:-}" \
      /bin/bash -c "cd \"\$SPRAT_HOST_CWD\" && exec \"\$@\"" bash "$@"
  ' bash "$SPRAT_ROOT" "$cwd" "$tty" "$SPRAT_BAZEL_ROOT" "$SPRAT_REPO" "$SPRAT_SHARED" "$SPRAT_TMP" "$@"
}
