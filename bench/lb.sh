#!/usr/bin/env bash
# bench/lb.sh: requests/s and latency of the Slipway load-balancer listener beside nginx
# and HAProxy, all reverse-proxying with keep-alive to the same minimal backend on
# 127.0.0.1, measured with wrk in one run. Each proxy adds X-Forwarded-For (nginx and
# HAProxy are configured to, Slipway always does, plus X-Forwarded-Proto/-Port and
# X-Amzn-Trace-Id). A full run takes about ROUNDS x 4 x (DURATION + WARMUP).
#
#   bash bench/lb.sh                 # wrk -t2 -c64 -d10s --latency, 3 rounds
#   DURATION=5s ROUNDS=1 bash bench/lb.sh   # quicker, noisier
#
# Needs: go, wrk, nginx, haproxy (Debian: apt-get install -y wrk nginx haproxy).
# nginx and haproxy run in the foreground as the current user with config files in a
# temporary directory (no system service); everything started here is stopped on exit.
# Nothing is pinned to cores: wrk, the backend and the proxy share the machine's CPUs,
# which is why peers are measured in the same run.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
BACKEND_PORT=${BACKEND_PORT:-18080}
SLIPWAY_PORT=${SLIPWAY_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
HAPROXY_PORT=${HAPROXY_PORT:-18083}

missing=()
for tool in go wrk nginx haproxy; do
	command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "missing: ${missing[*]} (install with: apt-get install -y wrk nginx haproxy)" >&2
	exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

(cd "$root" && go build -o "$tmp/backend" ./bench/lb/backend && go build -o "$tmp/slipway-lb" ./bench/lb/slipway)

wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "port $1 did not open" >&2
	return 1
}

"$tmp/backend" -addr "127.0.0.1:$BACKEND_PORT" &
pids+=($!)
wait_port "$BACKEND_PORT"

"$tmp/slipway-lb" -port "$SLIPWAY_PORT" -backend "127.0.0.1:$BACKEND_PORT" 2>"$tmp/slipway.log" &
pids+=($!)

user_line=""
if [[ $(id -u) == 0 ]]; then user_line="user root root;"; fi
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<NGINX
$user_line
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	upstream backend {
		server 127.0.0.1:$BACKEND_PORT;
		keepalive 128;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		keepalive_requests 1000000;
		location / {
			proxy_pass http://backend;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
	}
}
NGINX
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" -g 'daemon off;' &
pids+=($!)

cat >"$tmp/haproxy.cfg" <<HAPROXY
global
	maxconn 4096
defaults
	mode http
	timeout connect 5s
	timeout client 60s
	timeout server 60s
	option http-keep-alive
	option forwardfor
frontend front
	bind 127.0.0.1:$HAPROXY_PORT
	default_backend back
backend back
	http-reuse always
	server s1 127.0.0.1:$BACKEND_PORT
HAPROXY
"$HAPROXY" -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.log" 2>&1 &
pids+=($!)

for p in "$SLIPWAY_PORT" "$NGINX_PORT" "$HAPROXY_PORT"; do wait_port "$p"; done
sleep 0.2 # slipway opens its port before its target has passed the first health check

# run NAME PORT: one warm-up and one measured wrk run; appends "rps p50_ms p99_ms" to
# $tmp/NAME.results.
run() {
	local url="http://127.0.0.1:$2/"
	wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$url" >/dev/null
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$url" >"$tmp/$1.wrk"
	awk '
		function ms(v) {
			if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
			if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
			if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
			return v
		}
		/Requests\/sec/ { rps = $2 }
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/Non-2xx|Socket errors/ { err = err " " $0 }
		END { printf "%s %s %s\n", rps, p50, p99; if (err != "") print "warning: " err > "/dev/stderr" }
	' "$tmp/$1.wrk" >>"$tmp/$1.results"
}

# median NAME COLUMN: the median of one column of NAME's rounds.
median() { sort -g -k1,1 <(cut -d' ' -f"$2" "$tmp/$1.results") | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The machine may be shared: rounds are interleaved (slipway, nginx, haproxy, direct,
# then again) and each figure is the median over rounds, so a burst of outside load
# does not land on one proxy only.
echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds (medians), backend 127.0.0.1:$BACKEND_PORT, $(nproc) CPUs" >&2
for round in $(seq 1 "$ROUNDS"); do
	run slipway "$SLIPWAY_PORT"
	run nginx "$NGINX_PORT"
	run haproxy "$HAPROXY_PORT"
	run direct "$BACKEND_PORT"
	echo "round $round: slipway $(tail -1 "$tmp/slipway.results") | nginx $(tail -1 "$tmp/nginx.results") | haproxy $(tail -1 "$tmp/haproxy.results")" >&2
done

n_rps=$(median nginx 1)
n_p99=$(median nginx 3)
printf '\n%-18s %12s %9s %9s %12s %12s\n' proxy "requests/s" "p50 ms" "p99 ms" "rps/nginx" "p99/nginx"
for name in slipway nginx haproxy direct; do
	label=$name
	[[ $name == direct ]] && label="(backend direct)"
	awk -v n="$label" -v r="$(median "$name" 1)" -v a="$(median "$name" 2)" -v b="$(median "$name" 3)" -v nr="$n_rps" -v np="$n_p99" \
		'BEGIN { printf "%-18s %12.0f %9.3f %9.3f %12.2f %12.2f\n", n, r, a, b, r / nr, b / np }'
done
