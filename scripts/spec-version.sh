#!/usr/bin/env bash
# The runtime's spec_version against its code. A node takes a new runtime only when its
# spec_version is higher, and runs the storage migrations only then: a runtime change that
# keeps the version is a change no running chain can take.
#
#   scripts/spec-version.sh            check: fails when the runtime's code changed since the
#                                      recorded spec_version and the version did not (the test
#                                      command runs this first)
#   scripts/spec-version.sh --record   record the current spec_version and code (after a bump)
#
# The code is every Rust file and manifest of runtime/ and pallets/ that goes into the
# runtime: tests, mocks and benchmarks aside. runtime/spec-version.lock holds the version and a
# sha256 over those files' paths and contents. A dependency bump in Cargo.lock is not seen:
# bump spec_version by hand then.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LOCK=runtime/spec-version.lock

code_files() {
	find runtime pallets -type f \( -name '*.rs' -o -name Cargo.toml \) \
		-not -path '*/tests/*' -not -name tests.rs -not -name mock.rs \
		-not -name 'benchmark*.rs' | LC_ALL=C sort
}

digest() {
	local f
	code_files | while read -r f; do
		printf '%s %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$f"
	done | sha256sum | cut -d' ' -f1
}

spec=$(sed -nE 's/^\s*spec_version: ([0-9]+),.*/\1/p' runtime/src/lib.rs)
if [ -z "$spec" ]; then
	echo "spec-version.sh: no 'spec_version: N,' line in runtime/src/lib.rs" >&2
	exit 1
fi
now=$(digest)

case "${1:-}" in
	--record)
		printf 'spec_version %s\ncode %s\n' "$spec" "$now" > "$LOCK"
		echo "spec-version.sh: recorded spec_version $spec in $LOCK"
		exit 0
		;;
	"") ;;
	*)
		echo "usage: scripts/spec-version.sh [--record]" >&2
		exit 2
		;;
esac

if [ ! -f "$LOCK" ]; then
	echo "spec-version.sh: $LOCK is missing: run scripts/spec-version.sh --record" >&2
	exit 1
fi
locked_spec=$(sed -nE 's/^spec_version ([0-9]+)$/\1/p' "$LOCK")
locked_code=$(sed -nE 's/^code ([0-9a-f]{64})$/\1/p' "$LOCK")
if [ -z "$locked_spec" ] || [ -z "$locked_code" ]; then
	echo "spec-version.sh: $LOCK is damaged: run scripts/spec-version.sh --record" >&2
	exit 1
fi
if [ "$now" = "$locked_code" ]; then
	if [ "$spec" != "$locked_spec" ]; then
		echo "spec-version.sh: spec_version is $spec but $LOCK records $locked_spec for the same code: run scripts/spec-version.sh --record" >&2
		exit 1
	fi
	exit 0
fi
if [ "$spec" -le "$locked_spec" ]; then
	echo "spec-version.sh: the runtime's code changed since spec_version $locked_spec and spec_version is still $spec: bump it in runtime/src/lib.rs (and add a migration for any change of storage layout), then run scripts/spec-version.sh --record" >&2
	exit 1
fi
echo "spec-version.sh: spec_version $spec is new: run scripts/spec-version.sh --record and commit $LOCK" >&2
exit 1
