#!/usr/bin/env bash
# The build environment made and checked by a user who is not root:
# tools/setup (mmdebstrap --mode=unshare into the user's cache), then
# tools/setup --check, then a Bazel build through that environment.
# Run as root, it uses (and makes, once) the account $SPRAT_TEST_USER with
# subordinate ids; run as anyone else, it is that user. Exit 77 = skipped.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
USER_NAME="${SPRAT_TEST_USER:-sprat-ci}"

if ! unshare --user --map-root-user true 2>/dev/null; then
  echo "skipped: this kernel refuses unprivileged user namespaces, which tools/setup without root needs"
  exit 77
fi

run_as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    echo "making the account $USER_NAME for this test"
    useradd --create-home --shell /bin/bash "$USER_NAME"
  fi
  grep -q "^$USER_NAME:" /etc/subuid || usermod --add-subuids 300000-365535 "$USER_NAME"
  grep -q "^$USER_NAME:" /etc/subgid || usermod --add-subgids 300000-365535 "$USER_NAME"
  # Root's set-up installs the host tools a user's set-up needs; check it did.
  command -v mmdebstrap >/dev/null && command -v newuidmap >/dev/null \
    || { echo "FAIL: tools/setup as root did not install mmdebstrap and uidmap on the host"; exit 1; }
  home="$(getent passwd "$USER_NAME" | cut -d: -f6)"
  # The user's own copy of this working tree (the checkout may sit where
  # the user cannot write, or not even read).
  copy="$home/checkout"
  rm -rf "$copy"; mkdir -p "$copy"
  git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | (cd "$REPO" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$copy" -xf -
  chown -R "$USER_NAME:" "$copy"
  REPO="$copy"
  # A normal user's login PATH on Debian: no /usr/sbin (where chroot is).
  run_as_user() {
    runuser -u "$USER_NAME" -- env -i HOME="$home" USER="$USER_NAME" LOGNAME="$USER_NAME" \
      PATH=/usr/local/bin:/usr/bin:/bin:/usr/games LANG=C.UTF-8 "$@"
  }
fi

cd /
echo "== a machine without mmdebstrap: tools/setup names what to install"
nobin="$(run_as_user mktemp -d)"
for f in /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
  case "${f##*/}" in mmdebstrap) ;; *) ln -sf "$f" "$nobin/" 2>/dev/null || true ;; esac
done
out="$(run_as_user env SPRAT_CACHE="$nobin/cache" PATH="$nobin" "$REPO/tools/setup" 2>&1)" && rc=0 || rc=$?
rm -rf "$nobin"
echo "$out"
[ "$rc" = 1 ] && grep -q "apt-get install mmdebstrap" <<< "$out" \
  || { echo "FAIL: expected exit 1 and an error naming mmdebstrap, got exit $rc"; exit 1; }

echo "== tools/setup as $(run_as_user id -un) (uid $(run_as_user id -u))"
run_as_user "$REPO/tools/setup"
echo "== tools/setup --check"
run_as_user "$REPO/tools/setup" --check
echo "== bazel build //runtime through the user's environment"
run_as_user bash -c 'cd "$1" && tools/bazel build //runtime --noshow_progress 2>&1 | tail -3; exit ${PIPESTATUS[0]}' bash "$REPO"
run_as_user bash -c 'cd "$1" && tools/bazel shutdown' bash "$REPO" >/dev/null 2>&1 || true
echo "passed"
