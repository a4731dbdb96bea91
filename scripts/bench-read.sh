#!/usr/bin/env bash
# bench-read.sh: how fast syscope -r reads a big capture file, next to
# sysdig -r on the same file. Run it by hand from anywhere:
#
#   scripts/bench-read.sh
#
# It is not part of CI. It needs sysdig (apt-get install sysdig) and GNU
# time (apt-get install time, which the script installs if it can).
#
# What it does:
#   1. Builds a plain (uncompressed) trace of at least BENCH_EVENTS events
#      (default 1000000) in a temporary directory, by concatenating
#      decompressed copies of trace files: a scap file may hold several
#      sections one after another, and sysdig and syscope both read them.
#      The files are BENCH_FILES (names in the traces directory without
#      .scap, or "all"); by default curl_google and
#      psp_run_as_user_0_container, the two traces with the most events
#      per byte, so that the run measures events rather than the process
#      tables at the start of each copy.
#   2. Builds syscope (go build).
#   3. For each mode, runs syscope and sysdig alternately, BENCH_ROUNDS
#      times each (default 3), with TZ=UTC and output to /dev/null, and
#      prints the median events/s of each, their ratio (syscope/sysdig)
#      and the largest peak RSS of the runs. The gzip row (the same trace,
#      gzip-compressed) runs syscope only: at each new section sysdig
#      seeks back a few bytes, which on a gzip stream decompresses it
#      again from the start, so it reads such a file in quadratic time.
#   4. Checks that both print the same bytes in each mode (cmp of the two
#      outputs; for -w, of sysdig -r of each tool's file); a difference is
#      reported as MISMATCH, and the script then exits with status 1.
#
# Events/s is N / wall time, with the same N for every row and both tools:
# N is the number of events the default output prints for the big file
# (the lines of sysdig's -j output for one copy of the trace files, one
# line per event, times the number of copies). Events read but not printed
# (internal ones, such as the process info events) are not in N.
#
# Modes that syscope does not implement yet (it exits with an error saying
# "not supported yet") print "syscope: not supported yet" instead of a
# number, and light up once they land.
#
# Environment:
#   SYSCOPE_TRACES  the trace files (default: ../shared/traces from the
#                   repository root)
#   BENCH_EVENTS    how many printed events the big file holds at least
#   BENCH_FILES     which trace files to concatenate (see above)
#   BENCH_ROUNDS    runs of each tool per mode
#   BENCH_MODES     which modes to run, by name (default: all of them:
#                   default json gzip filter format write)
#   SYSDIG          the sysdig binary (default: sysdig from PATH)
#   TMPDIR          where the temporary directory goes
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
traces="${SYSCOPE_TRACES:-$root/../shared/traces}"
target="${BENCH_EVENTS:-1000000}"
rounds="${BENCH_ROUNDS:-3}"
files="${BENCH_FILES:-curl_google psp_run_as_user_0_container}"
modes="${BENCH_MODES:-default json gzip filter format write}"
# one: a single capture of that many events (the input files' events
# replayed after the first one's tables), the shape of a long real
# capture. sections: whole files one after another, where both tools
# spend much of their time re-reading process tables.
shape="${BENCH_SHAPE:-one}"
sysdig="${SYSDIG:-$(command -v sysdig || true)}"

die() {
	echo "bench-read: $*" >&2
	exit 2
}

[ -d "$traces" ] || die "no trace directory $traces (set SYSCOPE_TRACES)"
[ -n "$sysdig" ] && [ -x "$sysdig" ] || die "sysdig not found (apt-get install sysdig, or set SYSDIG)"
if [ ! -x /usr/bin/time ]; then
	echo "bench-read: installing GNU time" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null ||
		die "GNU time is missing: apt-get install -y time"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bench-read.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# The trace files, decompressed one after another.
if [ "$files" = all ]; then
	files=""
	for f in "$traces"/*.scap; do
		files="$files $(basename "$f" .scap)"
	done
fi
unit="$tmp/unit.scap"
: >"$unit"
for name in $files; do
	f="$traces/$name.scap"
	[ -f "$f" ] || die "no trace file $f"
	if [ "$(head -c2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		gzip -dc "$f" >>"$unit"
	else
		cat "$f" >>"$unit"
	fi
done
per_unit="$(TZ=UTC "$sysdig" -r "$unit" -j 2>/dev/null | wc -l)"
[ "$per_unit" -gt 0 ] || die "sysdig prints no event for $files"
copies=$(((target + per_unit - 1) / per_unit))
events=$((copies * per_unit))
big="$tmp/big.scap"
if [ "$shape" = one ]; then
	inputs=""
	for name in $files; do
		inputs="$inputs $traces/$name.scap"
	done
	(cd "$root" && go run ./internal/benchtrace/cmd/benchtrace -o "$big" -n "$target" $inputs)
	events="$(TZ=UTC "$sysdig" -r "$big" -j 2>/dev/null | wc -l)"
	copies=1
else
	for ((i = 0; i < copies; i++)); do
		cat "$unit"
	done >"$big"
fi
case " $modes " in
*" gzip "*) gzip -1 -c "$big" >"$big.gz" ;;
esac

bin="$tmp/syscope"
(cd "$root" && go build -o "$bin" ./cmd/syscope)

echo "trace ($shape): $copies copies of {$(echo $files | tr ' ' ',')}: $events printed events, $(($(stat -c %s "$big") / 1048576)) MiB plain"
echo "syscope: $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3)"
echo "sysdig:  $("$sysdig" --version 2>/dev/null | head -1)"
echo "rounds:  $rounds each, alternating; events/s is the median, RSS the largest"
echo

# run TOOL ARGS...: runs one command with output to /dev/null; prints
# "SECONDS RSS_KB STATUS". The output file of -w is removed after.
run() {
	local t0 t1 st=0
	t0=$(date +%s%N)
	TZ=UTC /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/stderr" || st=$?
	t1=$(date +%s%N)
	rm -f "$tmp/out.scap"
	echo "$(((t1 - t0) / 1000)) $(tail -1 "$tmp/rss") $st"
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
maxof() { sort -n | tail -1; }

# args_of MODE: the input file and arguments of a mode, one per line.
args_of() {
	case "$1" in
	default) printf '%s\n' -r "$big" ;;
	json) printf '%s\n' -r "$big" -j ;;
	gzip) printf '%s\n' -r "$big.gz" ;;
	filter) printf '%s\n' -r "$big" proc.name=bash ;;
	format) printf '%s\n' -r "$big" -p "%evt.num %proc.name" ;;
	write) printf '%s\n' -r "$big" -w "$tmp/out.scap" ;;
	*) die "unknown mode $1" ;;
	esac
}

label_of() {
	case "$1" in
	default) echo "default output" ;;
	json) echo "-j" ;;
	gzip) echo "default, gzip input" ;;
	filter) echo "filter proc.name=bash" ;;
	format) echo "-p \"%evt.num %proc.name\"" ;;
	write) echo "-w out.scap" ;;
	esac
}

# supported ARGS...: whether syscope accepts a mode (tried on one copy).
supported() {
	local a=() x
	for x in "$@"; do
		[ "$x" = "$big" ] || [ "$x" = "$big.gz" ] && x="$unit"
		a+=("$x")
	done
	if ! "$bin" "${a[@]}" >/dev/null 2>"$tmp/stderr"; then
		if grep -q "not supported yet" "$tmp/stderr"; then
			return 1
		fi
	fi
	rm -f "$tmp/out.scap"
	return 0
}

rate() { awk -v n="$events" -v us="$1" 'BEGIN {printf "%.0f", n / (us / 1e6)}'; }

printf '%-28s %14s %14s %8s %12s %12s\n' mode "syscope ev/s" "sysdig ev/s" ratio "syscope RSS" "sysdig RSS"
status=0
for mode in $modes; do
	mapfile -t args < <(args_of "$mode")
	label="$(label_of "$mode")"
	ours=1
	supported "${args[@]}" || ours=0
	: >"$tmp/t.syscope"
	: >"$tmp/t.sysdig"
	: >"$tmp/m.syscope"
	: >"$tmp/m.sysdig"
	for ((r = 0; r < rounds; r++)); do
		if [ $ours = 1 ]; then
			read -r us kb st < <(run "$bin" "${args[@]}")
			[ "$st" = 0 ] || {
				echo "bench-read: syscope $label exited with $st: $(head -3 "$tmp/stderr")" >&2
				status=1
			}
			echo "$us" >>"$tmp/t.syscope"
			echo "$kb" >>"$tmp/m.syscope"
		fi
		[ "$mode" = gzip ] && continue
		read -r us kb st < <(run "$sysdig" "${args[@]}")
		[ "$st" = 0 ] || echo "bench-read: sysdig $label exited with $st: $(head -3 "$tmp/stderr")" >&2
		echo "$us" >>"$tmp/t.sysdig"
		echo "$kb" >>"$tmp/m.sysdig"
	done
	if [ "$mode" = gzip ]; then
		# sysdig seeks back at each new section, which in a gzip stream
		# means decompressing again from the start: hours on this file.
		theirs_rate=1 theirs_rss=-
	else
		theirs_rate=$(rate "$(median <"$tmp/t.sysdig")")
		theirs_rss="$(($(maxof <"$tmp/m.sysdig") / 1024)) MiB"
	fi
	if [ $ours = 1 ]; then
		ours_rate=$(rate "$(median <"$tmp/t.syscope")")
		ours_rss="$(($(maxof <"$tmp/m.syscope") / 1024)) MiB"
		ratio=$(awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN {printf "%.2fx", a / b}')
		[ "$mode" = gzip ] && theirs_rate="not measured" ratio=-
		printf '%-28s %14s %14s %8s %12s %12s\n' "$label" "$ours_rate" "$theirs_rate" "$ratio" "$ours_rss" "$theirs_rss"
	else
		printf '%-28s %14s %14s %8s %12s %12s\n' "$label" "not supported" "$theirs_rate" - - "$theirs_rss"
		echo "  syscope: not supported yet"
	fi
done

# Byte-for-byte check of what each mode prints on the big file; for -w,
# of what sysdig prints reading each tool's output file.
echo
for mode in $modes; do
	[ "$mode" = gzip ] && continue
	mapfile -t args < <(args_of "$mode")
	label="$(label_of "$mode")"
	if [ "$mode" = write ]; then
		TZ=UTC "$bin" "${args[@]}" >/dev/null 2>&1
		mv "$tmp/out.scap" "$tmp/ours.scap"
		TZ=UTC "$sysdig" "${args[@]}" >/dev/null 2>&1
		if diff_at="$(cmp <(TZ=UTC "$sysdig" -r "$tmp/ours.scap" 2>&1) <(TZ=UTC "$sysdig" -r "$tmp/out.scap" 2>&1) 2>&1)"; then
			echo "identical: $label (sysdig -r of both files)"
		else
			echo "!!!!!!!! MISMATCH: $label: sysdig reads the two files differently: ${diff_at:-one output is a prefix of the other}" >&2
			status=1
		fi
		rm -f "$tmp/ours.scap" "$tmp/out.scap"
		continue
	fi
	if diff_at="$(cmp <(TZ=UTC "$bin" "${args[@]}" 2>&1) <(TZ=UTC "$sysdig" "${args[@]}" 2>&1) 2>&1)"; then
		echo "identical: $label"
	else
		echo "!!!!!!!! MISMATCH: $label: syscope and sysdig differ: ${diff_at:-one output is a prefix of the other}" >&2
		status=1
	fi
done
exit $status
