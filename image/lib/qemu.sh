# qemu helpers for boot-test.sh (sourced). Each VM: a directory $RUN/<name> with disk.qcow2
# (overlay on appliance.img, kept across a kill and reboot), serial.log, qemu.pid, qemu.err.
ACCEL_USED=
VMS=()

# A free TCP/UDP port on 127.0.0.1 (checked with ss; the range avoids the usual services).
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Htuln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

# vm_start NAME SSH_PORT [LAN_IP/PREFIX LAN_LOCAL_UDP LAN_REMOTE_UDP]
# Each VM has a stable DMI serial (SMBIOS type 1, vm_serial): the daemon's hardware serial, to
# which its licence keys are bound, as on a real box.
# The LAN NIC (eth0) is a point-to-point UDP socket between two qemu processes on 127.0.0.1,
# stateless so either side can be killed and started again; the maintenance NIC is user-net with
# restrict=on (no traffic leaves the host) and only the SSH port forwarded from 127.0.0.1.
vm_start() {
  local name=$1 port=$2 lanip=${3:-} lport=${4:-} rport=${5:-}
  local dir=$RUN/$name
  mkdir -p "$dir"
  printf '%s\n' "$@" > "$dir/start.args"   # for vm_power_cycle
  [ -f "$dir/disk.qcow2" ] || qemu-img create -q -f qcow2 -F raw -b "$IMG/appliance.img" "$dir/disk.qcow2"
  local append="console=ttyS0 root=/dev/vda rw net.ifnames=0 panic=-1 systemd.show_status=1"
  local nets=()
  if [ -n "$lanip" ]; then
    # systemd-network-generator renders ip=ADDR:::PREFIX::eth0:off as eth0's static address.
    append+=" ip=${lanip%/*}:::${lanip#*/}::eth0:off"
    local host=${lanip%/*}
    nets+=(-netdev "socket,id=lan,udp=127.0.0.1:$rport,localaddr=127.0.0.1:$lport"
           -device "virtio-net-pci,netdev=lan,mac=52:54:00:12:00:$(printf %02x "${host##*.}")")
  fi
  # SNMP from the host: TCP 127.0.0.1:$SNMP_PORT to the VM's 161 (set by the single scenario). TCP:
  # with restrict=on, qemu's user network drops the guest's UDP replies to a forwarded datagram;
  # the test image's snmpd also listens on tcp:161 (image/test-overlay).
  local snmp_fwd=${SNMP_PORT:+,hostfwd=tcp:127.0.0.1:$SNMP_PORT-:161}
  nets+=(-netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22$snmp_fwd" -device virtio-net-pci,netdev=mgmt)
  local accel=${ACCEL_USED:-$ACCEL}
  [ "$accel" = auto ] && accel=kvm
  while :; do
    : > "$dir/serial.log"
    local cpu=max; [ "$accel" = kvm ] && cpu=host
    qemu-system-x86_64 -name "$name" -accel "$accel" -machine q35 -cpu "$cpu" -smp 1 -m 1024 \
      -nodefaults -display none -monitor none -serial "file:$dir/serial.log" \
      -kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" -append "$append" \
      -drive "file=$dir/disk.qcow2,if=virtio,format=qcow2,cache=unsafe" \
      -smbios "type=1,manufacturer=Appliance,product=Appliance VM,serial=$(vm_serial "$name")" \
      -device virtio-rng-pci "${nets[@]}" \
      -pidfile "$dir/qemu.pid" -daemonize 2> "$dir/qemu.err" || true
    date +%s.%N > "$dir/started"
    if [ -n "$ACCEL_USED" ] || [ "$ACCEL" != auto ] || [ "$accel" = tcg ]; then break; fi
    # KVM is present on some machines but fails on their CPU: the kernel then never prints.
    local t
    for t in $(seq 1 40); do
      grep -q 'Linux version' "$dir/serial.log" 2>/dev/null && break
      vm_alive "$name" || break
      sleep 0.5
    done
    if grep -q 'Linux version' "$dir/serial.log" 2>/dev/null && sleep 3 && vm_alive "$name" \
       && ! grep -qiE 'KVM internal error|entry failed' "$dir/qemu.err" "$dir/serial.log"; then
      break
    fi
    log "KVM does not work here ($(head -c 200 "$dir/qemu.err" | tr '\n' ' ')); falling back to TCG"
    vm_kill "$name"
    accel=tcg
  done
  ACCEL_USED=$accel
  vm_alive "$name" || fail "qemu for $name did not start: $(cat "$dir/qemu.err")"
  [[ " ${VMS[*]} " == *" $name "* ]] || VMS+=("$name")
  echo "$port" > "$dir/ssh.port"
  log "$name started (accel $accel, ssh 127.0.0.1:$port${lanip:+, LAN $lanip})"
}

vm_serial() { echo "APPL-BOOT-$(tr '[:lower:]' '[:upper:]' <<< "$1")"; }
vm_pid() { cat "$RUN/$1/qemu.pid" 2>/dev/null || true; }
vm_alive() { local p; p=$(vm_pid "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# Pulls the plug: SIGKILL to this VM's qemu (by its own pid file), no guest shutdown.
vm_kill() {
  local p; p=$(vm_pid "$1")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -9 "$p" 2>/dev/null || true
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$RUN/$1/qemu.pid"
}

# Pulls the plug and powers the VM on again with the same disk, ports and LAN (a power cut).
vm_power_cycle() {
  local args; mapfile -t args < "$RUN/$1/start.args"
  vm_kill "$1"
  vm_start "${args[@]}"
}

vm_stop_all() { local v; for v in ${VMS[@]+"${VMS[@]}"}; do vm_kill "$v"; done; }

# Waits until the probe has reported applianced active (READY received; the probe starts only
# then) with its whole first block (Uptime is its last line); prints seconds since qemu start.
vm_wait_ready() {
  local name=$1 timeout=${2:-600} dir=$RUN/$1 t=0
  while ! grep -qa 'PROBE #0 Uptime=' "$dir/serial.log" 2>/dev/null; do
    vm_alive "$name" || fail "$name: qemu exited during boot (serial log: $dir/serial.log)"
    t=$((t + 1)); [ "$t" -le "$timeout" ] || fail "$name: applianced not READY after ${timeout}s (serial log: $dir/serial.log)"
    sleep 1
  done
  awk -v s="$(cat "$dir/started")" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'
}

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o ConnectTimeout=10 -o BatchMode=yes -o IdentitiesOnly=yes -o ServerAliveInterval=10)
# vm_ssh NAME [ssh options and remote command...]
vm_ssh() {
  local name=$1; shift
  ssh "${SSH_OPTS[@]}" -i "$KEY" -p "$(cat "$RUN/$name/ssh.port")" "$@" admin@127.0.0.1
}
# vm_cli NAME WORDS... : runs one appliancectl command over SSH (the words are one remote line).
vm_cli() {
  local name=$1; shift
  ssh "${SSH_OPTS[@]}" -i "$KEY" -p "$(cat "$RUN/$name/ssh.port")" admin@127.0.0.1 "$*"
}
# vm_root NAME 'shell command' : runs a command as root (test images only: the probe overlay lets
# root in with the boot test's first key, $ROOT_KEY, which the keys check never removes).
vm_root() {
  local name=$1; shift
  ssh "${SSH_OPTS[@]}" -i "$ROOT_KEY" -p "$(cat "$RUN/$name/ssh.port")" root@127.0.0.1 "$*"
}
# vm_sftp NAME : sftp as the transfer account, batch commands on stdin (fails on the first error).
vm_sftp() {
  local name=$1; shift
  sftp "${SSH_OPTS[@]}" -i "$KEY" -P "$(cat "$RUN/$name/ssh.port")" -b - "$@" transfer@127.0.0.1
}
# vm_scp NAME ARGS... : scp with the test key; name the VM's side as transfer@127.0.0.1:FILE.
vm_scp() {
  local name=$1; shift
  scp "${SSH_OPTS[@]}" -i "$KEY" -P "$(cat "$RUN/$name/ssh.port")" "$@"
}
# vm_unit NAME : applianced's unit state in one line (systemctl show), as root.
vm_unit() {
  vm_root "$1" systemctl show applianced -p ActiveState,SubState,Result,NRestarts,MainPID,ExecMainStatus --no-pager | tr '\n' ' '
}
# vm_wait_active NAME OLD_MAINPID [TIMEOUT] : waits until applianced is active/running with
# another main PID (restarted); prints the seconds it took.
vm_wait_active() {
  local name=$1 old=$2 timeout=${3:-300} t0 state
  t0=$(date +%s)
  while :; do
    state=$(vm_unit "$name" 2>/dev/null || true)
    if grep -q 'ActiveState=active' <<< "$state" && grep -q 'SubState=running' <<< "$state" \
       && ! grep -q "MainPID=$old " <<< "$state" && ! grep -q 'MainPID=0 ' <<< "$state"; then
      echo $(( $(date +%s) - t0 )); return 0
    fi
    [ $(( $(date +%s) - t0 )) -le "$timeout" ] || fail "$name: applianced not active again after ${timeout}s ($state)"
    sleep 2
  done
}
# vm_main_pid NAME : applianced's main PID in the VM.
vm_main_pid() { vm_root "$1" systemctl show -p MainPID --value applianced | tr -d '\r'; }

# Waits for sshd to accept the test key.
vm_wait_ssh() {
  local name=$1 t=0
  until vm_cli "$name" status > /dev/null 2>&1; do
    t=$((t + 2)); [ "$t" -le 300 ] || fail "$name: SSH as admin not working after 300 s"
    sleep 2
  done
}
# The last probe value of KEY from a VM's serial log.
probe() { grep -a "PROBE .* $2=" "$RUN/$1/serial.log" | tail -1 | sed "s/.* $2=//" | tr -d '\r'; }
