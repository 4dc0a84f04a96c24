#!/bin/bash
# The UI image's HEALTHCHECK: nginx answers the app shell on its port (bash's /dev/tcp: no curl).
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}" || exit 1
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r status <&3
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "nginx answered: $status" >&2; exit 1 ;;
esac
