#!/bin/sh
# One name means one thing in the whole tree: no two definitions of a type
# (typedef, struct, union, enum) share a name, no two functions with external
# linkage share a name, and no two headers share a basename.  Programs' entry
# points (main, libFuzzer's LLVMFuzzerTestOneInput) are one per program.
set -eu
src=${1:?usage: check-names.sh SOURCE_ROOT}
ctags=${CTAGS:-ctags-universal}
cd "$src"
dirs=$(for d in core plugin ui server sim gateway tests bench; do [ -d "$d" ] && echo "$d"; done)

# Tags as "NAME<TAB>FILE<TAB>KIND<TAB>SCOPE"; SCOPE is "file" for a static
# function or a definition private to one .c file.
tags=$("$ctags" -R --langmap=C:.c.h --languages=C --kinds-C=fgstu --fields=+Kf \
         --extras=-F -f - $dirs |
       awk -F'\t' '{ scope = "global"; kind = ""
                     for (i = 4; i <= NF; i++) {
                       if ($i == "file:") scope = "file"
                       else if ($i !~ /:/) kind = $i
                     }
                     print $1 "\t" $2 "\t" kind "\t" scope }')

types=$(printf '%s\n' "$tags" |
        awk -F'\t' '$3 != "function" { print $1 }' | sort | uniq -d)
functions=$(printf '%s\n' "$tags" |
            awk -F'\t' '$3 == "function" && $4 == "global" &&
                        $1 != "main" && $1 != "LLVMFuzzerTestOneInput" { print $1 }' |
            sort | uniq -d)
headers=$(find $dirs -name '*.h' | sed 's#.*/##' | sort | uniq -d)

echo "1..3"
report() { # NUMBER WHAT NAMES
  if [ -z "$3" ]; then
    echo "ok $1 - $2"
  else
    echo "not ok $1 - $2"
    for name in $3; do
      printf '%s\n' "$tags" | awk -F'\t' -v n="$name" '$1 == n { print "#   " n "  " $2 }'
      find $dirs -name "$name" | sed 's/^/#   /'
    done
  fi
}
report 1 "no two types share a name" "$types"
report 2 "no two functions with external linkage share a name" "$functions"
report 3 "no two headers share a basename" "$headers"
[ -z "$types$functions$headers" ]
