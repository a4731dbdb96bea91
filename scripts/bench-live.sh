#!/usr/bin/env bash
# bench-live.sh: what live capture costs a syscall-heavy program, next to
# other tracers. Run it by hand, as root, from anywhere:
#
#   sudo scripts/bench-live.sh
#
# It is not a pass/fail test and not part of CI. It installs bpftrace,
# strace and linux-perf with apt-get if they are missing, and mounts tracefs
# if it is not mounted (bpftrace and perf trace need it).
#
# The workload (scripts/bench-live/workload.c, compiled with gcc or clang)
# makes syscalls in a loop for BENCH_SECONDS of wall time and says how many
# it made:
#
#   getppid  getppid() in a loop (the cheapest syscall there is)
#   orc      open, read 64 bytes, close of a 64-byte file, in a loop
#
# Each workload runs untraced and under each tracer, alternating, for
# BENCH_ROUNDS rounds (the order of the tracers rotates from round to
# round):
#
#   none      untraced
#   syscope   syscope -v -w /dev/null: a live capture of the whole system,
#             every syscall, written as a scap stream to /dev/null
#   bpftrace  bpftrace counting raw_syscalls:sys_enter and sys_exit per pid
#             (count() only, no output per event)
#   strace    strace -f -o /dev/null WORKLOAD
#   perf      perf trace -o /dev/null WORKLOAD
#   syscope-base  as syscope, with the binary $SYSCOPE_BASE: to compare two
#             builds (not in the default list)
#
# syscope and bpftrace trace the whole system: they are started first, and
# the workload runs once they are attached. The table gives medians over
# the rounds:
#
#   syscalls/s   the workload's syscalls per second
#   slowdown     the untraced rate of the same round divided by this rate
#   events/s     events the tracer captured per second of workload:
#                syscope: Driver Events - Driver Drops of the whole capture
#                (all processes, from start to stop, ~2 s more than the
#                workload: a few thousand events of other processes),
#                bpftrace: the workload's sys_enter + sys_exit counts
#   drops        syscope's Driver Drops (median, and the largest of the
#                rounds); bpftrace's count loses nothing
#   cpu          CPU time of the tracer's own process while the workload
#                ran, in % of one CPU (strace and perf trace run the
#                workload as their child; theirs is not measured)
#
# Environment:
#   BENCH_SECONDS    length of each workload run (default 4)
#   BENCH_ROUNDS     rounds (default 5)
#   BENCH_TRACERS    which tracers (default: none syscope bpftrace strace perf)
#   BENCH_WORKLOADS  which workloads (default: getppid orc)
#   SYSCOPE          a syscope binary to use instead of building one
#   SYSCOPE_BASE     the syscope binary of the syscope-base tracer
#   TMPDIR           where the temporary directory goes
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${BENCH_SECONDS:-4}"
rounds="${BENCH_ROUNDS:-5}"
tracers="${BENCH_TRACERS:-none syscope bpftrace strace perf}"
workloads="${BENCH_WORKLOADS:-getppid orc}"
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

die() {
	echo "bench-live: $*" >&2
	exit 2
}

[ "$(id -u)" = 0 ] || die "run me as root (the tracers need it)"

# The tools, installed if missing.
need=()
for t in $tracers; do
	case "$t" in
	none | syscope) ;;
	syscope-base) [ -x "${SYSCOPE_BASE:-}" ] || die "syscope-base needs SYSCOPE_BASE, a syscope binary" ;;
	bpftrace) command -v bpftrace >/dev/null || need+=(bpftrace) ;;
	strace) command -v strace >/dev/null || need+=(strace) ;;
	perf) perf version >/dev/null 2>&1 || need+=(linux-perf) ;;
	*) die "unknown tracer $t" ;;
	esac
done
cc="$(command -v gcc || command -v clang || true)"
[ -n "$cc" ] || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench-live: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null ||
		die "could not install ${need[*]}"
	cc="$(command -v gcc || command -v clang)"
fi
if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs on /sys/kernel/tracing"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bench-live.XXXXXX")"
tracer_pid=""
cleanup() {
	if [ -n "$tracer_pid" ]; then
		kill -INT "$tracer_pid" 2>/dev/null || true
		wait "$tracer_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

"$cc" -O2 -Wall -o "$tmp/workload" "$root/scripts/bench-live/workload.c"
head -c 64 /dev/urandom >"$tmp/file"
bin="${SYSCOPE:-}"
if [ -z "$bin" ]; then
	bin="$tmp/syscope"
	(cd "$root" && CGO_ENABLED=0 go build -o "$bin" ./cmd/syscope)
fi

echo "syscope:   $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?')"
case " $tracers " in *" bpftrace "*) echo "bpftrace:  $(bpftrace --version)" ;; esac
case " $tracers " in *" strace "*) echo "strace:    $(strace -V | head -1)" ;; esac
case " $tracers " in *" perf "*) echo "perf:      $(perf version)" ;; esac
echo "kernel:    $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs:      $rounds rounds of ${secs}s per workload and tracer, alternating"
# Other tracing programs already loaded (other captures) slow every
# syscall, untraced runs included: say so.
if command -v bpftool >/dev/null; then
	echo "attached:  $(bpftool link show 2>/dev/null | grep -cE '^[0-9]+: (tracing|raw_tracepoint)') BPF tracepoint links before the runs (syscope attaches 7)"
fi
echo

# workload_args NAME: the workload's arguments.
workload_args() {
	case "$1" in
	getppid) echo "getppid $secs" ;;
	orc) echo "orc $secs $tmp/file" ;;
	*) die "unknown workload $1" ;;
	esac
}

# cputicks PID: user + system clock ticks of a process so far.
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wait_attached PID N: waits until process PID holds N BPF links (syscope
# attaches with links), at most 30 s.
wait_links() {
	local pid=$1 want=$2 i n
	for ((i = 0; i < 300; i++)); do
		n=$(find "/proc/$pid/fd" -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l)
		[ "$n" -ge "$want" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# wait_output FILE TEXT PID: waits until FILE holds TEXT, at most 30 s.
wait_output() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop_tracer: stops the tracer with SIGINT, as a user would, and waits
# (a shell without job control starts background commands with SIGINT
# ignored: the tracers are started through env --default-signal=INT).
stop_tracer() {
	local i
	kill -INT "$tracer_pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$tracer_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$tracer_pid" 2>/dev/null; then
		echo "bench-live: the tracer did not stop on SIGINT: killed" >&2
		kill -KILL "$tracer_pid" 2>/dev/null || true
	fi
	wait "$tracer_pid" 2>/dev/null || true
	tracer_pid=""
}

# field NAME LINE: the value of NAME=... in a workload's output line.
field() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p" <<<"$2"; }

# run TRACER WORKLOAD ROUND: one run; appends
# "TRACER WORKLOAD ROUND RATE EVENTS/S DROPS CPU%" to $tmp/results.
run() {
	local tracer=$1 wl=$2 round=$3 out rate n s events=- drops=- cpu=- c0 c1 wpid
	# shellcheck disable=SC2046
	set -- $(workload_args "$wl")
	case "$tracer" in
	none)
		out="$("$tmp/workload" "$@")"
		;;
	syscope | syscope-base)
		local b="$bin"
		[ "$tracer" = syscope ] || b="$SYSCOPE_BASE"
		env --default-signal=INT "$b" -v -w /dev/null 2>"$tmp/tracer.err" &
		tracer_pid=$!
		# Attached once it holds its links; then give the /proc scan
		# that follows time to finish.
		wait_links "$tracer_pid" 6 || die "syscope did not start: $(head -3 "$tmp/tracer.err")"
		sleep 1
		c0=$(cputicks "$tracer_pid")
		out="$("$tmp/workload" "$@")"
		c1=$(cputicks "$tracer_pid")
		# Let it drain its buffers before stopping it.
		sleep 1
		stop_tracer
		n=$(sed -n 's/^Driver Events:\([0-9]*\).*/\1/p' "$tmp/tracer.err")
		drops=$(sed -n 's/^Driver Drops:\([0-9]*\).*/\1/p' "$tmp/tracer.err")
		[ -n "$n" ] && [ -n "$drops" ] || die "syscope printed no counts: $(head -3 "$tmp/tracer.err")"
		events=$((n - drops))
		;;
	bpftrace)
		env --default-signal=INT bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @enter[pid] = count(); }
			tracepoint:raw_syscalls:sys_exit { @exit[pid] = count(); }' >"$tmp/tracer.out" 2>&1 &
		tracer_pid=$!
		wait_output "$tmp/tracer.out" "Attaching" "$tracer_pid" || die "bpftrace did not start: $(head -3 "$tmp/tracer.out")"
		sleep 1
		c0=$(cputicks "$tracer_pid")
		"$tmp/workload" "$@" >"$tmp/workload.out" &
		wpid=$!
		wait "$wpid"
		out="$(cat "$tmp/workload.out")"
		c1=$(cputicks "$tracer_pid")
		stop_tracer
		events=$(awk -v p="$wpid" '$1 == "@enter[" p "]:" || $1 == "@exit[" p "]:" {n += $2} END {print n + 0}' "$tmp/tracer.out")
		;;
	strace)
		out="$(strace -f -o /dev/null "$tmp/workload" "$@")"
		;;
	perf)
		out="$(perf trace -o /dev/null "$tmp/workload" "$@")"
		;;
	esac
	n=$(field syscalls "$out")
	s=$(field seconds "$out")
	[ -n "$n" ] && [ -n "$s" ] || die "$tracer $wl: the workload printed no figures: $out"
	rate=$(awk -v n="$n" -v s="$s" 'BEGIN {printf "%.0f", n / s}')
	[ "$events" = - ] || events=$(awk -v n="$events" -v s="$s" 'BEGIN {printf "%.0f", n / s}')
	if [ -n "${c0:-}" ]; then
		cpu=$(awk -v t="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v s="$s" 'BEGIN {printf "%.0f", 100 * t / hz / s}')
	fi
	printf '%-12s %-8s round %d: %10s syscalls/s  events/s %10s  drops %8s  cpu %4s%%\n' \
		"$tracer" "$wl" "$round" "$rate" "$events" "$drops" "$cpu" >&2
	echo "$tracer $wl $round $rate $events $drops $cpu" >>"$tmp/results"
}

read -ra tlist <<<"$tracers"
: >"$tmp/results"
for ((r = 1; r <= rounds; r++)); do
	for wl in $workloads; do
		for ((i = 0; i < ${#tlist[@]}; i++)); do
			run "${tlist[$(((i + r - 1) % ${#tlist[@]}))]}" "$wl" "$r"
		done
	done
done
echo >&2

# The table: medians over the rounds; the slowdown is computed per round
# against that round's untraced run, then the median taken.
awk -v tracers="$tracers" -v workloads="$workloads" '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return "-"
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
function maxof(list,    a, n, i, m) {
	n = split(list, a, " ")
	m = a[1]
	for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]
	return m
}
{
	k = $1 SUBSEP $2
	rate[k] = rate[k] " " $4
	if ($5 != "-") ev[k] = ev[k] " " $5
	if ($6 != "-") dr[k] = dr[k] " " $6
	if ($7 != "-") cpu[k] = cpu[k] " " $7
	r[$1 SUBSEP $2 SUBSEP $3] = $4
	rounds[$3] = 1
}
END {
	printf "%-12s %-8s %12s %9s %12s %16s %5s\n", "tracer", "workload", "syscalls/s", "slowdown", "events/s", "drops (max)", "cpu"
	nt = split(tracers, T, " "); nw = split(workloads, W, " ")
	for (w = 1; w <= nw; w++) for (t = 1; t <= nt; t++) {
		k = T[t] SUBSEP W[w]
		if (!(k in rate)) continue
		sl = ""
		for (x in rounds) {
			b = r["none" SUBSEP W[w] SUBSEP x]; a = r[T[t] SUBSEP W[w] SUBSEP x]
			if (b != "" && a + 0 > 0) sl = sl " " sprintf("%.2f", b / a)
		}
		s = median(sl); s = (s == "-") ? "-" : sprintf("%.2fx", s)
		d = (k in dr) ? median(dr[k]) " (" maxof(dr[k]) ")" : "-"
		c = (k in cpu) ? median(cpu[k]) "%" : "-"
		printf "%-12s %-8s %12s %9s %12s %16s %5s\n", T[t], W[w], median(rate[k]), s, (k in ev) ? median(ev[k]) : "-", d, c
	}
}' "$tmp/results"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
