#!/bin/bash
# Profiles one shape of `bench api-cluster` (our daemons only) with perf, every CPU, call graphs:
#   tools/bench/profile-shape.sh SHAPE [SECONDS] [OUT]
# SHAPE is how the bench names it when it starts ("sequential writes", "write to visible",
# "16 clients", "batched", "idle"). The daemons run the ReadyToRun publish named by BENCH_DAEMON
# (default out/bench-publish/applianced, which `./build.sh bench api-cluster` makes) with JIT-only
# code, no W^X double mapping and perf maps, so every managed frame resolves in `perf report`.
# Read it with, for example:
#   perf report -i OUT.data --no-children --sort comm -g none        (by kind of thread)
#   perf report -i OUT.data --children --pid PID --sort sym -g none  (one member; OUT.pids lists them in start order)
set -euo pipefail
shape=${1:?usage: profile-shape.sh SHAPE [SECONDS] [OUT]}
seconds=${2:-4}
out=${3:-/tmp/profile-$(echo "$shape" | tr ' ' '-')}
cd "$(dirname "$0")/../.."
daemon=$(realpath "${BENCH_DAEMON:-out/bench-publish/applianced}")
[ -x "$daemon" ] || { echo "no daemon at $daemon: run ./build.sh bench api-cluster first, or set BENCH_DAEMON" >&2; exit 1; }
command -v perf > /dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -f tools/bench/bin/Release/net10.0/bench.dll ] || { echo "build the bench first: ./build.sh build" >&2; exit 1; }

wrapper=$(mktemp /tmp/profile-daemon.XXXXXX)
trap 'rm -f "$wrapper"' EXIT
cat > "$wrapper" <<EOF
#!/bin/sh
export DOTNET_PerfMapEnabled=1 DOTNET_ReadyToRun=0 DOTNET_EnableWriteXorExecute=0
exec "$daemon" "\$@"
EOF
chmod +x "$wrapper"

API_CLUSTER_ONLY=applianced BENCH_DAEMON=$wrapper dotnet tools/bench/bin/Release/net10.0/bench.dll api-cluster > "$out.log" 2>&1 &
bench=$!
# A failure here (perf refused, say) must not leave the bench and its daemons running.
trap 'kill $bench 2> /dev/null || true; rm -f "$wrapper"' EXIT
until grep -q ": $shape from" "$out.log"; do
  kill -0 $bench 2> /dev/null || { echo "the bench ended before '$shape' began (see $out.log)" >&2; exit 1; }
  sleep 0.1
done
sleep 0.3 # past the shape's first requests
# This bench's members only: the wrapper execs exactly this binary, other daemons on the box run another path or arguments.
pgrep -f "^$daemon --data-dir .*/api.sock --hal simulated" | tr '\n' ' ' > "$out.pids"
perf record -F 999 -a -g -o "$out.data" -- sleep "$seconds" > /dev/null 2>&1
wait $bench
echo "$out.data ($seconds s of '$shape'; members $(cat "$out.pids")); figures in $out.log"
