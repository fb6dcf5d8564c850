#!/usr/bin/env bash
# e2e/smoke.sh: check every stand-in base image from setup.sh: user, entrypoint,
# shell present or not, and that a program actually runs on it (a host-built
# static Go binary on static, a glibc C/C++ program on base/cc/glibc-dynamic,
# the interpreter on the language images). Prints "N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=$(mktemp -d); chmod 755 "$T"; trap 'rm -rf "$T"' EXIT
printf 'package main\nimport "fmt"\nfunc main() { fmt.Println("ok") }\n' >"$T/s.go"
(cd "$T" && CGO_ENABLED=0 go build -o s s.go) || die "go build"
printf '#include <stdio.h>\nint main(){puts("ok");return 0;}\n' >"$T/c.c" && gcc -o "$T/c" "$T/c.c"
printf '#include <iostream>\nint main(){std::cout<<"ok"<<std::endl;}\n' >"$T/cc.cc" && g++ -o "$T/cc" "$T/cc.cc"
# a jar, built with the stand-in JDK
printf 'public class H { public static void main(String[] a) { System.out.println("ok"); } }\n' >"$T/H.java"
RUN_VOLUMES="$T:/t" run docker.io/library/eclipse-temurin:17 sh -c \
  'cd /tmp && javac -d . /t/H.java && jar --create --file /t/h.jar --main-class H H.class' || die "jar"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# check TAG WANT_USER WANT_ENTRYPOINT(json) SHELL(yes|no) ARGS... -> runs ARGS, expects "ok"
check() {
  local tag=$1 wuser=$2 wentry=$3 wshell=$4; shift 4
  local cfg got; cfg=$(config "$tag") || { bad "$tag: missing"; return; }
  [ "$(jq -r .User <<<"$cfg")" = "$wuser" ] || { bad "$tag: user $(jq -r .User <<<"$cfg") != $wuser"; return; }
  [ "$(jq -c .Entrypoint <<<"$cfg")" = "$wentry" ] || { bad "$tag: entrypoint $(jq -c .Entrypoint <<<"$cfg") != $wentry"; return; }
  local c m shell=no; c=$(bah from --pull=never --quiet "$tag"); m=$(bah mount "$c")
  shells_in "$m" >/dev/null && shell=yes; bah umount "$c" >/dev/null
  got=$(RUN_VOLUMES="$T:/t:ro" run_in "$c" "$tag" "$@" 2>&1); bah rm "$c" >/dev/null
  [ "$shell" = "$wshell" ] || { bad "$tag: shell=$shell, want $wshell"; return; }
  [ "$(tail -1 <<<"$got")" = ok ] && ok "$tag" || bad "$tag: run $* -> $got"
}

D=gcr.io/distroless
for v in latest nonroot debug debug-nonroot; do
  u=0; [[ $v == *nonroot ]] && u=65532
  sh=no; [[ $v == debug* ]] && sh=yes
  e='[]'; [[ $v == debug* ]] && e='["/busybox/sh"]'
  if [[ $v == debug* ]]; then
    check $D/static-debian12:$v $u "$e" $sh -c /t/s
    check $D/base-debian12:$v $u "$e" $sh -c /t/c
    check $D/cc-debian12:$v $u "$e" $sh -c /t/cc
  else
    check $D/static-debian12:$v $u "$e" $sh /t/s
    check $D/base-debian12:$v $u "$e" $sh /t/c
    check $D/cc-debian12:$v $u "$e" $sh /t/cc
  fi
  check $D/python3-debian12:$v $u '["/usr/bin/python3.11"]' $sh -c 'import ssl, sqlite3, json; print("ok")'
  check $D/nodejs20-debian12:$v $u '["/nodejs/bin/node"]' $sh -e 'require("crypto"); console.log("ok")'
  check $D/java17-debian12:$v $u '["/usr/bin/java","-jar"]' $sh /t/h.jar
done 2>&1 | sed 's/^/  /' | tee "$T/out1"

C=cgr.dev/chainguard
for v in latest latest-dev; do
  sh=no; [ $v = latest-dev ] && sh=yes
  check $C/static:$v 65532 '[]' $sh /t/s
  check $C/glibc-dynamic:$v 65532 '[]' $sh /t/cc
  check $C/node:$v 65532 '["/usr/bin/node"]' $sh -e 'console.log("ok")'
  check $C/python:$v 65532 '["/usr/bin/python"]' $sh -c 'print("ok")'
  check $C/jre:$v 65532 '["/usr/bin/java"]' $sh -jar /t/h.jar
done 2>&1 | sed 's/^/  /' | tee "$T/out2"

# builders: the toolchains run
for spec in "golang:1.26|go version" "rust:1|cargo --version" "node:20|npm --version" \
            "python:3.11|python -c print(1)" "eclipse-temurin:17|javac -version" "debian:12|true"; do
  tag=${spec%%|*}; read -ra cmd <<<"${spec#*|}"
  if run "$tag" "${cmd[@]}" >/dev/null 2>&1; then echo "  ok   $tag (${cmd[*]})"; else echo "  FAIL $tag (${cmd[*]})"; fi
done | tee "$T/out3"
# Lambda base: the entrypoint script, RIE and layout are there
for tag in public.ecr.aws/lambda/provided:al2023 public.ecr.aws/lambda/provided:al2; do
  out=$(run "$tag" 2>&1)   # no handler argument: the entrypoint script refuses (exit 142)
  if grep -q 'requires the handler name' <<<"$out" &&
     has_file "$tag" /usr/local/bin/aws-lambda-rie /var/runtime /var/task /lambda-entrypoint.sh; then echo "  ok   $tag"
  else echo "  FAIL $tag"; fi
done | tee "$T/out4"

p=$(cat "$T"/out* | grep -c '^  ok'); f=$(cat "$T"/out* | grep -c '^  FAIL')
echo "smoke: $p passed, $f failed"
[ "$f" = 0 ]
