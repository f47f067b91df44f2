#!/usr/bin/env bash
# Call scenarios between two ppm-sim processes (a member and a model) over a
# private Prosody inside a private network namespace.  Usage: call-scenarios.sh
# SCENARIO; prints TAP.  Each call must connect (or end) within ppm-sim's
# --call-timeout of 20 s.
set -u
. "$(dirname "$0")/../../tools/lab/lab.sh"
lab_netns_enter "$@"

scenario=${1:?usage: call-scenarios.sh SCENARIO}
lab_init "$scenario"

# The people, with random XMPP passwords, and a running Prosody.
lab_xmpp_account member
lab_xmpp_account member2
lab_xmpp_account model
lab_prosody_start

member() { lab_sim member member member model --timeout 120 "$@"; }
model() { lab_sim model model model member --timeout 120 "$@"; }

has() { lab_count_events "$1" "$2" >/dev/null; }
lacks() { ! has "$@"; }
count_is() { [ "$(lab_count_events "$1" "$2")" = "$3" ]; }
# t= of the first event of process $1 matching $2.
event_t() { grep -Em1 -- "$2" "$LAB_DIR/$1.events" | sed -n 's/.* t=\([0-9.]*\).*/\1/p'; }
# Event ($1, $2) came after event ($3, $4).  Compared by time rather than by
# durations: t is CLOCK_MONOTONIC, shared by every process, while the callee
# sees "connected" up to seconds after the caller.
happened_after() {
  awk -v a="$(event_t "$1" "$2")" -v b="$(event_t "$3" "$4")" \
    'BEGIN { exit !(a != "" && b != "" && a + 0 > b + 0) }'
}
exited_ok() {
  lab_wait_exit "$1" "${2:-40}"
  [ "$LAB_STATUS" = 0 ] || {
    echo "# $1 exited with $LAB_STATUS" >&2
    return 1
  }
}

case $scenario in
  member-hangs-up)
    lab_plan 6
    model
    member --hangup-after 4
    lab_check "member's script succeeded" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    lab_check "member saw the call connect" has member '^event=connected '
    lab_check "model saw the call connect" has model '^event=connected '
    lab_check "member ended it by hanging up" has member '^event=ended .*who=local why=hangup connected=1'
    lab_check "model saw the member hang up" has model '^event=ended .*who=remote why=hangup connected=1'
    ;;
  model-hangs-up)
    lab_plan 5
    model --hangup-after 4
    member
    lab_check "model's script succeeded" exited_ok model
    lab_check "member's script succeeded" exited_ok member
    lab_check "model accepted the call" has model '^event=call-accepted .*who=local'
    lab_check "model ended it by hanging up" has model '^event=ended .*who=local why=hangup connected=1'
    lab_check "member saw the model hang up" has member '^event=ended .*who=remote why=hangup connected=1'
    ;;
  model-declines)
    lab_plan 6
    model --decline --answer-after 1
    member --expect ended
    lab_check "model's script succeeded" exited_ok model
    lab_check "member's script succeeded" exited_ok member
    lab_check "model saw the call ring" has model '^event=call-incoming .*peer=member@localhost'
    lab_check "model declined it" has model '^event=ended .*who=local why=rejected connected=0'
    lab_check "member saw it declined" has member '^event=ended .*who=remote why=rejected connected=0'
    lab_check "nobody connected" eval "lacks member '^event=connected ' && lacks model '^event=connected '"
    ;;
  unanswered)
    # libpurple has no ring timeout: the caller gives up by itself.
    lab_plan 5
    model --no-answer
    member --cancel-after 3 --expect ended
    lab_check "member's script succeeded" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    lab_check "model saw the call ring" has model '^event=call-incoming '
    lab_check "member gave up after ringing 3 s" has member '^event=ended .*who=local why=hangup connected=0'
    lab_check "model saw the caller give up" has model '^event=ended .*who=remote why=cancelled connected=0'
    ;;
  busy)
    # A second caller while a call is up is declined; the first call goes on.
    lab_plan 6
    model
    member --hangup-after 8
    lab_wait_event member '^event=connected ' 30
    lab_sim member2 member member2 model --expect ended --timeout 60
    lab_check "second caller's script (declined) succeeded" exited_ok member2
    lab_check "second caller saw the call rejected" has member2 '^event=ended .*who=remote why=rejected connected=0'
    lab_check "model saw it ring while busy" has model '^event=call-incoming .*peer=member2@localhost.* busy=1'
    lab_check "first call went on until the member hung up" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    lab_check "model's call went on after the second caller was declined" \
      happened_after model '^event=ended .*who=remote why=hangup connected=1' \
      member2 '^event=ended .*why=rejected'
    ;;
  audio-video)
    lab_plan 7
    model
    member --video --hangup-after 4
    lab_check "member's script succeeded" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    lab_check "model received video" has model '^event=media-received .*kind=video'
    lab_check "member received video" has member '^event=media-received .*kind=video'
    lab_check "both received audio" eval "has model '^event=media-received .*kind=audio' && has member '^event=media-received .*kind=audio'"
    lab_check "member's audio and video sessions connected" count_is member '^event=connected ' 2
    lab_check "model's audio and video sessions connected" count_is model '^event=connected ' 2
    ;;
  hold-resume)
    # libpurple 2.14 tells the peer nothing about a hold (its RTP just stops),
    # so only the side that holds sees held/resumed.
    lab_plan 5
    model
    member --hold-after 1 --hold-for 2 --hangup-after 5
    lab_check "member's script succeeded" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    lab_check "member put the call on hold" has member '^event=held .*who=local'
    lab_check "member resumed the call" has member '^event=resumed .*who=local'
    lab_check "the call outlived the hold until the member hung up" \
      happened_after model '^event=ended .*who=remote why=hangup connected=1' member '^event=resumed '
    ;;
  member-vanishes)
    # libpurple never ends a call whose peer died: only presence tells.
    lab_plan 5
    model
    member --vanish-after 2
    lab_check "member vanished with status 0" exited_ok member
    lab_check "member left without hanging up" eval "has member '^event=vanished' && lacks member '^event=ended '"
    lab_check "model saw the member go offline" lab_wait_event model '^event=buddy-signed-off .*peer=member@localhost' 10
    sleep 3
    lab_check "model's call is still up 3 s later" lacks model '^event=ended '
    lab_signal model TERM
    lab_wait_exit model 20
    lab_check "model, stopped mid-call, reports its script unfinished" [ "$LAB_STATUS" = 1 ]
    ;;
  member-freezes)
    lab_plan 6
    model
    member --freeze-after 2 --hangup-after 4
    lab_check "member froze" lab_wait_event member '^event=frozen' 30
    sleep 4
    lab_check "the frozen member is stopped (state T)" \
      [ "$(awk '{ print $3 }' "/proc/${LAB_PID[member]}/stat")" = T ]
    lab_check "model's call is still up while the member is frozen" lacks model '^event=ended '
    lab_signal member CONT
    lab_check "member thawed and hung up" lab_wait_event member '^event=ended .*who=local why=hangup' 20
    lab_check "member's script succeeded" exited_ok member
    lab_check "model's script succeeded" exited_ok model
    ;;
  plugins)
    # --plugin/--pref/--unload-after with two of libpurple's own plugins.
    dir=${PPM_LAB_PURPLE_PLUGINDIR:?}
    lab_plan 8
    model --calls 0 --plugin "$dir/psychic.so" --plugin "$dir/joinpart.so" \
      --pref /plugins/core/psychic/buddies_only=true --pref /plugins/core/joinpart/delay=42 \
      --unload-after 2
    lab_check "both plugins loaded" eval "lab_wait_event model '^event=plugin-loaded .*id=core-psychic' && has model '^event=plugin-loaded .*id=core-.*joinpart'"
    lab_check "both unloaded after --unload-after" eval "lab_wait_event model '^event=plugin-unloaded .*id=core-psychic' 10 && has model '^event=plugin-unloaded .*id=core-.*joinpart'"
    lab_check "no events for libpurple's own protocol plugins" lacks model '^event=plugin-.*id=prpl-'
    lab_signal model TERM
    lab_check "a model taking calls until stopped exits with 0" exited_ok model
    lab_check "the bool and int prefs were set (and saved)" \
      eval "grep -q \"name='buddies_only' type='bool' value='1'\" '$LAB_DIR/model/prefs.xml' && grep -q \"name='delay' type='int' value='42'\" '$LAB_DIR/model/prefs.xml'"
    lab_sim badtype model model member --plugin "$dir/psychic.so" --pref /plugins/core/psychic/buddies_only=maybe
    lab_wait_exit badtype
    lab_check "a value that does not fit the pref's type fails the script" \
      eval "[ $LAB_STATUS = 1 ] && has badtype '^event=done .*status=failed.*does not fit'"
    lab_sim nopref model model member --plugin "$dir/psychic.so" --pref /plugins/core/psychic/nope=1
    lab_wait_exit nopref
    lab_check "an unknown pref fails the script" \
      eval "[ $LAB_STATUS = 1 ] && has nopref '^event=done .*status=failed.*no such pref'"
    lab_sim noplugin model model member --plugin "$LAB_DIR/missing.so"
    lab_wait_exit noplugin
    lab_check "a plugin that cannot be probed fails the script" \
      eval "[ $LAB_STATUS = 1 ] && has noplugin '^event=done .*status=failed.*cannot probe'"
    ;;
  ten-calls)
    # Short calls (2 s: the model may see CONNECTED a second after the member
    # under load): what counts is that ten in a row connect and end.
    lab_plan 4
    model --calls 10 --timeout 280
    member --calls 10 --hangup-after 2 --pause 1 --timeout 280
    lab_check "member's script succeeded" exited_ok member 300
    lab_check "model's script succeeded" exited_ok model
    lab_check "member saw ten connected calls end" count_is member '^event=ended .*connected=1' 10
    lab_check "model saw ten connected calls end" count_is model '^event=ended .*connected=1' 10
    ;;
  *)
    lab_die "unknown scenario $scenario"
    ;;
esac
