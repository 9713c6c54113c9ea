# Installing like any C tool, no KVM needed: `make install` into a DESTDIR
# puts exactly the expected files under PREFIX, the installed binary runs
# and finds its probe guest under PREFIX/share/lkvm-gpu, the man page renders
# without warnings and names every option and command that --help lists,
# `make uninstall` removes it all, and `make deb` builds a package whose
# control and contents are right (lintian's words reported, not judged).
. "$(dirname "$0")/lib.sh"

dest="$LOG_DIR/install-root"
prefix=/opt/lkvm-test
rm -rf "$dest"

name=install_files
if ! make -s -C "$ROOT" install DESTDIR="$dest" PREFIX="$prefix" >"$LOG_DIR/$name.log" 2>&1; then
	fail "$name" "make install failed" "$LOG_DIR/$name.log"
else
	want="bin/lkvm-gpu
share/bash-completion/completions/lkvm-gpu
share/lkvm-gpu/probe.elf
share/lkvm-gpu/result.schema.json
share/man/man1/lkvm-gpu.1"
	got=$(cd "$dest$prefix" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
	if [ "$got" != "$want" ]; then
		fail "$name" "installed files: $(echo "$got" | tr '\n' ' ')"
	elif [ ! -x "$dest$prefix/bin/lkvm-gpu" ]; then
		fail "$name" "the binary is not executable"
	else
		pass "$name"
	fi
fi
bin="$dest$prefix/bin/lkvm-gpu"

name=install_runs
if "$bin" run --help >"$LOG_DIR/$name.out" 2>&1 && grep -q -- "--expect-screen" "$LOG_DIR/$name.out" &&
	"$bin" version | grep -q '^lkvm-gpu [0-9]'; then
	pass "$name"
else
	fail "$name" "the installed binary's --help or version failed" "$LOG_DIR/$name.out"
fi

# No kernel: the probe is taken from PREFIX/share/lkvm-gpu. Without KVM the
# run stops at /dev/kvm, which comes after the images were read.
name=install_finds_probe
out="$LOG_DIR/$name.out"
if kvm_usable; then
	timeout -k 5 "$RUN_TIMEOUT" "$bin" run -p "probe.tests= probe.end=halt" --expect '^PROBE: ready$' \
		--timeout 20 </dev/null >"$out" 2>&1
	status=$?
	if [ $status -eq 0 ]; then pass "$name"; else fail "$name" "exit status $status" "$out"; fi
else
	"$bin" run </dev/null >"$out" 2>&1
	if grep -q "probe guest is not built" "$out"; then
		fail "$name" "the installed binary did not find its probe" "$out"
	elif grep -q "/dev/kvm" "$out"; then
		pass "$name"
	else
		fail "$name" "unexpected output" "$out"
	fi
fi

# Every option and command --help lists has an entry of its own in the man
# page: the tag line of a .TP paragraph (where roff writes a '-' as "\-").
name=man_covers_help
man_src="$dest$prefix/share/man/man1/lkvm-gpu.1"
tags=$(awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$man_src")
missing=""
for o in $({
	"$bin" run --help
	"$bin" help
} | grep -o -E -- '(^|[ ,[])--?[a-z][a-z0-9-]*' | sed 's/^[ ,[]//' | sort -u); do
	grep -q -E -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')( |\"|\\\\f|\$)" <<<"$tags" ||
		missing="$missing $o"
done
for c in run list stop screenshot wait version help; do
	grep -q -E "^\.(B|BR|BI) $c( |$)" "$man_src" || missing="$missing $c"
done
ver=$("$bin" version | sed 's/^lkvm-gpu //')
grep -q "^\.TH LKVM-GPU 1 .*\"lkvm-gpu $ver\"" "$man_src" || missing="$missing version-$ver"
for s in 0 1 2 3 4 5 128+N; do
	grep -q -x -F ".B $s" "$man_src" || missing="$missing status-$s"
done
if [ -n "$missing" ]; then
	fail "$name" "not in the man page:$missing"
else
	pass "$name"
fi

name=man_renders
if ! command -v man >/dev/null 2>&1; then
	skip "$name" "man is not installed"
else
	MANWIDTH=80 man --warnings -l "$man_src" >"$LOG_DIR/$name.out" 2>"$LOG_DIR/$name.err"
	status=$?
	if [ $status -ne 0 ] || [ -s "$LOG_DIR/$name.err" ]; then
		fail "$name" "man -l: status $status, $(head -n1 "$LOG_DIR/$name.err")" "$LOG_DIR/$name.err"
	elif ! grep -q "EXIT STATUS" "$LOG_DIR/$name.out"; then
		fail "$name" "the rendered page has no EXIT STATUS section" "$LOG_DIR/$name.out"
	else
		pass "$name"
	fi
fi

name=completion_lists_options
comp="$dest$prefix/share/bash-completion/completions/lkvm-gpu"
got=$(bash -c '. "$1"; COMP_WORDS=(lkvm-gpu run --expect-s); COMP_CWORD=2; _lkvm_gpu; echo "${COMPREPLY[*]}"' _ "$comp" 2>&1)
if [ "$got" = "--expect-screen" ]; then
	missing=""
	for o in $("$bin" run --help | grep -o -E -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -q -- "$o" "$comp" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then pass "$name"; else fail "$name" "not completed:$missing"; fi
else
	fail "$name" "run --expect-s completes to '$got'"
fi

name=uninstall
make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX="$prefix" >"$LOG_DIR/$name.log" 2>&1
left=$(find "$dest$prefix" -type f 2>/dev/null)
if [ -z "$left" ]; then pass "$name"; else fail "$name" "left behind: $left"; fi
rm -rf "$dest"

name=deb_package
if ! command -v dpkg-deb >/dev/null 2>&1; then
	skip "$name" "dpkg-deb is not installed"
else
	debdir="$LOG_DIR/deb"
	rm -rf "$debdir"
	if ! deb=$("$ROOT/scripts/deb/build-deb.sh" "$debdir" 2>"$LOG_DIR/$name.err"); then
		fail "$name" "build-deb.sh failed" "$LOG_DIR/$name.err"
	else
		ver=$(sed -n 's/.*LKVM_GPU_VERSION "\(.*\)".*/\1/p' "$ROOT/vmm/version.h")
		info=$(dpkg-deb -I "$deb")
		files=$(dpkg-deb -c "$deb" | awk '{print $6}')
		why=""
		case $deb in */lkvm-gpu_${ver}_$(dpkg --print-architecture).deb) ;; *) why="named $deb; " ;; esac
		for f in ./usr/bin/lkvm-gpu ./usr/share/lkvm-gpu/probe.elf \
			./usr/share/lkvm-gpu/result.schema.json ./usr/share/man/man1/lkvm-gpu.1.gz \
			./usr/share/bash-completion/completions/lkvm-gpu ./usr/share/doc/lkvm-gpu/copyright; do
			grep -q -x -F -- "$f" <<<"$files" || why="${why}no $f; "
		done
		grep -q "^ Package: lkvm-gpu$" <<<"$info" || why="${why}no Package; "
		grep -q "^ Version: $ver$" <<<"$info" || why="${why}no Version $ver; "
		head -n1 "$ROOT/debian/changelog" | grep -q "^lkvm-gpu ($ver) " ||
			why="${why}debian/changelog is not at $ver; "
		for lib in libpixman-1-0 libpng16-16 libvirglrenderer1 libepoxy0 libgbm1 libwayland-client0; do
			grep -q "^ Depends:.*$lib" <<<"$info" || why="${why}Depends lacks $lib; "
		done
		grep -q "^ Depends:.*-dev" <<<"$info" && why="${why}Depends names a -dev package; "
		if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }"; fi
		if command -v lintian >/dev/null 2>&1; then
			echo "lintian $deb (reported, not judged):" >&2
			lintian "$deb" >&2 || true
		fi
	fi
	rm -rf "$debdir" "$ROOT/build/deb"
fi
