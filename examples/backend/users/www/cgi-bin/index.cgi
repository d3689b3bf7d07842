#!/bin/sh
# busybox httpd runs this for every URL that ends in "/" and has no index.html, so it routes by
# REQUEST_URI. Health paths are static files instead: a users-api whose auth-api is down still
# answers its probes, and the orchestrator does not restart it for a dependency's outage.
# AUTH_URL (compose) is auth's full URL; the chart gives AUTH_API_URL, auth's base URL.
auth_url="${AUTH_URL:-${AUTH_API_URL:-http://127.0.0.1:9000}/auth}"

respond() {
  printf 'Status: %s\r\nContent-Type: application/json\r\n\r\n%s\n' "$1" "$2"
}

case "${REQUEST_URI%%\?*}" in
  /api/users/)
    # timeout, not wget -T: busybox 1.35's wget crashes (SIGSEGV) with -T.
    if auth=$(timeout 5 wget -q -O - "$auth_url" 2>/dev/null); then
      respond "200 OK" "{\"users\":[{\"id\":1,\"name\":\"ada\"}],\"auth\":$auth}"
    else
      respond "502 Bad Gateway" "{\"error\":\"auth-api did not answer at $auth_url\"}"
    fi
    ;;
  *)
    respond "404 Not Found" "{\"error\":\"no route for ${REQUEST_URI%%\?*}\"}"
    ;;
esac
