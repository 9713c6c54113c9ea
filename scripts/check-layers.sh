#!/bin/sh
# The include graph is one-way (README, Architecture):
#   display <- gpu -> virtio -> pci -> kvm, util/ beneath them all,
#   vmm/ and main.c (the composition root) on top, free to include anything.
# Only the root includes the command-line options header. Prints one line per
# include that breaks a rule, naming the file and the include; exits 1 if any.
cd "$(dirname "$0")/.." || exit 2
status=0

# Project includes ("folder/file.h") of every .c/.h under $1, as FILE:LINE:INCLUDE.
includes() {
	grep -rHn --include='*.c' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$1" |
		sed 's/^\([^:]*:[0-9]*\):.*"\([^"]*\)".*/\1:\2/'
}

# allow DIR FOLDER...: files under DIR include project headers only from FOLDERs.
allow() {
	dir=$1
	shift
	bad=$(includes "$dir" | awk -F: -v ok=" $* " '{ top = $3; sub(/\/.*/, "", top); if (index(ok, " " top " ") == 0) print }')
	[ -z "$bad" ] && return
	echo "$bad" | sed "s|^\([^:]*:[0-9]*\):\(.*\)|check-layers: \1 includes \"\2\": $dir/ may include only $*|"
	status=1
}

allow util util
allow kvm kvm util
allow pci pci kvm util
allow virtio virtio pci kvm util
allow gpu gpu display virtio pci kvm util
allow display display util

# The options header: vmm/ and main.c only.
bad=$(includes . | grep -v '^\./\(vmm/\|main\.c:\|tests/\|build/\)' | grep ':vmm/options\.h$')
if [ -n "$bad" ]; then
	echo "$bad" | sed 's|^\./\([^:]*:[0-9]*\):\(.*\)|check-layers: \1 includes "\2": only vmm/ and main.c see the options|'
	status=1
fi

[ $status -eq 0 ] && echo "check-layers: the include graph is one-way"
exit $status
