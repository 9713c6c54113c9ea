#!/bin/sh
# modorder.sh MODDIR MODULE...
# Prints, one per line, the .ko paths (relative to MODDIR, the
# lib/modules/<kver> folder holding modules.dep) that must be loaded, in
# load order, to load every MODULE (names as in `modprobe`: - and _ alike).
# modules.dep lists each module's full dependency closure, the one to load
# first at the end, so each module's list is walked backwards.
set -eu

dir=$1
shift
awk -v want="$*" '
function norm(p,   n) {
	n = p; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n)
	return n
}
function emit(p) { if (!(p in done)) { done[p] = 1; print p } }
{
	mod = $1; sub(/:$/, "", mod)
	name = norm(mod)
	path[name] = mod
	deps[name] = ""
	for (i = NF; i >= 2; i--) deps[name] = deps[name] " " $i
}
END {
	n = split(want, w, " ")
	for (i = 1; i <= n; i++) {
		m = w[i]; gsub(/-/, "_", m)
		if (!(m in path)) { print "modorder: no module " w[i] > "/dev/stderr"; bad = 1; continue }
		k = split(deps[m], d, " ")
		for (j = 1; j <= k; j++) emit(d[j])
		emit(path[m])
	}
	exit bad
}' "$dir/modules.dep"
