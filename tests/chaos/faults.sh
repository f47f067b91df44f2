# shellcheck shell=bash
# The faults of tests/chaos/run, sourced by it after lab_init.  For fault F and
# run I:
#   fault_prepare F I   before the model starts; sets FAULT_ENV (extra environment
#                       of the model) or FAULT_SKIP and returns 1 when F cannot run here
#   fault_inject F I    mid-call, at the seeded moment
#   fault_settle F I    after the member's call, until the fault's own end is over
#   fault_recover F I   after the model stopped, before the checks

# Faults whose charges after the fault are given up (docs/billing-rules.md: forfeited on a
# crash, billing stops on a journal error) rather than owed.
FAULTS_FORFEITING=" model-kill disk-full "

FAULT_OUTAGE_S=3 # platform and network outages: shorter than the 2 held periods
FAKETIME_LIB=${PPM_FAKETIME_LIB:-$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)}

chaos_platform_restart() {
  "$PPM_SERVER_BIN" --db "$LAB_DB" --listen "127.0.0.1:$PLATFORM_PORT" --period-seconds "$PERIOD" \
    >>"$LAB_DIR/ppm-server.out" 2>>"$LAB_DIR/ppm-server.log" &
  LAB_PID[ppm-server]=$!
  local i
  for i in $(seq 100); do
    lab_http_ok "$PLATFORM_PORT" /healthz && return 0
    sleep 0.1
  done
  lab_die "ppm-server did not restart"
}

# Drops every TCP segment to or from the platform's port (loopback traffic
# passes the output hook in both directions).
chaos_net_cut() {
  nft -f - <<EOF
table inet ppm_chaos {
  chain out {
    type filter hook output priority 0;
    tcp dport $PLATFORM_PORT drop
    tcp sport $PLATFORM_PORT drop
  }
}
EOF
}

chaos_net_restore() {
  nft delete table inet ppm_chaos 2>/dev/null
  return 0
}

chaos_clock_offset() {
  printf '%s\n' "$1" >"$LAB_DIR/clock$2"
}

chaos_fill_disk() {
  dd if=/dev/zero of="$1/fill" bs=4096 2>/dev/null
  return 0
}

# PostgreSQL of tests/pg/with-pg-cluster (PPM_TEST_PG_HOST): its programs, run
# as postgres when root (PostgreSQL refuses to run as root).
chaos_pg() {
  local bindir
  bindir=${PPM_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bindir/$1" "${@:2}"
  else
    "$bindir/$1" "${@:2}"
  fi
}

# A database of its own on that cluster; sets LAB_DB before lab_platform_start.
chaos_pg_database() {
  chaos_pg createdb -h "$PPM_TEST_PG_HOST" -U postgres ppm_chaos || lab_die "createdb failed"
  LAB_DB="postgresql:///ppm_chaos?host=$PPM_TEST_PG_HOST&user=postgres"
}

# Restarts the cluster (fast shutdown: open transactions are aborted).  The new
# postmaster is ours to stop at the end.
chaos_pg_restart() {
  chaos_pg pg_ctl restart -D "$PPM_TEST_PG_HOST/data" -m fast -w \
    -l "$PPM_TEST_PG_HOST/postgres-restarted.log" >/dev/null || lab_die "PostgreSQL did not restart"
  [ -n "${CHAOS_PG_HOOKED:-}" ] && return 0
  CHAOS_PG_HOOKED=1
  lab_on_cleanup chaos_pg_stop
}

chaos_pg_stop() {
  chaos_pg pg_ctl stop -D "$PPM_TEST_PG_HOST/data" -m fast -w >/dev/null
}

fault_prepare() {
  local dir=$LAB_DIR/mod$2
  FAULT_SKIP=
  case $1 in
    pg-restart)
      [ -n "${PPM_TEST_PG_HOST:-}" ] || FAULT_SKIP="the platform is not on PostgreSQL (run under tests/pg/with-pg-cluster)"
      ;;
    net-cut)
      command -v nft >/dev/null || FAULT_SKIP="nft (nftables) is not installed"
      ;;
    clock-step)
      if [ -f "$FAKETIME_LIB" ]; then
        chaos_clock_offset +0 "$2"
        # Only the wall clock steps: GLib's timers and t0 stay on CLOCK_MONOTONIC.
        FAULT_ENV=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$LAB_DIR/clock$2"
          FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1)
      else
        FAULT_SKIP="faketime is not installed"
      fi
      ;;
    disk-full)
      # The model's user directory (and so its journal) on a 2 MB tmpfs.
      if [ "$(id -u)" = 0 ] && mkdir -p "$dir" &&
        mount -t tmpfs -o size=2m ppm-chaos "$dir" 2>/dev/null; then
        lab_on_cleanup umount -l "$dir"
      else
        FAULT_SKIP="a tmpfs needs root outside a user namespace"
      fi
      ;;
  esac
  [ -z "$FAULT_SKIP" ]
}

fault_inject() {
  local mod=mod$2 mem=mem$2
  echo "# $1 run $2: injected" >&2
  case $1 in
    platform-kill)
      kill -KILL "${LAB_PID[ppm-server]}"
      wait "${LAB_PID[ppm-server]}" 2>/dev/null
      sleep "$FAULT_OUTAGE_S"
      chaos_platform_restart
      ;;
    pg-restart) chaos_pg_restart ;;
    platform-stop)
      kill -STOP "${LAB_PID[ppm-server]}"
      sleep "$FAULT_OUTAGE_S"
      kill -CONT "${LAB_PID[ppm-server]}"
      ;;
    net-cut)
      chaos_net_cut || lab_die "nft could not cut the network"
      sleep "$FAULT_OUTAGE_S"
      chaos_net_restore
      ;;
    model-kill)
      kill -KILL "${LAB_PID[$mod]}"
      wait "${LAB_PID[$mod]}" 2>/dev/null
      mv "$LAB_DIR/$mod.events" "$LAB_DIR/$mod.crashed.events"
      mv "$LAB_DIR/$mod.log" "$LAB_DIR/$mod.crashed.log"
      sleep 1
      model_start "$2" || lab_die "model $mod did not start again"
      ;;
    member-kill) kill -KILL "${LAB_PID[$mem]}" ;;
    member-stop) kill -STOP "${LAB_PID[$mem]}" ;;
    clock-step)
      chaos_clock_offset +1h "$2"
      sleep 2
      chaos_clock_offset -1h "$2"
      sleep 2
      chaos_clock_offset +0 "$2"
      ;;
    disk-full) chaos_fill_disk "$LAB_DIR/$mod" ;;
  esac
}

fault_settle() {
  case $1 in
    member-stop)
      # The model ends the call (no_media) while the member is still frozen.
      lab_check "$1 run $2: the model ended the frozen member's call" \
        lab_wait_event "mod$2" '^event=ended ' 40
      lab_stop_pid "${LAB_PID[mem$2]}"
      ;;
    member-kill)
      lab_check "$1 run $2: the model ended the dead member's call" \
        lab_wait_event "mod$2" '^event=ended ' 40
      ;;
  esac
}

# After the model stopped: a model whose journal could not be written starts
# again with room on its disk, so that its recovery brings the journal up to date.
fault_recover() {
  case $1 in
    disk-full)
      rm -f "$LAB_DIR/mod$2/fill"
      mv "$LAB_DIR/mod$2.events" "$LAB_DIR/mod$2.full.events"
      model_start "$2" || lab_die "model mod$2 did not start again"
      lab_check "$1 run $2: the restarted model closed its journal's open session" \
        wait_journal_closed "$LAB_DIR/mod$2" 30
      lab_stop_pid "${LAB_PID[mod$2]}"
      unset "LAB_PID[mod$2]"
      ;;
  esac
}
