# bash completion for lkvm-gpu: its commands, the options of `run`, file
# names where an option takes a file, and the running VMs' names (from
# `lkvm-gpu list`) for stop, screenshot and wait. Installed by `make
# install` to PREFIX/share/bash-completion/completions/lkvm-gpu.

_lkvm_gpu_vms()
{
	"${COMP_WORDS[0]}" list 2>/dev/null
}

# The display modes this build knows, as `run --help` lists them.
_lkvm_gpu_modes()
{
	"${COMP_WORDS[0]}" run --help 2>/dev/null |
		sed -n 's/.*virtio-gpu display: \(.*\), or a list.*/\1/p' | tr -d ,
}

_lkvm_gpu()
{
	local cur prev cmd
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="run list stop screenshot type wait version help"
	local run_opts="--kernel --initrd --params --mem --cpus --disk --console --no-rng
		--no-msix --name --gpu --gpu-outputs --resolution --gpu-mem --gpu-backend
		--screenshot --timeout --expect --fail-on --serial-log --result --expect-screen
		--input --type --type-after --test-exit --debug --no-sandbox --user --help"

	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $cmd in
	run)
		case $prev in
		-k | --kernel | -i | --initrd | -d | --disk | --serial-log)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		--screenshot | --expect-screen)
			mapfile -t COMPREPLY < <(compgen -f -X '!*.png' -- "$cur"; compgen -d -- "$cur")
			return
			;;
		--result)
			mapfile -t COMPREPLY < <(compgen -f -X '!*.json' -- "$cur"; compgen -d -- "$cur")
			return
			;;
		--console)
			mapfile -t COMPREPLY < <(compgen -W "serial virtio" -- "$cur")
			return
			;;
		--gpu)
			mapfile -t COMPREPLY < <(compgen -W "$(_lkvm_gpu_modes)" -- "$cur")
			return
			;;
		--gpu-backend)
			mapfile -t COMPREPLY < <(compgen -W "2d virgl" -- "$cur")
			return
			;;
		--user)
			mapfile -t COMPREPLY < <(compgen -u -- "$cur")
			return
			;;
		-p | --params | -m | --mem | -c | --cpus | --name | --gpu-outputs | --resolution | \
			--gpu-mem | --timeout | --expect | --fail-on | --type | --type-after)
			return # a value of the user's
			;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$run_opts" -- "$cur")
		;;
	list)
		[ "$COMP_CWORD" -eq 2 ] && mapfile -t COMPREPLY < <(compgen -W "--json" -- "$cur")
		;;
	stop | type)
		[ "$COMP_CWORD" -eq 2 ] && mapfile -t COMPREPLY < <(compgen -W "$(_lkvm_gpu_vms)" -- "$cur")
		;;
	screenshot)
		if [ "$COMP_CWORD" -eq 2 ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_lkvm_gpu_vms)" -- "$cur")
		elif [ "$COMP_CWORD" -eq 3 ]; then
			mapfile -t COMPREPLY < <(compgen -f -X '!*.png' -- "$cur"; compgen -d -- "$cur")
		fi
		;;
	wait)
		if [ "$COMP_CWORD" -eq 2 ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_lkvm_gpu_vms)" -- "$cur")
			return
		fi
		case $prev in
		--expect | --timeout) return ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "--expect --timeout" -- "$cur")
		;;
	esac
}
complete -F _lkvm_gpu lkvm-gpu
