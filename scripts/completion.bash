# shellcheck shell=bash
# Bash completion for mx: `mx <command>`, every mx-* tool, mx-lake and
# mx-lake-status.  The options are read from each tool's --help, so a new
# option completes without an edit here.  Installed by `make install` as
# share/bash-completion/completions/mx, with a link per command.

# _mx_options CMD: the options CMD's synopsis names, one a line.
_mx_options() {
	local w
	for w in $("$1" --help 2> /dev/null |
	    grep -oE -- '(^|[][ |])--?[A-Za-z0-9][-A-Za-z0-9]*' |
	    sed 's/^[][ |]*//'); do
		case $w in
		--*) printf '%s\n' "$w" ;;
		# a cluster of short options: [-vz] is -v and -z
		*)
			w=${w#-}
			while [ -n "$w" ]; do
				printf -- '-%s\n' "${w:0:1}"
				w=${w:1}
			done ;;
		esac
	done
	printf '%s\n' -h --help --version --progress --no-progress
}

# _mx_commands: what `mx` runs: the mx-* programs in PATH, and help.
_mx_commands() {
	compgen -c mx- | sed 's/^mx-//' | sort -u
	echo help
}

_mx() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[0]##*/}
	COMPREPLY=()
	if [ "$cmd" = mx ]; then
		if [ "$COMP_CWORD" -eq 1 ]; then
			mapfile -t COMPREPLY < <(compgen -W \
			    "$(_mx_commands) --help --version" -- "$cur")
			return
		fi
		if [ "${COMP_WORDS[1]}" = help ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_mx_commands)" \
			    -- "$cur")
			return
		fi
		cmd=mx-${COMP_WORDS[1]}
	fi
	case $cur in
	-*)
		mapfile -t COMPREPLY < <(compgen -W \
		    "$(_mx_options "$cmd" | sort -u)" -- "$cur") ;;
	*)
		# file names, as a command without completion gets
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}

# every mx command in PATH now; mx-lake and mx-lake-status are among them
# when installed
# shellcheck disable=SC2046
complete -o filenames -F _mx mx $(compgen -c mx- | sort -u)
