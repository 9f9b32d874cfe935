#!/usr/bin/env bash
# The demo: a live cluster of appliance peers on loopback with simulated hardware, formed the way
# the vendor guide's procedure does it (an initial peer, then joining peers), all driven through
# appliancectl as an administrator would. Run it with ./build.sh demo (which builds first).
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${CONFIG:-Release}
BIN_D=daemon/Applianced/bin/$CONFIG/net10.0/applianced.dll
BIN_C=tools/appliancectl/bin/$CONFIG/net10.0/appliancectl.dll
BIN_L=tools/lcdsim/bin/$CONFIG/net10.0/lcdsim.dll
BIN_K=tools/keytool/bin/$CONFIG/net10.0/keytool.dll
BIN_S=tools/bridgesim/bin/$CONFIG/net10.0/bridgesim.dll
WORK=$(mktemp -d /tmp/appliance-demo.XXXXXX)
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ctl() { local n=$1; shift; echo "\$ appliancectl $*   # on peer $n"; dotnet "$BIN_C" --socket "$WORK/p$n.sock" "$@"; }

start_peer() {
  local n=$1; shift
  dotnet "$BIN_D" --hal simulated --data-dir "$WORK/p$n" --api-socket "$WORK/p$n.sock" --bind "127.0.0.$((10 + n))" \
    --serial "DEMO000$n" "$@" >"$WORK/p$n.out" 2>&1 &
  PIDS[$n]=$!
  for _ in $(seq 100); do
    dotnet "$BIN_C" --socket "$WORK/p$n.sock" status >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "peer $n did not start:"; cat "$WORK/p$n.out"; exit 1
}

licence_peer() { # R14: without a release key a peer runs as Essentials and cannot cluster
  dotnet "$BIN_K" issue-release --serial "DEMO000$1" --edition full >"$WORK/lic$1" 2>/dev/null
  ctl "$1" licence add "$WORK/lic$1"
}

wait_forgotten() { # peer, host name: until its licence table no longer names that peer
  for _ in $(seq 80); do
    dotnet "$BIN_C" --socket "$WORK/p$1.sock" --json licence show | grep -q "\"$2\"" || return 0
    sleep 0.25
  done
  echo "(still waiting for peer $1 to forget $2)"
}

wait_active() { # peer, expected count of active peers "2/2"
  for _ in $(seq 60); do
    dotnet "$BIN_C" --socket "$WORK/p$1.sock" --json status | grep -Eq "\"cluster\": ?\"$2 active\"" && return 0
    sleep 0.25
  done
  echo "(still waiting for $2 active on peer $1)"
}

KEY="demo-cluster-key-$RANDOM$RANDOM"

step "Peer 1 (alpha) starts standalone, with a front panel on a pty pair"
socat -d pty,raw,echo=0,link="$WORK/lcd-daemon" pty,raw,echo=0,link="$WORK/lcd-panel" 2>/dev/null &
PIDS[10]=$!
for _ in $(seq 50); do [ -e "$WORK/lcd-panel" ] && break; sleep 0.1; done
start_peer 1 --lcd "$WORK/lcd-daemon"
ctl 1 config set system.hostname alpha
ctl 1 config set ipv4.address 198.18.0.11
ctl 1 config set ipv4.mask 255.255.255.0
ctl 1 config set ipv4.gateway 198.18.0.1
ctl 1 config confirm      # from afar a network change reverts by itself unless confirmed in time
ctl 1 config set dns.servers 198.18.0.53 198.18.0.54
ctl 1 config add bridges bridge-oslo address=198.18.1.10 protocol=https
ctl 1 status

step "Form the cluster on peer 1: a release key (test vendor key), the cluster key (read from stdin, never argv) and only its own address"
licence_peer 1
echo "$KEY" | ctl 1 cluster set-key
ctl 1 cluster set-peers 127.0.0.11
ctl 1 cluster show

step "Peer 2 (beta) starts standalone with its own settings and a shared item of its own"
start_peer 2
ctl 2 config set system.hostname beta
ctl 2 config set ipv4.address 198.18.0.12
ctl 2 config confirm
ctl 2 config add bridges bridge-local address=198.18.1.99 protocol=http
licence_peer 2

step "Join: list both peers on peer 1, then the key and the same list on peer 2"
ctl 1 cluster set-peers 127.0.0.11 127.0.0.12
echo "$KEY" | ctl 2 cluster set-key
ctl 2 cluster set-peers 127.0.0.11 127.0.0.12
wait_active 1 2/2; wait_active 2 2/2
ctl 1 cluster show
ctl 2 cluster show
echo "Peer 2 adopted the cluster's shared configuration (its own bridge is gone, kept in a backup copy):"
ctl 2 config show bridges
ls "$WORK/p2/backups"

step "Changes on each peer replicate: a bridge added on peer 2, a template on peer 1"
ctl 2 config add bridges bridge-bergen address=198.18.1.20 protocol=https
ctl 1 config add templates weekly maxParticipants=20
sleep 0.3
ctl 1 config show bridges
ctl 2 config show templates
echo "Peer-specific settings stay per peer, visible read-only on the others:"
ctl 1 config show ipv4 --peer beta
echo "Cross-peer rule (R7):"
ctl 2 config set ipv4.additional 198.18.0.11 || true

step "A conference bridge (bridgesim on 127.0.0.21): every peer watches it over its XML-RPC API and shares what it sees"
start_sim() {
  dotnet "$BIN_S" --http 127.0.0.21:8080 --sip 127.0.0.21:5060 --user conductor --password sim-secret --ports 40 >"$WORK/sim.out" 2>&1 &
  PIDS[20]=$!
  for _ in $(seq 100); do grep -q listening "$WORK/sim.out" && return 0; sleep 0.1; done
  echo "bridgesim did not start:"; cat "$WORK/sim.out"; exit 1
}
wait_bridge() { # peer, state: until that peer's own view (the first row) of bridge-sim says so
  for _ in $(seq 80); do
    dotnet "$BIN_C" --socket "$WORK/p$1.sock" --json bridges status bridge-sim | grep -m1 '"state"' | grep -q "\"$2\"" && return 0
    sleep 0.25
  done
  echo "(still waiting for bridge-sim to be $2 on peer $1)"
}
start_sim
SIM_FIELDS="address=127.0.0.21 protocol=http port=8080 user=conductor password type=mcu sipPort=5060 sipTransport=udp"
echo "\$ echo ... | appliancectl config add bridges bridge-sim $SIM_FIELDS   # on peer 1"
echo sim-secret | dotnet "$BIN_C" --socket "$WORK/p1.sock" config add bridges bridge-sim $SIM_FIELDS
wait_bridge 1 usable; wait_bridge 2 usable
ctl 2 bridges status bridge-sim
echo "The bridge dies (killed): unreachable from both peers, with an alarm on each"
kill -9 "${PIDS[20]}"; wait "${PIDS[20]}" 2>/dev/null || true
wait_bridge 1 unreachable; wait_bridge 2 unreachable
ctl 1 bridges status bridge-sim
ctl 1 alarms
echo "It comes back: usable again within seconds (the guide allows 5-6 minutes)"
start_sim
SECONDS=0; wait_bridge 1 usable; echo "(usable on peer 1 after ${SECONDS} s)"
ctl 1 bridges status bridge-sim

step "A call through the cluster onto the bridge: baresip dials meet.1 at peer 1's rendezvous address; the B2BUA places conference meet-1 on bridge-sim"
ctl 1 config add bridge-pools pool-sim bridges=bridge-sim
ctl 1 config add service-preferences pref-sim pools=pool-sim
ctl 1 config add templates meetings preference=pref-sim lingerSeconds=5
ctl 1 config add conference-aliases meet 'pattern=meet\.(\d+)' 'conference=meet-$1' role=guest priority=10 template=meetings
dotnet "$BIN_K" issue-option --serial DEMO0001 --personal 0 --shared 10 >"$WORK/opt1" 2>/dev/null
ctl 1 licence add "$WORK/opt1"    # multiparty licences (R14): each participant takes one
ctl 1 config add locations oslo
ctl 1 config add location-addresses oslo rendezvous=127.0.0.31    # where the call processor's trunk sends calls
ctl 2 config add location-addresses oslo rendezvous=127.0.0.32
mkdir -p "$WORK/ua"
printf 'sip_listen 127.0.0.1:0\naudio_player aubridge,x\naudio_source aubridge,x\naudio_alert aubridge,x\nvideo_source nil\nmodule_path /usr/lib/baresip/modules\nmodule stdio.so\nmodule g711.so\nmodule aubridge.so\nmodule_app account.so\nmodule_app menu.so\n' >"$WORK/ua/config"
echo "<sip:demo@127.0.0.1>;regint=0" >"$WORK/ua/accounts"
mkfifo "$WORK/ua.in"
echo "\$ baresip -e '/dial sip:meet.1@127.0.0.31'"
baresip -f "$WORK/ua" -e "/dial sip:meet.1@127.0.0.31" <"$WORK/ua.in" >"$WORK/ua.out" 2>&1 &
PIDS[21]=$!
exec 3>"$WORK/ua.in"
for _ in $(seq 100); do grep -q "Call established" "$WORK/ua.out" && break; sleep 0.1; done
grep -m1 -o "Call established.*" "$WORK/ua.out" || { echo "(no call: baresip said)"; cat "$WORK/ua.out"; }
ctl 1 calls show
ctl 2 conferences show    # the shared status: any peer answers for the conference
echo /hangup >&3
for _ in $(seq 50); do dotnet "$BIN_C" --socket "$WORK/p1.sock" --json calls show | grep -q callId || break; sleep 0.1; done
echo "Hung up: the call is gone; the empty conference is destroyed on the bridge after the template's linger (5 s)"
ctl 1 calls show
echo /quit >&3; exec 3>&-

step "Stop peer 2, keep writing on peer 1, restart peer 2: it catches up"
kill "${PIDS[2]}"; wait "${PIDS[2]}" 2>/dev/null || true
sleep 3.5
ctl 1 cluster show
for i in 1 2 3; do dotnet "$BIN_C" --socket "$WORK/p1.sock" config add templates "while-down-$i" maxParticipants=$i >/dev/null; done
start_peer 2
wait_active 2 2/2
ctl 2 config show templates
ctl 1 cluster verify

step "A third peer (gamma) joins: the 3-peer warning is raised (2 peers are recommended)"
start_peer 3
ctl 3 config set system.hostname gamma
licence_peer 3
ctl 1 cluster set-peers 127.0.0.11 127.0.0.12 127.0.0.13
ctl 2 cluster set-peers 127.0.0.11 127.0.0.12 127.0.0.13
echo "$KEY" | ctl 3 cluster set-key
ctl 3 cluster set-peers 127.0.0.11 127.0.0.12 127.0.0.13
wait_active 3 3/3; wait_active 1 3/3
ctl 3 cluster show
ctl 3 alarms
ctl 3 licence show
ctl 1 cluster verify

step "The configuration log on peer 1 (who changed what, through which channel)"
ctl 1 log config --limit 12

step "The front panel of peer 1 (what the 20x4 LCD shows; run 'dotnet $BIN_L DEVICE' to drive one by hand)"
# Nothing has been on the line's other end so far, so the daemon is between reconnect attempts
# (at most 5 s apart): give it one attempt before reading the display.
printf 'wait 6000\ndump\n' | timeout 20 dotnet "$BIN_L" --script - "$WORK/lcd-panel" || true
if [ -t 0 ] && [ -t 1 ]; then
  read -r -p "Drive this front panel now with the arrow keys, Enter and Esc (q quits)? [y/N] " drive
  if [ "${drive:-n}" = y ]; then dotnet "$BIN_L" "$WORK/lcd-panel" || true; fi
fi

step "Peer 3 (gamma) dies for good: peer 1 deletes its address and forgets it (refused while gamma still answers)"
ctl 1 cluster set-peers 127.0.0.11 127.0.0.12
ctl 1 cluster forget 127.0.0.13 --yes || echo "(exit $?: gamma still answers)"
echo "Gamma's list still names peer 1, which raises an alarm on peer 1 (a stale list):"
for _ in $(seq 40); do dotnet "$BIN_C" --socket "$WORK/p1.sock" alarms | grep -q listed-by && break; sleep 0.25; done
ctl 1 alarms
kill "${PIDS[3]}"; wait "${PIDS[3]}" 2>/dev/null || true
ctl 1 cluster forget 127.0.0.13 --yes
ctl 2 cluster set-peers 127.0.0.11 127.0.0.12
wait_active 1 2/2; wait_forgotten 2 gamma
ctl 2 licence show

step "Peer 2 (beta) leaves the guide's way (delete the key, then the peers); peer 1 deletes its address and forgets it"
ctl 2 config unset cluster.key --yes    # --yes: a script cannot answer the question it asks
ctl 2 config unset cluster.peers --yes
ctl 2 cluster show
ctl 1 cluster set-peers 127.0.0.11
wait_forgotten 1 beta
ctl 1 licence show
ctl 1 log events --limit 3

step "Stop all peers cleanly"
for n in 2 1; do kill "${PIDS[$n]}"; wait "${PIDS[$n]}" 2>/dev/null || true; done
echo "Done. The appliance image is built and booted with ./build.sh image (see README, 'Boot the appliance image')."
