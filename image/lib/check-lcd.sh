# The front panel on the booted image (issue 17, point 9). The test VM has no panel plugged in: the
# daemon is up anyway and has said once that it waits for /dev/appliance-lcd; the USB serial driver
# is loaded (so DeviceAllow=char-ttyUSB resolved at the unit's start) and the udev rule is in place.
# Needs "lcd": "/dev/appliance-lcd" in applianced.json and DeviceAllow=char-ttyUSB rw in the unit.
check_lcd() {
  local vm=$1 out
  out=$(vm_cli "$vm" log events) || fail "lcd: 'log events' failed"
  expect_in "lcd: the daemon waits for the absent panel" "front panel waiting for /dev/appliance-lcd" "$out"
  out=$(vm_root "$vm" 'grep -w ttyUSB /proc/devices; ls /etc/udev/rules.d/60-appliance-lcd.rules; systemctl show -p DeviceAllow applianced') ||
    fail "lcd: reading /proc/devices and the unit failed"
  expect_in "lcd: usbserial is loaded (ttyUSB in /proc/devices)" "ttyUSB" "$out"
  expect_in "lcd: the udev rule is installed" "60-appliance-lcd.rules" "$out"
  expect_in "lcd: the unit may open USB serial devices" "char-ttyUSB rw" "$out"
}
