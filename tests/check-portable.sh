#!/bin/sh
# The plugin side (core/, plugin/, ui/) also builds for Windows and macOS
# (packaging/windows/README.md, packaging/macos/README.md): it must not call
# Linux-only interfaces.  Only the server, and test programs, may.
set -eu
src=${1:?usage: check-portable.sh SOURCE_ROOT}
pattern='epoll_|inotify_|signalfd|prctl|/proc/'
found=$(grep -rnE "$pattern" --include="*.c" --include="*.h" --exclude-dir=tests \
          "$src/core" "$src/plugin" "$src/ui" 2>/dev/null || true)
if [ -n "$found" ]; then
  echo "Linux-only interfaces in portable code:"
  echo "$found"
  echo "1..1"; echo "not ok 1 - core, plugin and ui use no Linux-only interface"
  exit 1
fi
echo "1..1"; echo "ok 1 - core, plugin and ui use no Linux-only interface"
