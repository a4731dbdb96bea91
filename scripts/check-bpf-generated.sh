#!/usr/bin/env bash
# Rebuilds the eBPF probe (bpf/*.c, *.h -> internal/probe/probe_x86_bpfel.go
# and .o, with bpf2go) and fails if the result differs from the files in the
# tree: the committed object must be what the committed C builds to.
#
# Needs clang and llvm-strip (Debian 12: apt-get install clang llvm). The
# committed object was built with Debian 12's clang 14; another clang
# version may produce different bytes. No libbpf headers are needed: bpf/
# carries its own (helpers.h, vmlinux.h).
#
# Usage: bash scripts/check-bpf-generated.sh   (from anywhere in the repo)
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="/usr/local/go/bin:$PATH"
for tool in clang llvm-strip; do
	if ! command -v "$tool" >/dev/null; then
		echo "check-bpf-generated: $tool is missing (apt-get install clang llvm)" >&2
		exit 2
	fi
done
clang --version | head -1

gen=(internal/probe/probe_x86_bpfel.go internal/probe/probe_x86_bpfel.o)
saved="$(mktemp -d)"
trap 'rm -rf "$saved"' EXIT
for f in "${gen[@]}"; do
	if [ ! -f "$f" ]; then
		echo "check-bpf-generated: $f is missing" >&2
		exit 1
	fi
	cp "$f" "$saved/"
done

go generate ./internal/probe

status=0
for f in "${gen[@]}"; do
	if ! cmp -s "$f" "$saved/$(basename "$f")"; then
		echo "check-bpf-generated: $f is stale: run 'go generate ./internal/probe' and commit the result" >&2
		status=1
	fi
done
# Once committed, git sees the same thing.
if git rev-parse --git-dir >/dev/null 2>&1 && git ls-files --error-unmatch "${gen[@]}" >/dev/null 2>&1; then
	git diff --exit-code --stat -- "${gen[@]}" || status=1
fi
if [ "$status" -eq 0 ]; then
	echo "check-bpf-generated: the probe in the tree is what bpf/ builds to"
fi
exit "$status"
