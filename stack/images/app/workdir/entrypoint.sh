#!/bin/sh
# The app image's entrypoint: runs the member its first argument names, services/<name>/src/main.ts,
# with tsx as the native provider does; its configuration comes from the environment.
set -eu
member="${1:-}"
main="/app/services/$member/src/main.ts"
case "$member" in
  "" | *[!a-z0-9-]*) main="" ;;
esac
if [ -z "$main" ] || [ ! -f "$main" ]; then
  known=$(cd /app/services && for m in */src/main.ts; do printf ' %s' "${m%%/*}"; done)
  echo "stackdrill app image: no member named \"$member\"; the members:$known" >&2
  exit 64
fi
shift
exec node --import tsx "$main" "$@"
