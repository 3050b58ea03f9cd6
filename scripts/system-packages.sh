#!/usr/bin/env bash
# What the tests start besides Node, from Debian's packages when missing (nothing downloads a
# browser or a binary): Chromium for the browser test, redis-server for the queue tests (each test
# starts its own on a free loopback port). Run by `npm test` (pretest) and by .ci/run.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing Debian packages the tests need: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "the tests need Debian packages that are missing: ${missing[*]}" >&2
  echo "  install them with: sudo apt-get install -y ${missing[*]}   (then run npm test again)" >&2
  exit 1
fi
