#!/bin/sh
# The UI image's entrypoint: fills the port (PORT) and the gateway's URL (GATEWAY_URL, e.g.
# http://gateway:18080) into the configuration rendered at build time, then runs nginx in the
# foreground as this (non-root) user, everything it writes under /tmp/nginx.
set -eu
fail() {
  echo "stackdrill ui image: $*" >&2
  exit 64
}
port="${PORT:-8080}"
case "$port" in
  "" | *[!0-9]*) fail "PORT must be a port number, got \"$port\"" ;;
esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || fail "PORT must be a port number, got \"$port\""
gateway="${GATEWAY_URL:-}"
[ -n "$gateway" ] || fail "GATEWAY_URL is not set: the gateway the API is passed to, e.g. GATEWAY_URL=http://gateway:18080"
gateway="${gateway%/}"
# Scheme, host and port only: a path would change which URI nginx passes on.
echo "$gateway" | grep -Eq '^https?://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$' \
  || fail "GATEWAY_URL must be http(s)://host[:port] with no path, got \"$GATEWAY_URL\""
# nginx resolves the gateway's name once, at start, as the system does (/etc/hosts, search domains:
# a Kubernetes Service's short name works); a gateway moved to another address needs a restart here.
# Say plainly when the name does not resolve, rather than nginx's "host not found in upstream".
authority="${gateway#*://}"
case "$authority" in
  \[*)
    host="${authority%%]*}"
    host="${host#[}"
    ;;
  *) host="${authority%:*}" ;;
esac
getent hosts "$host" >/dev/null \
  || fail "GATEWAY_URL's host \"$host\" does not resolve here (is the gateway started, on this network?)"
mkdir -p /tmp/nginx
sed -e "s|@PORT@|$port|g" -e "s|@GATEWAY_URL@|$gateway|g" \
  /usr/local/lib/stackdrill-ui/nginx.conf.template >/tmp/nginx/nginx.conf
exec nginx -e stderr -c /tmp/nginx/nginx.conf -g 'daemon off;'
