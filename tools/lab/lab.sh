# shellcheck shell=bash
# The call lab's fixtures: a private Prosody, a private platform (ppm-server on
# SQLite), ppm-sim people, a private network namespace, TAP output.  Source it
# from a bash script; everything started here is stopped by PID on exit.
#
# Programs come from the environment (meson sets them for tests):
#   PPM_SIM_BIN                  ppm-sim
#   PPM_SERVER_BIN, PPM_ADMIN_BIN  ppm-server and ppm-admin (lab_platform_*)
#   PPM_LAB_ARTIFACTS            where runs keep their logs (mktemp's default if unset)
#
# Functions (all abort the script with a message on a setup failure):
#   lab_netns_enter "$@"   first line of a script: runs the script again inside a
#                          private network namespace (unshare -n as root, -rn
#                          otherwise) with lo up and a veth pair v0 (10.200.0.1/24)
#                          and v1, since libnice ignores loopback.  Nothing leaves it.
#   lab_init NAME          makes the run directory $LAB_DIR and the exit trap;
#                          the directory is removed when every check passed,
#                          kept (and named on stderr) otherwise.
#   lab_free_port          prints a free TCP port on 127.0.0.1.
#   lab_xmpp_account USER  an XMPP account USER@localhost with a random password
#                          (call before lab_prosody_start).
#   lab_xmpp_friends A B   A and B already subscribed to each other (before start).
#   lab_prosody_start      Prosody on 127.0.0.1:$LAB_XMPP_PORT, log in $LAB_DIR.
#   lab_platform_start [ARG...]  ppm-server on $LAB_DB (default: SQLite in $LAB_DIR)
#                          with extra args (e.g. --period-seconds 2); sets
#                          LAB_DB and LAB_PLATFORM_URL.
#   lab_admin ARG...       ppm-admin --db $LAB_DB ARG... (stdout: its answer).
#   lab_platform_model EMAIL PASSWORD XMPP_USER RATE
#   lab_platform_member EMAIL PASSWORD XMPP_USER FUNDS
#                          a platform user linked to USER@localhost (prpl-jabber),
#                          with a rate (model) or a deposit (member).
#   lab_sim NAME ROLE USER PEER [ARG...]
#                          starts ppm-sim as USER@localhost/sim calling or answering
#                          PEER@localhost/sim; events in $LAB_DIR/NAME.events,
#                          stderr in NAME.log, user dir NAME/, PID in LAB_PID[NAME].
#                          Extra environment for it: LAB_SIM_ENV=(VAR=value ...);
#                          LAB_PEER_RESOURCE=R calls PEER@localhost/R instead.
#   lab_wait_event NAME ERE [SECONDS=30]   waits for a matching event line.
#   lab_count_events NAME ERE              prints how many lines match.
#   lab_wait_exit NAME [SECONDS=30]        waits for ppm-sim to exit; its status
#                          in LAB_STATUS (124 on timeout, the process is killed).
#   lab_signal NAME SIGNAL                 e.g. CONT after a --freeze-after.
#   lab_random_secret      prints a random password.
#   lab_running PID        true while PID runs (a zombie does not count).
#   lab_stop_pid PID       SIGTERM (and SIGCONT), SIGKILL after 5 s, reaps it.
#   lab_plan N, lab_check DESCRIPTION COMMAND...   TAP: "ok"/"not ok" per check.
#   lab_on_cleanup COMMAND...  runs COMMAND first thing in lab_cleanup.
#   lab_cleanup            stops everything (also run by the exit trap).

LAB_RESOURCE=sim
declare -gA LAB_PID=()
declare -gA LAB_XMPP_PASSWORD=()
declare -gA LAB_ROSTER=()
LAB_CHECKS=0
LAB_FAILED=0
LAB_SIM_ENV=()
LAB_CLEANUP_HOOKS=()

lab_die() {
  echo "lab: $*" >&2
  LAB_FAILED=1
  exit 1
}

lab_netns_enter() {
  if [ -n "${PPM_LAB_NETNS:-}" ]; then
    ip link set lo up &&
      ip link add v0 type veth peer name v1 &&
      ip addr add 10.200.0.1/24 dev v0 &&
      ip link set v0 up && ip link set v1 up ||
      lab_die "cannot set up the network namespace"
    return 0
  fi
  local flags=-rn
  [ "$(id -u)" = 0 ] && flags=-n
  unshare "$flags" true 2>/dev/null ||
    lab_die "cannot create a network namespace: run as root or enable user namespaces"
  export PPM_LAB_NETNS=1
  exec unshare "$flags" -- "$BASH" "$0" "$@"
}

lab_init() {
  if [ -n "${PPM_LAB_ARTIFACTS:-}" ]; then
    mkdir -p "$PPM_LAB_ARTIFACTS" || lab_die "cannot create $PPM_LAB_ARTIFACTS"
    LAB_DIR=$(mktemp -d "$PPM_LAB_ARTIFACTS/$1.XXXXXX")
  else
    LAB_DIR=$(mktemp -d -t "ppm-lab-$1.XXXXXX")
  fi
  [ -n "$LAB_DIR" ] || lab_die "cannot create a run directory"
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
}

lab_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

lab_random_secret() {
  head -c 18 /dev/urandom | base64 | tr '+/' '-_'
}

lab_prosody_config() {
  cat <<EOF
run_as_root = true
pidfile = "$LAB_DIR/prosody/prosody.pid"
data_path = "$LAB_DIR/prosody/data"
certificates = "$LAB_DIR/prosody/certs"
interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
c2s_ports = { $LAB_XMPP_PORT }
s2s_ports = { }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
modules_enabled = { "roster", "saslauth", "disco", "presence", "ping", "posix" }
log = { info = "$LAB_DIR/prosody.log" }
VirtualHost "localhost"
EOF
}

lab_prosody_prepare() {
  [ -n "${LAB_PROSODY_CONFIG:-}" ] && return 0
  LAB_XMPP_PORT=$(lab_free_port) || lab_die "no free port"
  LAB_PROSODY_CONFIG=$LAB_DIR/prosody/prosody.cfg.lua
  mkdir -p "$LAB_DIR/prosody/data" "$LAB_DIR/prosody/certs"
  lab_prosody_config >"$LAB_PROSODY_CONFIG"
}

lab_xmpp_account() {
  local password
  lab_prosody_prepare
  password=$(lab_random_secret)
  prosodyctl --config "$LAB_PROSODY_CONFIG" register "$1" localhost "$password" \
    </dev/null >>"$LAB_DIR/prosodyctl.log" 2>&1 ||
    lab_die "prosodyctl could not register $1"
  LAB_XMPP_PASSWORD[$1]=$password
}

lab_roster_add() {
  local file=$LAB_DIR/prosody/data/localhost/roster/$1.dat
  LAB_ROSTER[$1]+="  [\"$2@localhost\"] = { subscription = \"both\"; groups = {}; };"$'\n'
  mkdir -p "${file%/*}"
  printf 'return {\n  [false] = { version = 1; };\n%s};\n' "${LAB_ROSTER[$1]}" >"$file"
}

lab_xmpp_friends() {
  lab_prosody_prepare
  lab_roster_add "$1" "$2"
  lab_roster_add "$2" "$1"
}

# Waits until something accepts TCP connections on 127.0.0.1:$1.
lab_wait_port() {
  local port=$1 pid=$2 i
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

lab_prosody_start() {
  lab_prosody_prepare
  prosody -F --config "$LAB_PROSODY_CONFIG" >"$LAB_DIR/prosody.out" 2>&1 &
  LAB_PID[prosody]=$!
  lab_wait_port "$LAB_XMPP_PORT" "${LAB_PID[prosody]}" ||
    lab_die "Prosody did not start (see $LAB_DIR/prosody.out)"
}

# True when GET http://127.0.0.1:PORT/PATH answers 200 (bash only, no curl).
lab_http_ok() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    IFS= read -r -t 5 status <&3 || exit 1
    [[ $status == "HTTP/1."?" 200"* ]]
  ) 2>/dev/null
}

lab_platform_start() {
  local port
  [ -x "${PPM_SERVER_BIN:-}" ] || lab_die "PPM_SERVER_BIN is not set to ppm-server"
  port=$(lab_free_port) || lab_die "no free port"
  LAB_DB=${LAB_DB:-sqlite:$LAB_DIR/ppm.db}
  LAB_PLATFORM_URL=http://127.0.0.1:$port
  "$PPM_SERVER_BIN" --db "$LAB_DB" --listen "127.0.0.1:$port" "$@" \
    >"$LAB_DIR/ppm-server.out" 2>"$LAB_DIR/ppm-server.log" &
  LAB_PID[ppm-server]=$!
  local i
  for i in $(seq 100); do
    lab_http_ok "$port" /healthz && return 0
    kill -0 "${LAB_PID[ppm-server]}" 2>/dev/null || break
    sleep 0.1
  done
  lab_die "ppm-server did not start (see $LAB_DIR/ppm-server.log)"
}

lab_admin() {
  [ -x "${PPM_ADMIN_BIN:-}" ] || lab_die "PPM_ADMIN_BIN is not set to ppm-admin"
  "$PPM_ADMIN_BIN" --db "$LAB_DB" "$@" 2>>"$LAB_DIR/ppm-admin.log"
}

# lab_platform_user ROLE EMAIL PASSWORD XMPP_USER
lab_platform_user() {
  printf '%s\n' "$3" | lab_admin create-user --email "$2" --role "$1" --display-name "$4" \
    >/dev/null || lab_die "ppm-admin create-user $2 failed"
  lab_admin link --email "$2" --protocol prpl-jabber --handle "$4@localhost" >/dev/null ||
    lab_die "ppm-admin link $2 failed"
}

lab_platform_model() {
  lab_platform_user model "$1" "$2" "$3"
  lab_admin set-rate --email "$1" --amount "$4" >/dev/null || lab_die "ppm-admin set-rate failed"
}

lab_platform_member() {
  lab_platform_user member "$1" "$2" "$3"
  lab_admin fund --email "$1" --amount "$4" >/dev/null || lab_die "ppm-admin fund failed"
}

lab_sim() {
  local name=$1 role=$2 user=$3 peer=$4
  shift 4
  [ -x "${PPM_SIM_BIN:-}" ] || lab_die "PPM_SIM_BIN is not set to ppm-sim"
  # In the run directory, where a crash leaves its core (kept with the logs).
  (
    cd "$LAB_DIR" && ulimit -c unlimited 2>/dev/null
    exec env "${LAB_SIM_ENV[@]}" PPM_SIM_PASSWORD="${LAB_XMPP_PASSWORD[$user]}" \
      "$PPM_SIM_BIN" --role "$role" --account "$user@localhost/$LAB_RESOURCE" \
      --peer "$peer@localhost/${LAB_PEER_RESOURCE:-$LAB_RESOURCE}" --port "$LAB_XMPP_PORT" \
      --user-dir "$LAB_DIR/$name" "$@" >"$LAB_DIR/$name.events" 2>"$LAB_DIR/$name.log"
  ) &
  LAB_PID[$name]=$!
}

lab_wait_event() {
  local file=$LAB_DIR/$1.events deadline=$((SECONDS + ${3:-30}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    grep -Eq -- "$2" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

lab_count_events() {
  grep -Ec -- "$2" "$LAB_DIR/$1.events" 2>/dev/null
}

# A child that exited but was not reaped yet still answers kill -0.
lab_running() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

lab_wait_exit() {
  local pid=${LAB_PID[$1]} deadline=$((SECONDS + ${2:-30}))
  while lab_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.1
  done
  if lab_running "$pid"; then
    lab_stop_pid "$pid"
    LAB_STATUS=124
  else
    wait "$pid"
    LAB_STATUS=$?
  fi
  unset "LAB_PID[$1]"
  return 0
}

lab_signal() {
  kill -s "$2" "${LAB_PID[$1]}"
}

lab_stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  kill -CONT "$pid" 2>/dev/null # a frozen ppm-sim handles TERM only when resumed
  for i in $(seq 50); do
    lab_running "$pid" || break
    sleep 0.1
  done
  lab_running "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

lab_plan() {
  echo "1..$1"
}

lab_check() {
  local description=$1
  shift
  LAB_CHECKS=$((LAB_CHECKS + 1))
  if "$@"; then
    echo "ok $LAB_CHECKS - $description"
  else
    echo "not ok $LAB_CHECKS - $description"
    LAB_FAILED=1
  fi
}

lab_on_cleanup() {
  LAB_CLEANUP_HOOKS+=("$(printf '%q ' "$@")")
}

lab_cleanup() {
  local status=$? name hook
  for hook in "${LAB_CLEANUP_HOOKS[@]}"; do
    eval "$hook"
  done
  LAB_CLEANUP_HOOKS=()
  # Stop the people before the servers they talk to.
  for name in "${!LAB_PID[@]}"; do
    case $name in prosody | ppm-server) ;; *) lab_stop_pid "${LAB_PID[$name]}" ;; esac
  done
  [ -n "${LAB_PID[ppm-server]:-}" ] && lab_stop_pid "${LAB_PID[ppm-server]}"
  [ -n "${LAB_PID[prosody]:-}" ] && lab_stop_pid "${LAB_PID[prosody]}"
  LAB_PID=()
  [ -n "${LAB_DIR:-}" ] || return 0
  if [ "$status" = 0 ] && [ "$LAB_FAILED" = 0 ]; then
    rm -rf "$LAB_DIR"
  else
    echo "# logs kept in $LAB_DIR" >&2
  fi
}
