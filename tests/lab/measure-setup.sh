#!/usr/bin/env bash
# Benchmark: call setup time, from the member's initiate (event `calling`) to
# both sides `connected`, over N audio calls in a row (default 20).  Prints
# every call and the median and maximum.  Usage: measure-setup.sh [N]
set -u
. "$(dirname "$0")/../../tools/lab/lab.sh"
lab_netns_enter "$@"

calls=${1:-20}
lab_init measure-setup
lab_xmpp_account member
lab_xmpp_account model
lab_prosody_start
lab_sim model model model member --calls "$calls" --timeout $((calls * 30))
lab_sim member member member model --calls "$calls" --hangup-after 3 --timeout $((calls * 30))
lab_wait_exit member $((calls * 30 + 10))
member_status=$LAB_STATUS
lab_wait_exit model 30
[ "$member_status" = 0 ] && [ "$LAB_STATUS" = 0 ] || lab_die "the calls did not all succeed"

# The k-th `calling` of the member pairs with the k-th `connected` on each
# side (audio calls: one session each).
times() { grep "^event=$2 " "$LAB_DIR/$1.events" | sed 's/.* t=\([0-9.]*\).*/\1/'; }
paste <(times member calling) <(times member connected) <(times model connected) |
  awk '{ printf "%.3f\n", ($2 > $3 ? $2 : $3) - $1 }' >"$LAB_DIR/setup.txt"
awk '{ printf "call %2d: %s s\n", NR, $1 }' "$LAB_DIR/setup.txt"
sort -n "$LAB_DIR/setup.txt" | awk '
  { s[NR] = $1 }
  END {
    median = NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
    printf "calls: %d  median: %.3f s  max: %.3f s\n", NR, median, s[NR]
  }'
