# lake.sh: the layer steps of the mx lake, sourced by scripts/lake.
#
# A run takes the raw files that are new under $RAW/<source>/ into bronze,
# rebuilds the silver partitions their records touch, and the gold tables
# of those partitions.  Every step is idempotent, and the state that says
# what is done is written after the data it describes, so a run that is
# killed at any moment is finished by the next one, with the same result.
#
#   bronze/<source>/ingest_date=D/part-<run>-N.ndjson.gz   append-only
#   rejects/<table>/ingest_date=D/<run>-<step>.ndjson      bad records, whole
#   silver/<table>/<date key>=D/part-<run>-N.ndjson        one record per key
#   gold/<table>.ndjson, gold/<table>.csv                  the metrics
#   gold/_catalog.ndjson                                   their definitions
#   _state/ledger/<source>.tsv     raw files taken in: path size mtime xxh3 run
#   _state/consumed/<table>        bronze files already in silver
#   _state/keys/<table>.idx        the key index of a silver table (mx-index)
#   _state/dirty/<table>           silver partitions whose gold is stale
#   _state/partials/<gold>/<partition>.ndjson   mx-agg --partial of one
#                                  silver partition ('%', '/', '=' escaped)
#   _state/pending                 the run in progress
#   _state/hostwork/<table>        silver's work on --hosts, while it runs
#   _state/quiet                   what the last run left (quiet_run)
#   tests/<table>/<test>/<run>.ndjson   failing rows of a silver table's test
#   tests/gold/<table>/<test>/<run>.ndjson   and of a gold table's
#   _state/sla/<table>             its day, first build of the day, miss said
#   _runs.ndjson                   one line per step, and per data test
#
# No expansion here depends on a glob matching: scripts/lake sets
# nullglob, and every list of files comes from find.
#
# Errors: errexit is no help here, since bash ignores it inside a function
# called from ||, && or if, which is how step() calls every step.  So
# every command that can fail is followed by || return 1 (or is the last
# of its function), pipelines run under pipefail (scripts/lake), and
# step() turns a step's nonzero status into a failed run, logged and
# named, that the next run resumes.  A command substitution whose failure
# matters is checked the same way (x=$(cmd) || return 1).

# ---- messages and the run log ----

say() {
	[ "${PROGRESS:-0}" = 0 ] || printf '\r\033[K' >&2
	printf '%s\n' "lake: $*" >&2
}
die() { say "$*"; exit 1; }

# json_str S: S as a JSON string, every control character escaped.  The
# strings logged are the lake's own (run ids, step names, notes made of
# counts), never raw file names, which may not even be UTF-8.
json_str() {
	local v
	json_to v "$1"
	printf '%s' "$v"
}

# json_to VAR S: the same into VAR, without a subshell (step() logs every
# step: a run with nothing to do must stay fast).
json_to() {
	local s=${2//\\/\\\\} i
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	for ((i = 1; i < 32; i++)); do
		[[ $s == *"${CTL[i]}"* ]] && s=${s//"${CTL[i]}"/${CTLU[i]}}
	done
	printf -v "$1" '"%s"' "$s"
}

# The control characters, and their JSON escapes, made once.
CTL=() CTLU=()
for ((i = 1; i < 32; i++)); do
	printf -v 'CTLU[i]' '\\u%04x' "$i"
	printf -v 'CTL[i]' '\\%03o' "$i"
	printf -v 'CTL[i]' '%b' "${CTL[i]}"
done
unset i

# Milliseconds since the epoch, and their ISO form, into a variable,
# without a fork: bash's own clock ($EPOCHREALTIME, bash 5) and strftime
# (printf %()T).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%d' $((t / 1000))
}

iso_ms() {
	TZ=UTC printf -v "$1" '%(%Y-%m-%dT%H:%M:%S)T.%03dZ' $(($2 / 1000)) \
	    $(($2 % 1000))
}

# step NAME FUNCTION ARGS...: run one step, log it in _runs.ndjson.  The
# function sets C_IN C_OUT C_REJ C_DUP (records) and NOTE; a failure stops
# the run with a message naming the step (and FAILED, when the function
# set it, says what then); WARNED=1 logs it as a warning.  A bronze step
# is followed by the step that checks its source's freshness (when it has
# a rule), a silver step by the step that tests its table.
#
# The counts of a step are kept in _state/steps/<run>/ the first time the
# step gets them (bronze and silver before they commit their state), and a
# resumed run logs the kept ones: after a kill, the run's lines say what
# an uninterrupted run would have said, though the resumed step finds its
# work done.  Each line carries the attempt of the run it belongs to.
step() {
	local name=$1 t0 t1 st=ok rc=0
	shift
	local jr jn jnote='' s0 s1
	C_IN=0 C_OUT=0 C_REJ=0 C_DUP=0 NOTE='' STEP=$name WARNED=0
	now_ms t0
	# on a terminal, the step under way (the tools' progress lines take
	# the line over while they run)
	[ "${PROGRESS:-0}" = 0 ] || printf '\rlake: %s ...\033[K' "$name" >&2
	"$@" || rc=$?
	[ "${PROGRESS:-0}" = 0 ] || printf '\r\033[K' >&2
	now_ms t1
	if [ $rc -ne 0 ]; then
		st=failed
	elif ! kept_counts "$name"; then
		keep_counts || rc=$?
	fi
	[ $rc -ne 0 ] || [ "$WARNED" = 0 ] || st=warn
	json_to jr "$RUN"
	json_to jn "$name"
	[ -z "$NOTE" ] || { json_to jnote "$NOTE"; jnote=",\"note\":$jnote"; }
	slow_check "$name" $((t1 - t0)) || jnote="$jnote$SLOW"
	iso_ms s0 "$t0"
	iso_ms s1 "$t1"
	printf '{"run":%s,"attempt":%d,"step":%s,"start":"%s","end":"%s","seconds":%d.%03d,"state":"%s","in":%d,"out":%d,"rejected":%d,"duplicates":%d%s}\n' \
	    "$jr" "$ATTEMPT" "$jn" "$s0" "$s1" $(((t1 - t0) / 1000)) \
	    $(((t1 - t0) % 1000)) "$st" "$C_IN" "$C_OUT" "$C_REJ" "$C_DUP" \
	    "$jnote" >> "$LAKE/_runs.ndjson"
	if [ $rc -ne 0 ]; then
		# (gold_early's jobs write state: not left running unlocked)
		early_wait || true
		say "step $name failed (exit $rc); ${FAILED:-the next run finishes run $RUN}"
		sla_check
		alert failed
		exit 1
	fi
	[[ $name != gold:* ]] || QUIET_GOLD+=("${name#gold:}")
	[[ $name != gold:* ]] || [ -z "${SLA[${name#gold:}]:-}" ] ||
	    sla_built "${name#gold:}" $((NOW * 1000 + t1 - RUN_T0))
	[ "$VERBOSE" = 0 ] || say "$name: in $C_IN, out $C_OUT, rejected $C_REJ, duplicates $C_DUP${NOTE:+; $NOTE}"
	# a silver table is tested as soon as it is built, before any gold
	# reads it (data_tests)
	case $name in
	silver:*)
		# (started by silver when it built something)
		[ -n "${SILVERED[${name#silver:}]:-}" ] ||
		    gold_early "${name#silver:}"
		step "test:${name#silver:}" data_tests "${name#silver:}" ;;
	bronze:*)
		if freshness_rule "${name#bronze:}"; then
			step "freshness:${name#bronze:}" freshness "${name#bronze:}"
		fi ;;
	esac
}

# slow_check STEP MS: true, or false with SLOW set to the run log's
# "slow" member, when STEP took more than twice its median over the last
# runs where it succeeded (MEDIAN, from slow_medians), and a second more:
# said, and flagged in the run log (lake-status shows it), the run goes
# on.  (A step of a few milliseconds that takes a few more is not slow.)
slow_check() {
	local m=${MEDIAN[$1]:-}
	[ -n "$m" ] && [ "$2" -gt $((2 * m)) ] && [ "$2" -ge $((m + 1000)) ] ||
	    return 0
	printf -v SLOW ',"slow":{"median":%d.%03d,"runs":%d}' $((m / 1000)) \
	    $((m % 1000)) "$SLOW_RUNS"
	local what="step $1"
	[ "$1" != run ] || what="the run"
	say "$what is slow: $(($2 / 1000)).$(printf '%03d' $(($2 % 1000))) s, more than twice its median of $((m / 1000)).$(printf '%03d' $((m % 1000))) s over the last runs"
	return 1
}

# The median milliseconds of each step over the last SLOW_RUNS runs in
# which it succeeded (at least three), from the run log's latest lines,
# read once a run.
declare -A MEDIAN=()
SLOW_RUNS=${MX_LAKE_SLOW_RUNS:-10}
slow_medians() {
	local s m
	[ -s "$LAKE/_runs.ndjson" ] || return 0
	while IFS=$'\t' read -r s m; do
		MEDIAN[$s]=$m
	done < <(tail -n 50000 "$LAKE/_runs.ndjson" | jq -rs --argjson n "$SLOW_RUNS" '
	    def median: .[-$n:] | sort | select(length >= 3)
		| .[length / 2 | floor] * 1000 | round;
	    map(select(.test == null and (.seconds | type) == "number")) as $l
	    | ($l | map(select(.state == "ok")) | group_by(.step)[]
		| "\(.[0].step)\t\(map(.seconds) | median)"),
	      # the whole run: its steps added up, over the runs that took
	      # something in and did not fail (a run with nothing new takes
	      # no time, and would make every real run look slow)
	      ($l | group_by(.run) | map(select(any(.[];
		    (.step | startswith("bronze:")) and .in > 0) and
		    all(.[]; .state != "failed")) | map(.seconds) | add)
		| "run\t\(median)")')
}

# run_slow: a run that took something in and took more than twice the
# median of the last such runs (slow_medians), and a second more, is
# said and flagged by a line "run" of the run log, at warn, with the
# run's own seconds in its note (its "seconds" are 0: the lines of its
# steps already add up to the run).  The alert of the run carries it.
run_slow() {
	local end
	[ -e "$STEPS/took" ] || return 0
	now_ms end
	slow_check run $((end - RUN_T0)) ||
	    warn_line run "$end" "the run took $(((end - RUN_T0) / 1000)) s" "$SLOW"
}

# warn_line STEP MS NOTE [MEMBERS]: a line of the run log at warn, at MS,
# for what is no step of its own (a slow run, a missed SLA): no seconds
# (the steps' lines add up to the run), no counts; MEMBERS (",..."), if
# any, end the object.
warn_line() {
	local js jn iso
	json_to js "$1"
	json_to jn "$3"
	iso_ms iso "$2"
	printf '{"run":"%s","attempt":%d,"step":%s,"start":"%s","end":"%s","seconds":0,"state":"warn","in":0,"out":0,"rejected":0,"duplicates":0,"note":%s%s}\n' \
	    "$RUN" "$ATTEMPT" "$js" "$iso" "$iso" "$jn" "${4:-}" >> "$LAKE/_runs.ndjson"
}

# The counts of the step under way, kept once (see step): a line of
# $STEPS/counts, appended without a fork; a line a kill cut short lacks
# its final "." and does not count.  The fields are separated by the
# unit separator (octal 037): a tab, being white space to read, would
# fold the empty note of a step into its neighbour.
keep_counts() {
	kept_counts "$STEP" && return 0
	printf '%s\037%s\037%s\037%s\037%s\037%s\037.\n' "$STEP" "$C_IN" \
	    "$C_OUT" "$C_REJ" "$C_DUP" "$NOTE" >> "$STEPS/counts"
}

# kept_counts STEP: the counts kept for STEP into C_IN ... NOTE, or false.
kept_counts() {
	local n i o r d t end
	[ -s "$STEPS/counts" ] || return 1
	while IFS=$'\037' read -r n i o r d t end; do
		if [ "$n" != "$1" ] || [ "$end" != . ]; then
			continue
		fi
		C_IN=$i C_OUT=$o C_REJ=$r C_DUP=$d NOTE=$t
		return 0
	done < "$STEPS/counts"
	return 1
}

# The value of "key":N in a one-line stats object.
stat_of() {
	local l
	IFS= read -r l < "$1" || [ -n "$l" ] || return 1
	[[ $l =~ \"$2\":([0-9]+) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
}

# into FILE COMMAND...: the output of COMMAND becomes FILE, whole, and only
# if COMMAND succeeds; readers see the old file or the new one.
into() {
	local f=$1
	shift
	if "$@" > "$f.tmp.$$"; then
		mv -f "$f.tmp.$$" "$f"
	else
		rm -f "$f.tmp.$$"
		return 1
	fi
}

# cores: JOBS set, by -j or else to the number of cores, counted the first
# time a step needs it (a run with nothing new starts no nproc).
cores() {
	[ -n "$JOBS" ] || JOBS=$(nproc 2> /dev/null || echo 1)
}

# bg_go COMMAND...: COMMAND in the background, at most JOBS at once, the
# oldest waited for first when they are (bash 5.2's wait -n -p can return
# a job's end without its pid); false, starting nothing, once a job has
# failed.  bg_end: wait for the rest; false when one failed.  BGFAIL is
# then the number of the first that did (from 0, in the order started).
BGPIDS=() BGFAIL=''
bg_go() {
	local n=${#BGPIDS[@]}
	[ "$n" -gt 0 ] || BGFAIL=''
	cores
	if [ "$n" -ge "$JOBS" ]; then
		wait "${BGPIDS[n - JOBS]}" || BGFAIL=${BGFAIL:-$((n - JOBS))}
	fi
	[ -z "$BGFAIL" ] || return 1
	"$@" &
	BGPIDS+=($!)
}
bg_end() {
	local i n=${#BGPIDS[@]}
	[ "$n" -gt 0 ] || BGFAIL=''
	for ((i = n > JOBS ? n - JOBS : 0; i < n; i++)); do
		wait "${BGPIDS[i]}" || BGFAIL=${BGFAIL:-$i}
	done
	BGPIDS=()
	[ -z "$BGFAIL" ]
}

# The tests kill the run at these points, between data and state:
# MX_LAKE_CRASH=bronze:ecommerce, silver:spend, gold:hourly_revenue, ...
crashpoint() {
	[ "${MX_LAKE_CRASH:-}" != "$1" ] || { early_wait; kill -9 $$; }
}

# ---- the run: id, lock, recovery ----

# The run id sorts in the order of the runs: the time of the run (fixed by
# SOURCE_DATE_EPOCH for reproducible lakes) and the number of committed
# runs.  A killed run is resumed under its own id.
run_begin() {
	local n
	local err d ok=1
	# (mx-agg --each lists paths a line each, separated by tabs; the
	# partitions' names are escaped, the lake's own path is the user's)
	case $LAKE in
	*$'\t'* | *$'\n'*) die "$LAKE: a lake's path cannot hold a tab or a newline" ;;
	esac
	# a lake that cannot be written says why (read-only, permissions),
	# not that another run holds the lock (no fork when all is there)
	for d in _state/ledger _state/consumed _state/keys _state/dirty \
	    _state/partials bronze silver gold rejects; do
		[ -d "$LAKE/$d" ] || ok=0
	done
	[ -w "$LAKE/_state/lock" ] || ok=0
	[ "$ok" = 1 ] || err=$(mkdir -p "$LAKE/_state/ledger" "$LAKE/_state/consumed" \
	    "$LAKE/_state/keys" "$LAKE/_state/dirty" "$LAKE/_state/partials" \
	    "$LAKE/bronze" "$LAKE/silver" "$LAKE/gold" "$LAKE/rejects" 2>&1 &&
	    touch "$LAKE/_state/lock" 2>&1) ||
	    die "$LAKE: cannot write the lake: ${err##*: }"
	[ ! -L "$LAKE/_state/lock" ] || die "$LAKE/_state/lock: a symbolic link; not followed"
	exec 9>> "$LAKE/_state/lock"
	flock -n 9 || die "$LAKE: another run holds the lock"
	# what a killed run was writing (mx-partition clears its own) goes;
	# the lake's own files are never written through a link (one walk)
	err=$(find "$LAKE" \( -name '.*.tmp-[0-9]*-[0-9]*' -o -name '*.tmp.[0-9]*' \
	    -o -path "$LAKE/gold/*.ndjson.new" \) -type f -delete \
	    -o -type l \( -path "$LAKE/_runs.ndjson" -o -path "$LAKE/_state" \
	    -o -path "$LAKE/_state/*" -o -path "$LAKE/gold" \
	    -o -path "$LAKE/gold/*" \) -print -quit)
	[ -z "$err" ] || die "$err: a symbolic link where the lake keeps its own files; not followed (remove it)"
	TOOK=0
	if [ -s "$LAKE/_state/pending" ]; then
		RUN=$(cat "$LAKE/_state/pending")
		say "resuming run $RUN, which did not finish"
		RESUMED=1
	else
		n=0
		[ ! -s "$LAKE/_state/runs" ] || read -r n < "$LAKE/_state/runs"
		TZ=UTC printf -v RUN '%(%Y%m%dT%H%M%SZ)T-%04d' "$EPOCH" $((n + 1))
		into "$LAKE/_state/pending" echo "$RUN"
		RESUMED=0
	fi
	STEPS="$LAKE/_state/steps/$RUN"
	# a run killed in run_end, after its _state/pending went, leaves its
	# counts (on an S3 mount, rm -rf is a request per file: some of
	# them); no run is pending but this one, so the others go
	for d in "$LAKE/_state/steps"/*; do
		[ "$d" = "$STEPS" ] || [ ! -e "$d" ] || rm -rf -- "$d" ||
		    die "$d: cannot remove it"
	done
	mkdir -p "$STEPS" || die "$STEPS: cannot make it"
	# a resumed run keeps the time of the run it resumes (its id's): what
	# the data is stamped with (_ingested_at, the rejects' date, the
	# tools' SOURCE_DATE_EPOCH) is what one uninterrupted run would have
	# written, whatever day the resume comes.  Freshness and deadlines
	# are told against this attempt's clock (NOW).
	if [ -s "$STEPS/epoch" ]; then
		read -r EPOCH < "$STEPS/epoch"
		export SOURCE_DATE_EPOCH=$EPOCH
	else
		into "$STEPS/epoch" echo "$EPOCH"
	fi
	ATTEMPT=0
	[ ! -s "$STEPS/attempt" ] || read -r ATTEMPT < "$STEPS/attempt"
	ATTEMPT=$((ATTEMPT + 1))
	into "$STEPS/attempt" echo "$ATTEMPT"
	TZ=UTC printf -v TODAY '%(%Y-%m-%d)T' "$EPOCH"
	case $(stat -f -c %T "$LAKE") in
	fuse*) S3=1 ;;
	*) S3=0 ;;
	esac
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mx-lake.XXXXXX")
	trap 'early_wait; rm_wait; rm -rf "$WORK"' EXIT
	now_ms RUN_T0
}

# --hosts: every host must run this very mx (mx --version, with the git
# describe of its build), or the run stops before any work, naming it.
hosts_check() {
	local want got host v n=0 err
	want=$(mx --version) || die "mx --version: no mx here"
	err=$(mktemp) || exit 1
	got=$(parallel --will-cite "${HOSTARGS[@]}" --nonall --tag \
	    'mx --version 2>&1 || echo "no mx"' 2> "$err")
	v=$(sed 's/\t/: /' "$err" | head -n 3 | paste -sd ';' -)
	rm -f "$err"
	while IFS=$'\t' read -r host got; do
		[ -n "$host" ] || continue
		n=$((n + 1))
		[ "$got" = "$want" ] ||
		    die "host $host: ${got:-no answer} where this lake runs $want; refused (make install there)"
	done <<< "$got"
	if [ "$n" -ne "$(host_count)" ]; then
		die "hosts: only $n of $(host_count) answered: $v"
	fi
	# the jobs all hosts run at once: a login's N/, or parallel's
	# default, the host's cores (taken as 2)
	HOSTSLOTS=$(host_logins | awk '{ n += /^[0-9]+\// ? $0 + 0 : 2 }
	    END { print n }')
}

# The logins --hosts and -S name, a line each (comma-separated, one or
# more to a line of the file; '#' lines and blank ones aside).
host_logins() {
	local i
	for ((i = 0; i < ${#HOSTARGS[@]}; i += 2)); do
		if [ "${HOSTARGS[i]}" = -S ]; then
			printf '%s\n' "${HOSTARGS[i + 1]}"
		else
			grep -v '^[[:space:]]*\(#\|$\)' "${HOSTARGS[i + 1]}"
		fi
	done | tr ',' '\n' | grep .
}
host_count() { host_logins | grep -c .; }

# A run that took nothing in, in any of its attempts, leaves the count, so
# that it changes nothing.  The count is the run's own number, not one
# more than the file says: a run killed after it wrote the count resumes
# under the same id and writes the same count.
run_end() {
	# (partials made early that no golds waited for: before the run's
	# signature)
	early_wait || true
	[ ! -e "$STEPS/took" ] || TOOK=1
	[ "$TOOK" = 0 ] || into "$LAKE/_state/runs" echo $((10#${RUN##*-}))
	crashpoint counted
	# (a resumed run leaves the raw files that came since it was killed
	# to the next run, which must not find the raw tree as it left it)
	[ "$QUIET" = 1 ] || [ "$RESUMED" = 1 ] || quiet_save
	rm -f "$LAKE/_state/pending"
	crashpoint end
	rm -rf "$STEPS"
}

# ---- a run with nothing new ----

# A run finds that it has nothing to do by asking every step (some 150
# on the demo lake, each a few processes: seconds).  Instead, a run that
# finishes keeps in _state/quiet what a step could find different next
# time: the signature of the raw files (names, types, sizes, mtimes,
# ctimes, inodes), of the configuration (the lake's scripts, contracts,
# tests and catalog, the tools, the options and the variables that steer
# a run) and of the lake as it leaves it (the same of every file but the
# run log, the report, and the state a run with nothing new writes
# itself).  A run whose signatures are the same has nothing new: it
# logs the freshness of the sources the last run checked (which only
# time changes; the newest mtime of each is kept), the gold tables' SLAs
# as found up to date, one line "unchanged", and writes the report.
#
# Safe because: the raw files and the configuration are read before any
# step looks at them, so a file written during a run makes the next run
# a full one; the lake's signature is taken after its last write, and
# the file is written before _state/pending goes, so a killed run (or
# one that failed) is resumed in full; a full run removes it first.  A
# file changed in place keeps neither its ctime nor, mostly, its inode.
# --recheck asks every step all the same.

# quiet_sig VAR raw DOMAIN... | quiet_sig VAR lake: the signature of the
# raw files and the configuration (for a run of those domains), or of
# the lake, into VAR.  (Directories of the lake show no times: a run's
# own _state/pending changes _state's.)
quiet_sig() {
	local -a follow=(-L)
	[ "$NOFOLLOW" = 0 ] || follow=()
	if [ "$2" = raw ]; then
		printf -v "$1" '%s' "$({
			printf '%s\0' 1 "$RAW" "$LAKE" "$SHARE" "$CONF" "$TOOLS" \
			    "$NOFOLLOW" "${LIMITS[*]-}" "${*:3}" \
			    "${MX_BRONZE_LEVEL-}" "${MX_BRONZE_RECORDS-}" \
			    "${MX_CONTRACTS-}" "${MX_TESTS-}"
			find "${follow[@]}" "$RAW" "$SHARE" "$TOOLS" ${CONF:+"$CONF"} \
			    ${MX_CONTRACTS:+"$MX_CONTRACTS"} ${MX_TESTS:+"$MX_TESTS"} \
			    -printf '%p %y %s %T@ %C@ %i\0'
		} | md5sum)" || return 1
	else
		printf -v "$1" '%s' "$(find "$LAKE" \( -path "$LAKE/_runs.ndjson" \
		    -o -path "$LAKE/report" -o -path "$LAKE/_state/quiet" \
		    -o -path "$LAKE/_state/lock" -o -path "$LAKE/_state/pending" \
		    -o -path "$LAKE/_state/steps" -o -path "$LAKE/_state/sla" \
		    -o -path "$LAKE/_state/alerts" \) -prune \
		    -o -type d -printf '%P/\0' \
		    -o -printf '%P %y %s %T@ %C@ %i\0' | md5sum)" || return 1
	fi
	printf -v "$1" '%s' "${!1%% *}"
}

# quiet_run DOMAIN...: true when nothing is new for a run of those
# domains (above): the run's lines logged.
# Otherwise false, with QUIET_RAW set for quiet_save and the signatures
# of the last run removed.
QUIET=0 QUIET_RAW='' QUIET_FRESH=() QUIET_GOLD=()
quiet_run() {
	local f="$LAKE/_state/quiet" rsig lsig kind v t now
	local -a fresh=() gold=()
	quiet_sig QUIET_RAW raw "$@" || return 1
	if [ "$RESUMED" = 0 ] && [ -z "$REPROCESS_FROM" ] && [ "$RECHECK" = 0 ] &&
	    [ -s "$f" ] && { read -r kind rsig lsig < "$f"; [ "$kind" = sig ]; } &&
	    [ "$rsig" = "$QUIET_RAW" ] && quiet_sig v lake && [ "$v" = "$lsig" ]; then
		while read -r kind t v; do
			case $kind in
			fresh) fresh+=("$t $v") ;;
			gold) gold+=("$t") ;;
			esac
		done < "$f"
		QUIET=1
		for t in "${fresh[@]}"; do
			NEWEST=${t#* }
			step "freshness:${t%% *}" freshness "${t%% *}"
		done
		now_ms now
		for t in "${gold[@]}"; do
			[ -z "${SLA[$t]:-}" ] ||
			    sla_built "$t" $((NOW * 1000 + now - RUN_T0))
		done
		step unchanged skip_note "nothing new: the raw files, the configuration and the lake are as the last run left them"
		return 0
	fi
	[ ! -e "$f" ] || rm -f "$f" || die "$f: cannot remove it"
	return 1
}

# quiet_save: the signatures, the sources' newest mtimes and the gold
# tables of this run, for the next (quiet_run); written last.
quiet_save() {
	local lsig t
	quiet_sig lsig lake || return 0
	{
		printf 'sig %s %s\n' "$QUIET_RAW" "$lsig"
		for t in "${QUIET_FRESH[@]}"; do
			printf 'fresh %s\n' "$t"
		done
		for t in "${QUIET_GOLD[@]}"; do
			printf 'gold %s\n' "$t"
		done
	} > "$LAKE/_state/quiet.tmp.$$" &&
	    mv -f "$LAKE/_state/quiet.tmp.$$" "$LAKE/_state/quiet"
}

# ---- bronze ----

# bronze SOURCE [mx-ingest options]: take the new files of $RAW/SOURCE in.
# mx-ledger decides which are new (_state/ledger/<source>.ndjson): a file
# already in with the same size and mtime is skipped; one whose content
# changed since is reported and not read again; one whose content is
# already in under another name is reported and skipped.  Names go
# between the tools NUL-separated, so any name a file system allows works.
bronze() {
	local src=$1 ledger="$LAKE/_state/ledger/$1.ndjson" n gone
	local -a follow=()
	shift
	[ "$NOFOLLOW" = 0 ] || follow=(--no-follow)
	ledger_migrate "$src" || return 1
	if [ "$RESUMED" = 1 ]; then
		# the killed attempt took its files in: the files that came
		# since wait for the next run, so that the resumed run does
		# the work its counts say (and silver has nothing to tell apart)
		if grep -qF "\"run\":$(json_str "$RUN")" "$ledger" \
		    2> /dev/null; then
			return 0
		fi
		unpublish "$LAKE/bronze/$src" || return 1
	fi
	[ -d "$RAW/$src" ] || { NOTE="no $src directory"; return 0; }
	if [ -s "$STEPS/files.$src" ]; then
		# the files the killed attempt was taking in, as its counts
		# (kept before the ledger) say; those that came since wait.
		# One gone since: the others, and the counts made again.
		gone=0
		while IFS= read -r -d '' n; do
			if [ -e "$RAW/$n" ] || [ -L "$RAW/$n" ]; then
				printf '%s\0' "$n"
			else
				gone=1
			fi
		done < "$STEPS/files.$src" > "$WORK/files.$src" || return 1
		if [ $gone = 1 ]; then
			into "$STEPS/files.$src" cat "$WORK/files.$src" ||
			    return 1
			# shellcheck disable=SC2016
			[ ! -s "$STEPS/counts" ] ||
			    into "$STEPS/counts" awk -F '\037' -v s="$STEP" \
			    '$1 != s' "$STEPS/counts" || return 1
		fi
	elif [ "$NOFOLLOW" = 1 ]; then
		(cd "$RAW" && find "$src" \( -type f -o -type l \) ! -name '.*' \
		    -print0 | LC_ALL=C sort -z) > "$WORK/files.$src" || return 1
	else
		(cd "$RAW" && find -L "$src" -type f ! -name '.*' -print0 |
		    LC_ALL=C sort -z) > "$WORK/files.$src" || return 1
	fi
	(cd "$RAW" && mx-ledger -0 -l "$ledger" --out "$WORK/ledger.$src" \
	    --run "$RUN" --stats "$WORK/lstats.$src" "${follow[@]}" \
	    --files0-from "$WORK/files.$src") > "$WORK/newfiles.$src" ||
	    return 1
	for n in changed same skipped; do
		[ "$(stat_of "$WORK/lstats.$src" $n)" = 0 ] ||
		    NOTE="${NOTE:+$NOTE; }$(stat_of "$WORK/lstats.$src" $n) $n"
	done
	n=$(stat_of "$WORK/lstats.$src" new)
	if [ "$n" = 0 ]; then
		NOTE="${NOTE:+$NOTE; }no new files"
		return 0
	fi
	# the files this attempt takes in, kept before its counts (an
	# attempt that took nothing leaves the next one free to)
	[ -s "$STEPS/files.$src" ] ||
	    into "$STEPS/files.$src" cat "$WORK/files.$src" || return 1
	# (the gzip chunks on -j threads: the same bytes whatever -j; a file
	# every 250,000 records (MX_BRONZE_RECORDS), which silver validates
	# on -j processes)
	cores
	guard_ingest "$src" "$@" |
	    mx-partition --level "${MX_BRONZE_LEVEL:-1}" \
	    --threads $((JOBS < 64 ? JOBS : 64)) \
	    --max-records "${MX_BRONZE_RECORDS:-250000}" \
	    -d "$LAKE/bronze/$src" \
	    -k 'ingest_date=date(_ingested_at)' \
	    --run "$RUN" > /dev/null || { unpublish "$LAKE/bronze/$src"; return 1; }
	publish "$WORK/rejects.$src" "rejects/$src/ingest_date=$TODAY/$RUN-ingest.ndjson" ||
	    return 1
	C_IN=$(stat_of "$WORK/ingest.$src" in)
	C_OUT=$(stat_of "$WORK/ingest.$src" out)
	C_REJ=$(stat_of "$WORK/ingest.$src" rejected)
	NOTE="${NOTE:+$NOTE; }$n new files"
	TOOK=1
	# the counts, then the ledger: a kill in between is redone whole
	keep_counts && touch "$STEPS/took" || return 1
	crashpoint "bronze:$src"
	into "$ledger" cat "$WORK/ledger.$src"
}

# The producers of a publishing mx-partition: a producer that fails ends
# its output with a line that is not JSON, so that mx-partition, which
# sees only the end of its input, refuses it and publishes nothing (a cut
# union would otherwise replace whole partitions with half of them).
# Silver's mx-dedup and mx-partition take --trusted: the records they
# read were written whole by mx-validate, mx-dedup or mx-partition, each
# JSON checked to its end by mx-validate, so each is read only as far as
# its key fields (the 10M-event lake: 8 s of CPU less).  Neither check
# above is lost: the line that is not JSON fails at its first byte, and
# a last line cut short (no newline) is an error with --trusted.
MX_ABORT=$'\n\001 the command before mx-partition failed: nothing published\n'

guard_ingest() {
	local src=$1
	shift
	(cd "$RAW" && mx-ingest "$@" "${LIMITS[@]}" --stats "$WORK/ingest.$src" \
	    --rejects "$WORK/rejects.$src" --files0-from "$WORK/newfiles.$src") ||
	    { printf '%s' "$MX_ABORT"; return 1; }
}

# (the files are named, not piped: a mode that reads its input twice
# would copy a pipe to a temporary file first)  The validated records
# (NEW) go as soon as mx-dedup is done with them, before mx-partition
# syncs the file system: on the lake's file system (the usual /tmp), the
# sync would otherwise write them to disk first, only to delete them (the
# 1M-event silver step: mx-dedup | mx-partition 2.17-2.33 s with them,
# 1.56-1.92 s without).  mx-partition sees the end of its input first,
# and sorts and writes its key index while they go: 330 MB not yet
# written go in 0.04 s, well before its sync.  Once the kernel has
# written them (10M events: 3.4 GB), deleting them takes a second and
# more (the blocks discarded), which both cores waited for: the `rm` is
# not waited for here, but holds a lock on rm.TABLE.lock in $WORK, which
# the run's end waits for (rm_wait).
guard_union() {
	local table=$1 key=$2 dstats=$3
	local -a f
	shift 3
	# (the first pass scanned on -j threads: mx-partition waits for
	# the second)
	cores
	# (validate_stream's records, when silver streams them, are the
	# union's "-": its spool in $WORK, which the run's end removes.  The
	# counts are kept only when every record came: mx-dedup ends well on
	# the records of a validation that failed, and a resumed run keeps
	# the counts of the first attempt)
	mapfile -t f < "$WORK/union.$table" &&
	    { [ ${#stream[@]} -eq 0 ] || validate_stream "${stream[@]}"; } |
	    mx-dedup -k "$key" "$@" --memory "$MEMORY" --trusted \
	    --stats "$dstats.new" -T "$WORK" \
	    --threads $((JOBS < 64 ? JOBS : 64)) -- "${f[@]}"
	if [ "${PIPESTATUS[*]}" != "0 0" ] ||
	    ! mv -f "$dstats.new" "$dstats"; then
		printf '%s' "$MX_ABORT"
		return 1
	fi
	[ ${#NEW[@]} -gt 0 ] || return 0
	exec >&- 8> "$WORK/rm.$table.lock" && flock 8 || return 1
	rm -f -- "${NEW[@]}" &
}

# rm_wait: the `rm`s guard_union left running, ended.
rm_wait() {
	local l
	for l in "$WORK"/rm.*.lock; do
		[ ! -e "$l" ] || flock "$l" true
	done
}

# A ledger of an older lake (TSV: path size mtime xxh3 run) becomes
# NDJSON, once.
ledger_migrate() {
	local d="$LAKE/_state/ledger"
	[ -e "$d/$1.tsv" ] && [ ! -e "$d/$1.ndjson" ] || return 0
	into "$d/$1.ndjson" jq -Rc 'split("\t") | {path: .[0],
	    size: (.[1] | tonumber), mtime: (.[2] | tonumber), xxh3: .[3],
	    run: .[4]}' "$d/$1.tsv" && rm -f "$d/$1.tsv"
}

# unpublish ROOT: remove what the killed run $RUN appended under ROOT
# before its ledger was written: its files, their lines in the manifests,
# and the partitions that held nothing else.
unpublish() {
	local m d
	[ -d "$1" ] || return 0
	find "$1" -name "part-$RUN-*" -type f -delete || return 1
	find "$1" -name _SUCCESS -type f | while IFS= read -r m; do
		grep -q "\"run\":\"$RUN\"" "$m" || continue
		d=$(dirname "$m")
		if grep -v "\"run\":\"$RUN\"" "$m" > "$WORK/manifest"; then
			publish "$WORK/manifest" "${m#"$LAKE"/}" || return 1
		else
			rm -f "$m"
			rmdir "$d" 2> /dev/null
		fi
	done
}

xxh3() { xxhsum -H3 "$1" 2> /dev/null | sed 's/.* = //'; }

# publish FILE PATH: FILE, when not empty, becomes LAKE/PATH, whole.  On
# an S3 mount a new object appears whole anyway, and renames are copies
# (some servers refuse them under keys with '='): it is copied in place.
publish() {
	local dst="$LAKE/$2"
	[ -s "$1" ] || return 0
	mkdir -p "$(dirname "$dst")" || return 1
	if [ "$S3" = 1 ]; then
		cp "$1" "$dst"
	else
		cp "$1" "$dst.tmp.$$" && sync "$dst.tmp.$$" && mv -f "$dst.tmp.$$" "$dst"
	fi
}

# ---- silver ----

# silver TABLE SOURCE CONTRACT PARTKEY KEY [MODE...]: validate the bronze
# files of SOURCE that TABLE has not consumed, then rebuild each partition
# their records fall into, and each partition the key index says already
# holds one of their keys, from its old records followed by the new ones,
# deduplicated by KEY over the whole table (MODE: the mx-dedup options
# that choose the record kept); mark those partitions dirty for gold.
silver() {
	local table=$1 src=$2 contract=$3 pkey=$4 key=$5 cons pdir idx d
	local old=0 dstats split=''
	local -a bz stream=()
	local -A wrote
	shift 5
	cons="$LAKE/_state/consumed/$table"
	idx="$LAKE/_state/keys/$table.idx"
	pdir="$LAKE/silver/$table"
	touch "$cons"
	# in the order of the runs that wrote them
	{
		(cd "$LAKE" && find "bronze/$src" -name 'part-*.ndjson.gz' \
		    2> /dev/null) | grep -vxF -f "$cons"
		[ -z "$REPROCESS_FROM" ] || reprocess_list "$src"
	} | LC_ALL=C sort -u -t / -k 4 > "$WORK/todo.$table"
	if [ ! -s "$WORK/todo.$table" ]; then
		NOTE="nothing new"
		return 0
	fi
	# a table of an older lake, or one whose index was lost: index it
	if [ ! -e "$idx" ] && has_parts "$pdir"; then
		mx-index -i "$idx" -k "$key" --memory "$MEMORY" \
		    put -d "$pdir" --all || return 1
	fi
	mapfile -t bz < "$WORK/todo.$table"
	SPLITNOTE=''
	if split_exact "$contract" "$pkey" "$@"; then
		split=$LAKE/_state/hostwork/$table
		stage "$table" "$contract" "$pkey" "$key" "$@" -- "${bz[@]}" ||
		    return 1
	else
		# (a run on hosts that was killed left its work)
		[ ! -e "$LAKE/_state/hostwork/$table" ] ||
		    rm -rf "$LAKE/_state/hostwork/$table" || return 1
		# (on one job, a table not yet written: its records go
		# straight to mx-dedup, which reads them as they come)
		cores
		if [ "$JOBS" = 1 ] && ! has_parts "$pdir"; then
			NEW=() stream=("$table" "$contract" "${bz[@]}")
		else
			validate "$table" "$contract" "${bz[@]}" || return 1
		fi
	fi
	[ ${#stream[@]} -gt 0 ] || validated "$table" || return 1
	# the partitions of the new records, and those holding their keys
	# (a table not yet written has neither: its first build, at 10M
	# events, is 6 s faster without a pass that would find nothing)
	if [ -n "$split" ]; then
		: # (stage found them)
	elif has_parts "$pdir"; then
		mx-index -i "$idx" -k "$key" --memory "$MEMORY" find \
		    -p "$pkey" "${NEW[@]}" > "$WORK/touched.$table" || return 1
	else
		: > "$WORK/touched.$table"
	fi
	# all old records first, so that keeping the first keeps the old,
	# then the new ones in the order they came (--last keeps the last)
	while IFS= read -r d; do
		old_files "$pdir" "$d" || return 1
	done < "$WORK/touched.$table" > "$WORK/union.$table" || return 1
	if [ -s "$WORK/union.$table" ]; then
		old=$(manifest_records "$WORK/union.$table") ||
		    old=$(xargs -d '\n' cat -- < "$WORK/union.$table" |
		    wc -l) || return 1
	fi
	# what the table held before this run first touched it (a resumed
	# run finds the partitions rebuilt already)
	# (no ':' in a name: not every S3 mount takes one)
	if [ -s "$STEPS/${STEP//:/_}.old" ]; then
		old=$(cat "$STEPS/${STEP//:/_}.old")
	else
		into "$STEPS/${STEP//:/_}.old" echo "$old" || return 1
	fi
	dstats="$STEPS/${STEP//:/_}.dedup"
	[ ! -s "$dstats" ] || dstats="$WORK/dedup.$table"
	# (the key index of what it writes, made as it writes: the index
	# then learns it without reading the partitions back)
	wrote=()
	if [ -n "$split" ]; then
		split_jobs "$table" "$pdir" "$pkey" "$key" "$dstats" ||
		    return 1
	else
		if [ ${#stream[@]} -gt 0 ]; then
			echo - >> "$WORK/union.$table"
		else
			printf '%s\n' "${NEW[@]}" >> "$WORK/union.$table"
		fi
		# (-j 2 or more: mx-partition scans on a second thread)
		cores
		guard_union "$table" "$key" "$dstats" "$@" |
		    mx-partition -d "$pdir" -k "$pkey" -m overwrite --trusted \
		    --threads $((JOBS < 64 ? JOBS : 64)) \
		    --run "$RUN" --index "$WORK/keys.$table" \
		    --index-key "$key" > "$WORK/wrote.$table" || return 1
		if [ ${#stream[@]} -gt 0 ]; then
			validate_merge "$table" ${#bz[@]} && validated "$table" ||
			    return 1
		fi
		SPLITFROM=(--from "$WORK/keys.$table")
		wrote_paths "$WORK/wrote.$table" || return 1
		while IFS= read -r d; do
			d=${d#"$pdir/"}
			wrote[${d%/*}]=1
		done < "$WORK/wrote.$table.paths"
	fi
	# a partition whose every record went to another is gone: one this
	# pass did not write (a resumed run finds its own files of an earlier
	# attempt there, so their names cannot tell; a rerun finds the same,
	# so a kill here is finished by the next run)
	while IFS= read -r d; do
		if [ -d "$pdir/$d" ] && [ -z "${wrote[$d]:-}" ]; then
			rm -rf "${pdir:?}/$d" || return 1
		fi
	done < "$WORK/touched.$table"
	# the partitions touched: those found, and those written
	{
		[ ${#wrote[@]} -eq 0 ] || printf '%s\n' "${!wrote[@]}"
		cat "$WORK/touched.$table"
	} | sort -u > "$WORK/touched2.$table" &&
	    mv -f "$WORK/touched2.$table" "$WORK/touched.$table" || return 1
	unset 'TPARTS[$table]'
	C_DUP=$(stat_of "$STEPS/${STEP//:/_}.dedup" duplicates)
	C_OUT=$(($(stat_of "$STEPS/${STEP//:/_}.dedup" out) - old))
	NOTE="$(wc -l < "$WORK/touched.$table") partitions$SPLITNOTE"
	unmapped_note "$WORK/valid.$table" && keep_counts || return 1
	crashpoint "silver:$table"
	# gold learns of the partitions, its partials start (gold_early)
	# while the index learns where the keys are now, then silver forgets
	# the input.  (Any kill before that is redone from the input, which
	# the crashpoint above tests: a partition marked dirty once more is
	# read once more, and an index that did not learn is what the
	# crashpoint leaves.  The 1M-event lake's index took 0.13-0.26 s
	# with both cores otherwise idle.)
	touch "$LAKE/_state/dirty/$table"
	into "$LAKE/_state/dirty/$table" sort -u "$LAKE/_state/dirty/$table" \
	    "$WORK/touched.$table" || return 1
	gold_early "$table"
	# (no index of what was written: nothing was, put reads nothing)
	[ ${#SPLITFROM[@]} -gt 0 ] || SPLITFROM=(-d "$pdir")
	xargs -r -d '\n' mx-index -i "$idx" -k "$key" \
	    put "${SPLITFROM[@]}" -- < "$WORK/touched.$table" || return 1
	[ -z "$split" ] || rm -rf "$split" || return 1
	into "$cons" sort -u "$cons" "$WORK/todo.$table"
}

# has_parts DIR: true when the table at DIR has a partition.  (A first
# build that failed leaves the table's directory, empty: the next run
# builds it as new, not as an update that finds nothing to update.)
has_parts() {
	local d
	for d in "$1"/*=*; do
		[ ! -d "$d" ] || return 0
	done
	return 1
}

# validate TABLE CONTRACT FILE...: mx-validate the bronze FILEs (paths in
# the lake) for TABLE, a process a file, -j at once (bronze is cut every
# 250,000 records for it: the 1M lake's validation 1.57 s -> 0.84 s on two
# cores); their records, in the files' order, in the files NEW, their
# rejects put together in $WORK/rejects.TABLE and their counts in
# $WORK/valid.TABLE, as one process over all the files would have
# written them (but for map='s first 100 unmapped values, counted a file
# at a time).  (gzip is read by the tools themselves.)
NEW=()
validate() {
	local table=$1 contract=$2 i
	shift 2
	NEW=()
	# (the first to fail stops the launching: a contract's mistake is
	# said by the processes started, not once a file)
	for ((i = 0; i < $#; i++)); do
		NEW+=("$WORK/new.$table.$i.ndjson")
		bg_go validate_one "$table" "$contract" "$i" "${@:i + 1:1}" ||
		    break
	done
	bg_end && validate_merge "$table" $#
}

# validate_merge TABLE N: the rejects and counts of N validations (0 to
# N-1) put together, as one validation of all their files gives them.
validate_merge() {
	local table=$1 n=$2 i
	if [ "$n" = 1 ]; then
		mv -f "$WORK/rejects.$table.0" "$WORK/rejects.$table" &&
		    mv -f "$WORK/valid.$table.0" "$WORK/valid.$table"
		return
	fi
	for ((i = 0; i < n; i++)); do
		cat -- "$WORK/rejects.$table.$i"
	done > "$WORK/rejects.$table" || return 1
	for ((i = 0; i < n; i++)); do
		cat -- "$WORK/valid.$table.$i"
	done | jq -cs '
	    map(select(has("tool"))) as $t |
	    ($t[0] + (["files", "in", "valid", "rejected", "blank"] |
		map({(.): (. as $f | $t | map(.[$f]) | add)}) | add)),
	    (reduce (.[] | select(has("tool") | not)) as $l ({k: [], m: {}};
		([$l.field, $l.rule, (if $l | has("unmapped") then
		    [$l.unmapped] else [] end)] | tojson) as $key |
		if .m[$key] == null then .k += [$key] | .m[$key] = $l
		else .m[$key] |= (if has("failed") then
		    .failed += $l.failed else . end |
		    if has("records") then .records += $l.records else . end)
		end) | .m[.k[]])' > "$WORK/valid.$table"
}

# validate_one TABLE CONTRACT I FILE [OUT]: validate's job I, its
# records in OUT (the file NEW[I] by default).
validate_one() {
	cd "$LAKE" && exec mx-validate -c "$2" --rejects "$WORK/rejects.$1.$3" \
	    --stats "$WORK/valid.$1.$3" "$4" > "${5:-$WORK/new.$1.$3.ndjson}"
}

# validate_stream TABLE CONTRACT FILE...: validate on one job, for
# silver's guard_union: the records of each file on standard output, a
# file after the other; the rejects and counts of each as validate leaves
# them, for validate_merge.  On one core, mx-dedup's first pass took 5.5 s
# of the 10M-event lake's silver alone, once validate was done; reading
# the records as they are validated, it runs on the other core, beside.
# (Only for a table not yet written: otherwise the partitions holding the
# new keys, whose records come first, are known once all are validated.)
validate_stream() {
	local table=$1 contract=$2 i
	shift 2
	for ((i = 0; i < $#; i++)); do
		(validate_one "$table" "$contract" "$i" "${@:i + 1:1}" \
		    /dev/stdout) || return 1
	done
}

# validated TABLE: the rejects of validate published, its counts taken.
validated() {
	publish "$WORK/rejects.$1" \
	    "rejects/$1/ingest_date=$TODAY/$RUN-validate.ndjson" || return 1
	C_IN=$(stat_of "$WORK/valid.$1" in)
	C_REJ=$(stat_of "$WORK/valid.$1" rejected)
}

# old_files ROOT D: the data files of the partition D of the table at
# ROOT, one a line, that a rebuild of D reads first: none when D is gone
# or rebuilt by --reprocess from bronze alone.  (On an S3 mount a killed
# run's files stand beside the published ones until mx-partition sweeps
# them, at its start, while mx-dedup reads: there, a partition is the
# files its manifest names.)
old_files() {
	local -a f
	if [ ! -d "$1/$2" ] || reprocessing "$2"; then
		return 0
	elif [ "$S3" = 1 ]; then
		[ ! -f "$1/$2/_SUCCESS" ] || manifest_files "$1/$2"
		return
	fi
	f=("$1/$2"/part-*.ndjson)
	[ ${#f[@]} -eq 0 ] || printf '%s\n' "${f[@]}"
}

# wrote_paths FILE: the paths of the files mx-partition's output FILE
# lists, one a line, in FILE.paths; read here, not by a jq, when no path
# has an escape in it (a jq took 0.05-0.15 s, all else waiting for it).
wrote_paths() {
	local l
	if grep -qF -e "\\" "$1"; then
		jq -r .path "$1" > "$1.paths"
		return
	fi
	while IFS= read -r l; do
		[[ $l =~ ^\{\"path\":\"([^\"]*)\" ]] || return 1
		printf '%s\n' "${BASH_REMATCH[1]}"
	done < "$1" > "$1.paths"
}

# ---- silver on the hosts ----

# A table rebuilt a partition at a time on the hosts of --hosts gives
# the bytes of one rebuild here when a key's winner is known from the
# names of the partitions holding it: with --latest-by F (--earliest-by
# F) and partitions by date, month or year of F, it is in the latest
# (earliest) of them, since equal times fall in one partition; the
# contract makes F a required timestamp, so every record's F is one
# (mx-dedup takes the kind of the field from its first value).  Each
# partition then drops the keys whose winner is elsewhere (mx-dedup
# --seen, from mx-index drops) and deduplicates its old records followed
# by its new ones, as the whole table's dedup orders them.  (--first and
# --last depend on the order of partitions, other partition keys are not
# monotonic in F, and --reprocess drops old records: those stay here.)
# split_exact CONTRACT PKEY MODE...: true when the table can be split;
# SPLITWIN is then drops' option for the winner.
SPLITWIN=()
split_exact() {
	[ ${#HOSTARGS[@]} -gt 0 ] && [ -z "$REPROCESS_FROM" ] &&
	    [ $# = 4 ] || return 1
	case $3 in
	--latest-by) SPLITWIN=() ;;
	--earliest-by) SPLITWIN=(--earliest) ;;
	*) return 1 ;;
	esac
	[[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*=(date|month|year)\((.*)\)$ ]] &&
	    [ "${BASH_REMATCH[2]}" = "$4" ] || return 1
	awk -v f="$4" '$1 == f && $2 == "timestamp" {
		for (i = 3; i <= NF; i++) if ($i == "required") ok = 1 }
	    END { exit !ok }' "$1"
}

# The script the hosts run, $split/job, as `job COMMAND LIST OUT BASE`,
# the contract beside it: `stage` validates each bronze file of LIST
# (lines "I<tab>FILE", FILE relative to BASE, as the rejects name it)
# into a stage S, its partitions apart, with their key index S.idx and
# the validation's S.rej and S.valid, S's name (relative to OUT) then
# in OUT/s.I; `dedup` deduplicates each partition job of LIST (lines
# "K<tab>FILE", FILE holding its drop list or an empty line, then its
# files) into a table P of its own, written by mx-partition as the
# table's would be, with its key index P.idx and the counts P.stats,
# P's name then in OUT/p.K.  The paths are the
# hosts' (the lake's, or those parallel sent).  A job run again starts
# over: parallel retries a failed batch on another host, and a host that
# lost its session may still be finishing it, so a job writes under
# names of its own, and renames files once whole (never a directory: a
# rename on an S3 mount is a copy, which some servers refuse under keys
# with '=').
split_script() {
	local mode
	printf -v mode '%q ' "${@:3}"
	printf '%s\n' '#!/bin/bash' 'set -o pipefail'
	printf 'RUN=%q PKEY=%q KEY=%q MEM=%q MODE=(%s)\n' "$RUN" "$1" "$2" \
	    "$MEMORY" "$mode"
	cat << 'EOF'
C=${0%/*}/contract L=$2 O=$3 t=${HOSTNAME:-host}.$$
[[ $C == /* ]] || C=$PWD/$C
[[ $L == /* ]] || L=$PWD/$L
[[ $O == /* ]] || O=$PWD/$O
cd -- "$4" || exit 1
case $1 in
stage)
	while IFS=$'\t' read -r i f; do
		s=s.$i.$t
		mx-validate -c "$C" --rejects "$O/$s.rej" --stats "$O/$s.valid" \
		    "$f" |
		    mx-partition -d "$O/$s" -k "$PKEY" -m overwrite --no-sync \
		    --trusted --run "$RUN" --index "$O/$s.idx" --index-key "$KEY" \
		    > /dev/null &&
		    echo "$s" > "$O/$s.name" && mv -f "$O/$s.name" "$O/s.$i" ||
		    exit 1
	done < "$L"
	;;
dedup)
	while IFS=$'\t' read -r k j; do
		f=() seen=() p=p.$k.$t
		{
			IFS= read -r s
			while IFS= read -r l; do
				f+=("$l")
			done
		} < "$j" || exit 1
		if [ -n "$s" ]; then
			cp -- "$s" "$O/$p.seen" && seen=(--seen "$O/$p.seen") ||
			    exit 1
		fi
		mx-dedup -k "$KEY" "${MODE[@]}" --memory "$MEM" "${seen[@]}" \
		    --trusted --stats "$O/$p.stats" -- "${f[@]}" < /dev/null |
		    mx-partition -d "$O/$p" -k "$PKEY" -m overwrite --trusted \
		    --run "$RUN" --index "$O/$p.idx" --index-key "$KEY" \
		    > /dev/null &&
		    echo "$p" > "$O/$p.name" && mv -f "$O/$p.name" "$O/p.$k" ||
		    exit 1
	done < "$L"
	;;
*)
	exit 2
	;;
esac
EOF
}

# split_run COMMAND N WHAT: the N jobs of $split/jobs.COMMAND (a line
# each) run by the hosts, in batches as jobs_run hands out gold's; the
# output of job I (its stage, its table) in RES[I]; their hosts in
# SPLITNOTE, as WHAT.  On shared storage a batch is its list; with
# --no-shared it is a directory of its list, the script, the contract
# and the files its jobs read (linked), sent to the host, its outputs
# brought back in r.COMMAND.C (split_send).
SPLITNOTE=''
RES=()
split_run() {
	local c i save rc=0 ptr=p
	local -a l
	[ "$1" != stage ] || ptr=s
	RES=()
	mapfile -t l < "$split/jobs.$1"
	batches $((2 * HOSTSLOTS)) "$2"
	if [ "$SHARED" = 1 ]; then
		for c in "${!BATCH[@]}"; do
			for i in ${BATCH[c]}; do
				printf '%s\n' "${l[i]}"
			done > "$split/b.$1.$c" || return 1
			printf 'bash %q %s %q %q %q\n' "$split/job" "$1" \
			    "$split/b.$1.$c" "$split" "$LAKE"
		done | hosts_parallel || rc=1
		for ((i = 0; rc == 0 && i < $2; i++)); do
			RES[i]=$split/$(cat "$split/$ptr.$i") || return 1
		done
	else
		for c in "${!BATCH[@]}"; do
			split_send "$1" "$c" || return 1
			printf 'x.%s.%d\tr.%s.%d\n' "$1" "$c" "$1" "$c"
		done > "$split/send.$1" || return 1
		(cd "$split" && hosts_parallel --wd ... --colsep '\t' \
		    --transferfile '{1}' --return '{2}' --cleanup \
		    "mkdir -p {2} && bash {1}/job $1 {1}/list {2} {1}" \
		    < "send.$1") || rc=1
		for c in "${!BATCH[@]}"; do
			[ $rc = 0 ] || break
			rm -r "$split/x.$1.$c" || return 1
			for i in ${BATCH[c]}; do
				RES[i]=$split/r.$1.$c/$(cat \
				    "$split/r.$1.$c/$ptr.$i") || return 1
			done
		done
	fi
	save=$NOTE NOTE=''
	host_note
	SPLITNOTE+=${NOTE:+; $3 hosts: ${NOTE#hosts: }}
	NOTE=$save
	return $rc
}

# split_send COMMAND C: the directory x.COMMAND.C of batch C, its files
# named relative to it (the job's BASE; a bronze file by its path in
# the lake).  (In split_run's variables.)
split_send() {
	local x="$split/x.$1.$2" i k j n IFS
	local -a in
	mkdir "$x" && cp -- "$split/job" "$split/contract" "$x" || return 1
	for i in ${BATCH[$2]}; do
		IFS=$'\t' read -r k j <<< "${l[i]}"
		if [ "$1" = stage ]; then
			mkdir -p "$x/${j%/*}" && link "$LAKE/$j" "$x/$j" &&
			    printf '%s\t%s\n' "$k" "$j" || return 1
			continue
		fi
		mapfile -t in < "$j"
		if [ -n "${in[0]}" ]; then
			link "${in[0]}" "$x/d.$k" && in[0]=d.$k || return 1
		fi
		for ((n = 1; n < ${#in[@]}; n++)); do
			link "${in[n]}" "$x/f.$k.$n" && in[n]=f.$k.$n || return 1
		done
		printf '%s\n' "${in[@]}" > "$x/j.$k" &&
		    printf '%s\t%s\n' "$k" "j.$k" || return 1
	done > "$x/list"
}

# link FILE NEW: NEW is FILE (a hard link, or a copy where there is none).
link() {
	ln -- "$1" "$2" 2> /dev/null || cp -- "$1" "$2"
}

# stage TABLE CONTRACT PKEY KEY MODE... -- FILE...: the hosts validate
# each bronze FILE and partition its records apart (split_script); here,
# the rejects and counts as validate() leaves them, the partitions
# touched (the new records', and those of the table holding their keys)
# in $WORK/touched.TABLE, and the keys each must drop in
# $WORK/drops.TABLE (partition, tab, MXKEYSET).
NBZ=0
stage() {
	local table=$1 contract=$2 pkey=$3 key=$4 i
	local -a mode=() idxs=()
	shift 4
	while [ "$1" != -- ]; do
		mode+=("$1")
		shift
	done
	shift
	rm -rf "$split" && mkdir -p "$split/drops" &&
	    cp -- "$contract" "$split/contract" &&
	    split_script "$pkey" "$key" "${mode[@]}" > "$split/job" ||
	    return 1
	NBZ=$#
	for ((i = 0; i < $#; i++)); do
		printf '%d\t%s\n' "$i" "${@:i + 1:1}"
	done > "$split/jobs.stage" || return 1
	split_run stage $# validation || return 1
	STAGE=("${RES[@]}")
	for ((i = 0; i < $#; i++)); do
		cp -- "${STAGE[i]}.rej" "$WORK/rejects.$table.$i" &&
		    cp -- "${STAGE[i]}.valid" "$WORK/valid.$table.$i" || return 1
		[ ! -e "${STAGE[i]}.idx" ] || idxs+=("${STAGE[i]}.idx")
	done
	validate_merge "$table" $# || return 1
	mx-index -i "$idx" -k "$key" drops \
	    "${SPLITWIN[@]}" -o "$split/drops" -- "${idxs[@]}" \
	    > "$split/drops.list" || return 1
	{ grep "$(printf '\t')" "$split/drops.list" || true; } \
	    > "$WORK/drops.$table" &&
	{
		cut -f 1 "$split/drops.list"
		for ((i = 0; i < $#; i++)); do
			partitions "${STAGE[i]}"
		done
	} | LC_ALL=C sort -u > "$WORK/touched.$table"
}

# split_jobs TABLE PDIR PKEY KEY DSTATS: each touched partition of PDIR
# deduplicated on the hosts, its old files then its new ones, less the
# keys whose winner is in another, and written apart (split_script);
# their counts summed in DSTATS; then published here, as one mx-partition
# writing them all would have: on a local file system the partitions the
# hosts wrote are moved in (mx-partition --adopt), on an S3 mount, where
# a directory cannot be moved in one step, their files are partitioned
# again.  The partitions written in wrote[], the index of what they hold
# in the --from options of SPLITFROM.
SPLITFROM=()
split_jobs() {
	local table=$1 pdir=$2 pkey=$3 key=$4 dstats=$5 d s k i
	local -a tp f roots=() files=()
	local -A drop=()
	while IFS=$'\t' read -r d s; do
		drop[$d]=$s
	done < "$WORK/drops.$table"
	mapfile -t tp < "$WORK/touched.$table"
	for ((k = 0; k < ${#tp[@]}; k++)); do
		d=${tp[k]}
		{
			printf '%s\n' "${drop[$d]:-}"
			old_files "$pdir" "$d" || return 1
			for ((i = 0; i < NBZ; i++)); do
				f=("${STAGE[i]}/$d"/part-*.ndjson)
				[ ${#f[@]} -eq 0 ] || printf '%s\n' "${f[@]}"
			done
		} > "$split/j.$k" || return 1
		printf '%d\t%s\n' "$k" "$split/j.$k"
	done > "$split/jobs.dedup" || return 1
	RES=()
	if [ ${#tp[@]} -gt 0 ]; then
		split_run dedup "${#tp[@]}" rebuild || return 1
	fi
	SPLITFROM=()
	: > "$WORK/split.stats" || return 1
	for ((k = 0; k < ${#tp[@]}; k++)); do
		cat -- "${RES[k]}.stats" >> "$WORK/split.stats" || return 1
		[ -d "${RES[k]}/${tp[k]}" ] || continue
		wrote[${tp[k]}]=1
		roots+=(--adopt "${RES[k]}")
		SPLITFROM+=(--from "${RES[k]}.idx")
		f=("${RES[k]}/${tp[k]}"/part-*.ndjson)
		files+=("${f[@]}")
	done
	into "$dstats" jq -cs '{duplicates: (map(.duplicates + .seen) |
	    add // 0), out: (map(.out) | add // 0)}' "$WORK/split.stats" ||
	    return 1
	if [ "$S3" = 1 ]; then
		mx-partition -d "$pdir" -k "$pkey" -m overwrite --run "$RUN" \
		    --index "$WORK/keys.$table" --index-key "$key" \
		    "${files[@]}" < /dev/null > /dev/null &&
		    SPLITFROM=(--from "$WORK/keys.$table")
	elif [ ${#roots[@]} -gt 0 ]; then
		mx-partition -d "$pdir" -m overwrite --run "$RUN" "${roots[@]}"
	fi
}

# manifest_files DIR: the files the manifest of the partition DIR names,
# as DIR/FILE.
manifest_files() {
	local l
	while IFS= read -r l; do
		[[ ! $l =~ \"file\":\"([^\"\\]*)\" ]] ||
		    printf '%s\n' "$1/${BASH_REMATCH[1]}"
	done < "$1/_SUCCESS"
}

# manifest_records LIST: the records of the files of LIST (one path a
# line), as the manifests (_SUCCESS) of their partitions count them, or
# false when a partition has none or its manifest names other files: then
# they are counted by reading them.  (5 partitions of the 10M lake, 1.6M
# records: 0.6 s read, against an awk over 5 lines.)
manifest_records() {
	local f
	local -a m=()
	local -A dirs=()
	while IFS= read -r f; do
		dirs[${f%/*}]=1
	done < "$1"
	for f in "${!dirs[@]}"; do
		[ -f "$f/_SUCCESS" ] || return 1
		m+=("$f/_SUCCESS")
	done
	# shellcheck disable=SC2016
	awk -v list="$1" '
	BEGIN { while ((getline f < list) > 0) { want[f] = 1; n++ } }
	FNR == 1 { d = FILENAME; sub(/\/_SUCCESS$/, "", d) }
	{
		if (!match($0, /"file":"[^"\\]*"/)) { bad = 1; exit }
		f = d "/" substr($0, RSTART + 8, RLENGTH - 9)
		if (!(f in want) || !match($0, /"records":[0-9]+/)) {
			bad = 1
			exit
		}
		sum += substr($0, RSTART + 10, RLENGTH - 10)
		k++
	}
	END { if (bad || k != n) exit 1; printf "%.0f\n", sum }' "${m[@]}"
}

# The partitions of a silver table, found once a run (silver() forgets
# them when it rewrites the table).  (Called in a subshell, as in <(...),
# it finds them again: parts_of finds them here first.)
declare -A TPARTS=()
table_parts() {
	[ -n "${TPARTS[$1]+set}" ] || TPARTS[$1]=$(partitions "$LAKE/silver/$1")
	[ -z "${TPARTS[$1]}" ] || printf '%s\n' "${TPARTS[$1]}"
}

# parts_of ARRAY TABLE...: the partitions of the silver TABLEs, sorted,
# in ARRAY.  (An array by name, which shellcheck cannot see.)
# shellcheck disable=SC2034
parts_of() {
	local -n parts_a=$1
	local t
	shift
	for t; do
		table_parts "$t" > /dev/null
	done
	if [ $# -eq 1 ]; then
		parts_a=()
		[ -z "${TPARTS[$1]}" ] || mapfile -t parts_a <<< "${TPARTS[$1]}"
	else
		mapfile -t parts_a < <(for t; do table_parts "$t"; done |
		    sort -u)
	fi
}

# The partitions below DIR: directories that hold data files, as paths
# relative to DIR, sorted.  Hive names escape control characters, so a
# name is one line.
partitions() {
	[ -d "$1" ] || return 0
	(cd "$1" && find . -name 'part-*.ndjson' -printf '%h\n') |
	    sed 's|^\./||' | LC_ALL=C sort -u
}

# Values a contract's map= did not know (mx-validate --stats): in the
# run log's note, never dropped.
unmapped_note() {
	local u
	u=$(jq -r 'select(.rule == "map") |
	    "\(.field)=\(.unmapped // "(others)") (\(.records))"' "$1" |
	    paste -sd ' ' -) || return 1
	[ -z "$u" ] || NOTE="${NOTE:+$NOTE; }unmapped: $u"
}

# --reprocess N reads again the bronze files of the last N ingest dates.
# A contract holds event time <= ingestion time, so they hold every record
# of the partitions dated from then on, which are rebuilt from them alone;
# older partitions they touch (late records) are merged as usual.
reprocess_list() {
	(cd "$LAKE" && find "bronze/$1" -name 'part-*.ndjson.gz') |
	    awk -F / -v from="ingest_date=$REPROCESS_FROM" '$3 >= from'
}

reprocessing() {
	local v=${1#*=}
	[ -n "$REPROCESS_FROM" ] && ! [ "$v" \< "$REPROCESS_FROM" ]
}

# ---- alerts ----

# alert STATE: the user's alert command (--alert, or the configuration's
# executable file alert) gets one JSON object on its standard input that
# sums up this attempt of the run: failed (a step failed: it stops the
# run) or warn (it finished with warnings: a stale source, a test that
# warned, a slow step).  A failure or warning already alerted in this run
# (the same steps and tests in the same states) is not alerted again when
# the run is resumed; a new run alerts anew, once.  An alert command that
# fails is said, and tried again by the next run; it never fails the run.
alert() {
	local state=$1 cmd sig sent="$LAKE/_state/alerts" rc=0
	cmd=$ALERT
	if [ -z "$cmd" ] && [ -n "$CONF" ] && [ -x "$CONF/alert" ]; then
		printf -v cmd '%q' "$CONF/alert"
	fi
	[ -n "$cmd" ] || return 0
	alert_summary "$state" > "$WORK/alert.json" || return 0
	[ "$state" = failed ] ||
	    [ "$(jq -r '.warnings + .tests | length' "$WORK/alert.json")" != 0 ] ||
	    return 0
	# what makes two alerts the same alert: not times, not attempts
	sig=$(jq -c '[.state, [.failed_steps[].step],
	    [.warnings[].step], [.tests[] | [.table, .test, .state, .failing]]]' \
	    "$WORK/alert.json" | cksum) || return 0
	sig="${RUN} ${sig%% *}"
	if grep -qxF "$sig" "$sent" 2> /dev/null; then
		say "alert: already sent for this $state of run $RUN"
		return 0
	fi
	sh -c "$cmd" < "$WORK/alert.json" > /dev/null || rc=$?
	if [ $rc -ne 0 ]; then
		say "alert: the command failed (exit $rc); the next run sends it again"
		return 0
	fi
	printf '%s\n' "$sig" >> "$sent"
	say "alert: sent ($state)"
}

# The summary of this attempt of the run, from the run log: its steps
# that failed, and those that warned or were slow, the tests that did not
# pass with the file of their failing rows, its counts.
alert_summary() {
	jq -cs --arg r "$RUN" --argjson a "$ATTEMPT" --arg state "$1" \
	    --arg lake "$LAKE" '
	    map(select(.run == $r and (.attempt // 1) == $a)) as $l
	    | ($l | map(select(.test == null))) as $s
	    | ($l | map(select(.test != null and .state != "pass"))) as $t
	    | {run: $r, attempt: $a, state: $state, lake: $lake,
	       failed_steps: [$s[] | select(.state == "failed")
		| {step, note: (.note // null)}],
	       warnings: [$s[] | select(.state == "warn" or .slow != null)
		| {step, note: (.note // null), slow: (.slow // null)}],
	       tests: [$t[] | {table, test, kind, severity, state, failing,
		rows, stored: (if .stored then $lake + "/" + .stored
		    else null end)}],
	       counts: {steps: ($s | length),
		in: ([$s[] | select(.step | startswith("bronze:")) | .in] | add // 0),
		rejected: ([$s[] | .rejected // 0] | add // 0),
		duplicates: ([$s[] | .duplicates // 0] | add // 0)}}
	    | .message = "lake \($lake): run \($r) " +
		(if $state == "failed" then "failed at " +
		    ([.failed_steps[].step] | join(", "))
		 else "finished with warnings: " +
		    ([.warnings[].step] + [.tests[] | "\(.table) \(.test)"]
		    | join(", ")) end)' "$LAKE/_runs.ndjson"
}

# ---- source freshness ----

# freshness SOURCE: how long ago the newest raw file of SOURCE taken in
# (its mtime, in the ledger) was written, against the source's rule
# (freshness_rule): past warn_after, a warning, and the run goes on; past
# error_after, the run fails, naming the source.  Now is this attempt's
# time (SOURCE_DATE_EPOCH when set), so that a rerun gives the same answer.
# Raw files removed once taken in still count: the ledger has them.
freshness() {
	local src=$1 w e newest age h
	freshness_rule "$src" || return 1
	w=$FW e=$FE
	if [ "$QUIET" = 1 ]; then
		newest=$NEWEST
	else
		newest=$(jq -s 'map(.mtime) | max // empty' \
		    "$LAKE/_state/ledger/$src.ndjson" 2> /dev/null) || newest=''
		QUIET_FRESH+=("$src ${newest:--}")
	fi
	[ "$newest" != - ] || newest=''
	if [ -z "$newest" ]; then
		NOTE="no raw file taken in yet"
		age=$((NOW + 1))
	else
		age=$((NOW - ${newest%.*}))
		[ $age -ge 0 ] || age=0
		hours h "$age"
		NOTE="newest raw file $h h old"
	fi
	hours h "$w"
	NOTE="$NOTE; warn after $h h"
	hours h "$e"
	NOTE="$NOTE, error after $h h"
	[ "$w" != 0 ] || NOTE=${NOTE/warn after 0.0 h, /}
	[ "$e" != 0 ] || NOTE=${NOTE/, error after 0.0 h/}
	if [ "$e" != 0 ] && [ $age -gt "$e" ]; then
		say "source $src is stale: $NOTE"
		FAILED="no new raw file of $src for too long; the next run checks it again"
		return 1
	fi
	if [ "$w" != 0 ] && [ $age -gt "$w" ]; then
		say "source $src warns: $NOTE"
		WARNED=1
	fi
}

# hours VAR SECONDS: in hours, to a tenth, into VAR (no fork).
hours() {
	printf -v "$1" '%d.%d' $(($2 / 3600)) $(($2 % 3600 * 10 / 3600))
}

# freshness_rule SOURCE: FW and FE, warn and error in seconds (0: none),
# from the first freshness file that names SOURCE (the configuration's,
# then the bundled one): lines "source warn_after=36h error_after=4d";
# false when none does.  A rule that cannot be read stops the run.
freshness_rule() {
	local d src rest opt w e
	local -a o
	for d in ${CONF:+"$CONF"} "$SHARE"; do
		[ -f "$d/freshness" ] || continue
		while read -r src rest; do
			[ "$src" = "$1" ] || continue
			read -ra o <<< "$rest"
			w=0 e=0
			for opt in "${o[@]}"; do
				case $opt in
				'#'*) break ;;
				warn_after=*) seconds w "${opt#*=}" ;;
				error_after=*) seconds e "${opt#*=}" ;;
				*) false ;;
				esac || die "$d/freshness: $src: $opt: warn_after=DURATION or error_after=DURATION (48h, 2d, 90m)"
			done
			FW=$w FE=$e
			return 0
		done < "$d/freshness"
	done
	return 1
}

# Every rule of the freshness files read, before any work: a mistake
# stops the run at once, naming the file.
freshness_check() {
	local d src rest
	for d in ${CONF:+"$CONF"} "$SHARE"; do
		[ -f "$d/freshness" ] || continue
		while read -r src rest; do
			case $src in
			''|'#'*) continue ;;
			esac
			freshness_rule "$src"
		done < "$d/freshness"
	done
}

# seconds VAR DURATION: 48h, 2d, 90m, 30s (hours when bare) in seconds
# into VAR; false when DURATION is none of those.
seconds() {
	local d=$2
	[[ $d =~ ^[0-9]{1,9}[dhms]?$ ]] || return 1
	case $d in
	*d) d=$((10#${d%d} * 86400)) ;;
	*h) d=$((10#${d%h} * 3600)) ;;
	*m) d=$((10#${d%m} * 60)) ;;
	*s) d=$((10#${d%s})) ;;
	*) d=$((10#$d * 3600)) ;;
	esac
	printf -v "$1" '%d' "$d"
}

# ---- SLAs ----

# The deadline of each gold table that has one, in minutes after
# midnight UTC (SLA[table]), from the sla files (the configuration's,
# then the bundled one; the first line naming a table wins): lines
# "table built_by=06:00".  Read once, before any work: a mistake stops
# the run at once, naming the file.
declare -A SLA=()
sla_load() {
	local d t rest opt m
	local -a o
	for d in ${CONF:+"$CONF"} "$SHARE"; do
		[ -f "$d/sla" ] || continue
		while read -r t rest; do
			case $t in
			''|'#'*) continue ;;
			esac
			read -ra o <<< "$rest"
			m=''
			for opt in "${o[@]}"; do
				case $opt in
				'#'*) break ;;
				built_by=[0-2][0-9]:[0-5][0-9])
					m=$((10#${opt:9:2} * 60 + 10#${opt:12:2}))
					[ $m -lt 1440 ] ;;
				*) false ;;
				esac || die "$d/sla: $t: $opt: built_by=HH:MM, a time of day (UTC)"
			done
			[ -n "$m" ] || die "$d/sla: $t: built_by=HH:MM is missing"
			[ -n "${SLA[$t]:-}" ] || SLA[$t]=$m
		done < "$d/sla"
	done
}

# sla_built TABLE MS: the gold step of TABLE succeeded (rebuilt, or found
# up to date) at MS, this attempt's time (SOURCE_DATE_EPOCH when set) plus the
# time the run has taken so far.  _state/sla/TABLE keeps the first such
# time of the day, and the day its miss was last said: "DAY MS SAID".
sla_built() {
	local sf="$LAKE/_state/sla/$1" day d=- ms=- said=-
	TZ=UTC printf -v day '%(%Y-%m-%d)T' $(($2 / 1000))
	[ ! -s "$sf" ] || read -r d ms said < "$sf"
	[ "$d" != "$day" ] || [ "$ms" = - ] || return 0
	mkdir -p "${sf%/*}" && into "$sf" echo "$day $2 $said"
}

# sla_check: every gold table whose deadline of today has passed and
# that was not built by then (late, or not at all: a failed run) gets a
# line "sla:TABLE" in the run log, at warn, which the alert of the run
# carries; said once a day per table, by the first run that sees it.
sla_check() {
	local t f now day d ms said dl m hm
	[ ${#SLA[@]} -gt 0 ] || return 0
	now_ms now
	now=$((NOW * 1000 + now - RUN_T0))
	TZ=UTC printf -v day '%(%Y-%m-%d)T' $((now / 1000))
	for t in "${!SLA[@]}"; do
		m=${SLA[$t]}
		dl=$(( (now / 86400000) * 86400000 + m * 60000 ))
		[ $now -gt $dl ] || continue
		f="$LAKE/_state/sla/$t"
		d=- ms=- said=-
		[ ! -s "$f" ] || read -r d ms said < "$f"
		[ "$said" != "$day" ] || continue
		printf -v hm '%02d:%02d' $((m / 60)) $((m % 60))
		if [ "$d" = "$day" ] && [ "$ms" != - ] && [ "$ms" -le $dl ]; then
			continue
		elif [ "$d" = "$day" ] && [ "$ms" != - ]; then
			TZ=UTC printf -v NOTE 'built at %(%H:%M:%S)T, after its deadline of %s UTC on %s' \
			    $((ms / 1000)) "$hm" "$day"
		else
			printf -v NOTE 'not built by its deadline of %s UTC on %s' "$hm" "$day"
		fi
		say "gold/$t missed its SLA: $NOTE"
		warn_line "sla:$t" "$now" "$NOTE"
		[ "$d" = "$day" ] || ms=-
		mkdir -p "${f%/*}" && into "$f" echo "$day $ms $day" || return 1
	done
}

# ---- data tests ----

# data_tests TABLE: the data tests of a silver table (mx-test, the file
# tests/silver/TABLE.tests of the configuration or the bundled ones),
# run when the gold that reads the table is to be rebuilt (the table is
# dirty), hence before it is.  A warning is said and the run goes on; an
# error stops the run before any gold reads the table, and the gold stays
# as it was.  The next run (the same run, resumed) tests the table again:
# fixing the data, or the test, lets it go on.
data_tests() {
	local t=$1 f rc=0
	if [ ! -s "$LAKE/_state/dirty/$t" ]; then
		NOTE="unchanged"
		return 0
	fi
	f=$(tests_file silver "$t") || { NOTE="no tests"; return 0; }
	# (every record of the table gone: nothing to read)
	[ -d "$LAKE/silver/$t" ] || { NOTE="no table"; return 0; }
	TMERGE=()
	test_parts "$t" "$f" || rc=$?
	gold_premerge "$t"
	case $rc in
	0)
		TMERGE=(--merge)
		run_tests "$t" "$f" "${TPART[@]}" || rc=$?
		# (a partial the merge refuses, damaged by a crash of the
		# machine, say: all of them made again, once)
		if [ $rc = 2 ]; then
			say "the partial tests of silver/$t are made again"
			rm -rf "$LAKE/_state/tests/$t" && rc=0 &&
			    test_parts "$t" "$f" &&
			    run_tests "$t" "$f" "${TPART[@]}" || rc=$?
		fi
		TMERGE=() ;;
	1)
		rc=0
		run_tests "$t" "$f" "silver/$t" || rc=$? ;;
	esac
	if [ $rc = 1 ]; then
		FAILED="the gold that reads silver/$t is not rebuilt; the next run tests it again ($f)"
		return 1
	elif [ $rc -ne 0 ]; then
		FAILED="the tests of silver/$t did not run ($f)"
		return 1
	fi
	C_IN=$TROWS C_OUT=$TROWS NOTE=$TNOTE
	[ -z "$TPNOTE" ] || NOTE+="; $TPNOTE"
}

# run_tests NAME TESTS TABLE...: mx-test runs the file TESTS over the
# files TABLE (paths in the lake), as the table NAME (a silver table's
# name, gold/NAME for a gold table), from the lake, so that tables named
# in tests are found there and the rows stored name their files as the
# lake does.  Each test's result is a line of the run log (with "test",
# beside the step's own line); the failing rows of each test that does
# not pass are stored in tests/NAME/<test>/RUN.ndjson.  Warnings are said.
# Sets TNOTE (how many passed, warned, failed) and TROWS (rows tested);
# 1, with FAILED set, when a test failed at error level, 2 when the tests
# could not run.
#
# The counts a row_count bound takes of a silver table are kept for the
# run (mx-test --cache, in $WORK): the tests of a silver table count, in
# their own pass, what the gold tests ask of it (--precount), and the
# gold tests then read no silver table for a count (four passes over
# silver/ecommerce_events fewer).  A resumed run counts them again.
run_tests() {
	local name=$1 f=$2 rc=0 nf=0 nw=0 np=0 st line out="$WORK/tests.out"
	local shown=$1 jr js log l t k n wn='' fn=
	local -a fails=() warns=() pre=()
	shift 2
	if [[ $name != gold/* ]]; then
		shown=silver/$name
		mapfile -t pre < <(precounts "$name")
	fi
	TNOTE='' TROWS=0
	empty_tables "$f" || return 2
	(cd "$LAKE" && mx-test "${TMERGE[@]}" --json -T . -T "$WORK/empty" \
	    --name "$name" --store tests --run "$RUN" \
	    --cache "$WORK/testcache" "${pre[@]}" -- "$f" "$@") \
	    > "$out" 2> "$out.err" || rc=$?
	if [ $rc -gt 1 ] || { [ $rc -eq 1 ] &&
	    ! grep -q '"state":"fail"' "$out"; }; then
		# not a test that failed: the file or the table is wrong
		cat "$out.err" >&2
		FAILED="the tests of $shown did not run ($f)"
		return 2
	fi
	crashpoint "test:$name"
	# mx-test's lines, read here without a jq each: every line is one
	# object of its own making, whose strings are test names and paths
	json_to jr "$RUN"
	json_to js "$STEP"
	log=''
	while IFS= read -r l; do
		t='' st='' k=0 n=0
		# (its "run", when it stored rows, is this run's: said first)
		l=${l/,\"run\":$jr/}
		log+="{\"run\":$jr,\"attempt\":$ATTEMPT,\"step\":$js,${l#\{}"$'\n'
		[[ $l =~ \"test\":\"(([^\"\\]|\\.)*)\" ]] && t=${BASH_REMATCH[1]}
		[[ $l =~ \"state\":\"([a-z]+)\" ]] && st=${BASH_REMATCH[1]}
		[[ $l =~ \"failing\":([0-9]+) ]] && k=${BASH_REMATCH[1]}
		[[ $l =~ \"rows\":([0-9]+) ]] && n=${BASH_REMATCH[1]}
		[ "$n" -le "$TROWS" ] || TROWS=$n
		line="$t: $k failing of $n rows"
		[[ ! $l =~ \"stored\":\"(([^\"\\]|\\.)*)\" ]] ||
		    line+=" (${BASH_REMATCH[1]})"
		case $st in
		pass) np=$((np + 1)) ;;
		warn) nw=$((nw + 1)); warns+=("$line"); wn+=" $t" ;;
		*) nf=$((nf + 1)); fails+=("$line"); fn+=" $t" ;;
		esac
	done < "$out"
	printf '%s' "$log" >> "$LAKE/_runs.ndjson" || return 1
	TNOTE="$np passed"
	[ $nw -eq 0 ] || TNOTE="$TNOTE; $nw warned:$wn"
	[ $nf -eq 0 ] || TNOTE="$TNOTE; $nf failed:$fn"
	for line in "${warns[@]}"; do
		say "test $shown warns: $line"
	done
	for line in "${fails[@]}"; do
		say "test $shown failed: $line"
	done
	[ $nf -eq 0 ] && return 0
	FAILED="$shown is not published, the previous one stays; the next run tests it again ($f)"
	return 1
}

# empty_tables TESTS: a silver table that a test of the file TESTS names
# and the lake does not have (its source has no raw data yet) is an empty
# table, as it was to the gold built without it: one in $WORK/empty, found
# after the lake's.
empty_tables() {
	local l
	while IFS= read -r l; do
		while [[ $l =~ =(silver/[A-Za-z0-9_]+)(.*) ]]; do
			l=${BASH_REMATCH[2]}
			[ -e "$LAKE/${BASH_REMATCH[1]}" ] ||
			    mkdir -p "$WORK/empty/${BASH_REMATCH[1]}" || return 1
		done
	done < "$1"
}

# test_parts TABLE TESTS: the tests of the silver TABLE made in parts, one
# partial a partition (mx-test --partial), kept in _state/tests/TABLE/
# under the partition's path (partial_name), and made again only when the
# partition (its manifest) or what a partial depends on (the test file,
# the --precount files, mx-test's version: a new build tests every
# partition again, once) changed.  The files count by their bytes and
# names, not their directories, as mx-test reads them: the same tests
# installed (share/mx) or in a --conf moved elsewhere keep the partials.
# Their paths, in the order of the partitions, in TPART, and in TPNOTE
# how many this run made.  False when the file cannot be tested in parts:
# a custom test runs its command over the whole table, and now() would be
# read when a partial was made, not by this run.  2 when a partial could
# not be made (mx-test's message said).
# A partial is written whole, then renamed (mx-test), and the .sigs once
# every partial of the run is made: a kill leaves a partial without its
# .sig, or with an old one, and it is made again.  The partitions a run
# makes partials of are written to $STEPS before they are made, so that a
# resumed run says what the first attempt would have said.  (The 10M-event
# lake, 39 partitions: 13.0 s whole, 6.9 s in parts on two jobs; 1,000
# events into it then make 7 of 40 partials again, and the merge of all
# reads 302 MB of key hashes: 1.2 s.)
TPART=() TPNOTE='' TMERGE=()
test_parts() {
	local t=$1 f=$2 dir="$LAKE/_state/tests/$1" p n s dep k
	local made="$STEPS/tests.$1"
	local -a parts pre todo=() sums=()
	local -A sum=() keep=()
	TPART=() TPNOTE=''
	! grep -qE '^[[:space:]]*custom([[:space:]]|$)|now\(' "$f" || return 1
	mapfile -t pre < <(precounts "$t")
	dep=$({ mx-test --version; cat -- "$f"
		for p in "${pre[@]}"; do
			[ "$p" = --precount ] ||
			    { echo "${p##*/}"; cat -- "$p"; }
		done; } | xxhsum -H2) || return 2
	dep=${dep%% *}
	parts_of parts "$t"
	[ ${#parts[@]} -gt 0 ] || return 1
	# (a partition without a manifest, not made by the lake, is tested
	# every time)
	for p in "${parts[@]}"; do
		[ ! -f "$LAKE/silver/$t/$p/_SUCCESS" ] || sums+=("$p/_SUCCESS")
	done
	if [ ${#sums[@]} -gt 0 ]; then
		(cd "$LAKE/silver/$t" && xxhsum -q -H2 -- "${sums[@]}") \
		    > "$WORK/sums.$t" || return 2
		while read -r s p; do
			sum[${p%/_SUCCESS}]=$s
		done < "$WORK/sums.$t"
	fi
	mkdir -p "$dir" || return 2
	for p in "${parts[@]}"; do
		partial_name n "$p"
		keep[$n.part]=1 keep[$n.sig]=1
		TPART+=("$dir/$n.part")
		s=''
		[ ! -f "$dir/$n.part" ] || [ ! -f "$dir/$n.sig" ] ||
		    read -r s < "$dir/$n.sig" || true
		[ -n "${sum[$p]:-}" ] && [ "$s" = "$dep ${sum[$p]}" ] ||
		    todo+=("$p")
	done
	# (partitions gone: their partials too; and what a killed mx-test
	# left, none running now)
	for p in "$dir"/* "$dir"/.*.tmp-*; do
		[ ! -e "$p" ] || [ -n "${keep[${p##*/}]:-}" ] || rm -f "$p" ||
		    return 2
	done
	[ ${#todo[@]} -eq 0 ] || printf '%s\n' "${todo[@]}" >> "$made" ||
	    return 2
	if [ ${#todo[@]} -gt 0 ] && [ ${#HOSTARGS[@]} -gt 0 ] &&
	    [ "$SHARED" = 1 ]; then
		test_hosts "$t" "$f" || return 2
		todo=()
	fi
	cores
	TCLAIM=$((TCLAIM + 1))
	for ((k = 0; k < JOBS && k < ${#todo[@]}; k++)); do
		bg_go test_batch "$k" || break
	done
	if ! bg_end; then
		# (the first to fail says why)
		cat "$WORK/partial.$BGFAIL.err" >&2
		return 2
	fi
	for p in "${todo[@]}"; do
		test_sig "$p" || return 2
	done
	TPNOTE="$(sort -u "$made" 2> /dev/null | wc -l) of ${#parts[@]} partitions read$TPNOTE"
}

# test_batch K: test_parts' job K (a background subshell), the partials
# of the partitions in todo that no other job took, one after another;
# the first that fails ends it, its message in $WORK/partial.K.err.  (In
# test_parts' variables.)  A job takes the next partition when it is done
# with one (a claim: a file made with O_EXCL), so that a job that got
# less of the cores (gold's partials run beside) does fewer: a share
# fixed in advance left one job alone for a second at the end of the
# 10M-event lake's tests.  A job a core, not a partition: a subshell and
# its wait cost about as much as a small partition's partial.
TCLAIM=0
test_batch() {
	local i n
	cd "$LAKE" || return 1
	set -C
	for ((i = 0; i < ${#todo[@]}; i++)); do
		{ : > "$WORK/claim.$TCLAIM.$i"; } 2> /dev/null || continue
		partial_name n "${todo[i]}"
		mx-test --partial "$dir/$n.part" -T . -T "$WORK/empty" \
		    --name "$t" "${pre[@]}" -- "$f" "silver/$t/${todo[i]}" \
		    2>| "$WORK/partial.$1.err" || return 1
	done
}

# test_sig PARTITION: the .sig of PARTITION's partial, made: what it was
# made from (none for a partition without a manifest, made every time).
# (In test_parts' variables.)  Written in place, not renamed into place:
# a .sig is only compared whole with what it should say, so one cut short
# by a kill says something else, and its partial is made again.
test_sig() {
	local n
	partial_name n "$1"
	if [ -n "${sum[$1]:-}" ]; then
		printf '%s\n' "$dep ${sum[$1]}" > "$dir/$n.sig"
	else
		rm -f "$dir/$n.sig"
	fi
}

# test_hosts TABLE TESTS: test_parts' partials of the partitions in todo
# made on the hosts of --hosts (shared storage: they see the lake at the
# same path), in batches as jobs_run hands out gold's, each batch one ssh
# session running mx-test --partial for each of its partitions.  The test
# file and the --precount files go with the batch lists, in the lake (a
# partial knows a test file by its bytes, not its path); the .sig of a
# partial is written here, once every batch succeeded: a partial of a
# failed batch, complete or not, is made again.  Sets TPNOTE to the hosts'
# part of the note.  (In test_parts' variables.)
test_hosts() {
	local d=$LAKE/_state/batches c i j=0 q save
	local -a args=()
	rm -rf "$d" && mkdir -p "$d" || return 1
	cp -- "$f" "$d/tests" || return 1
	for ((i = 0; i < ${#pre[@]}; i += 2)); do
		cp -- "${pre[i + 1]}" "$d/pre.$i" &&
		    args+=(--precount "$d/pre.$i") || return 1
	done
	batches $((2 * HOSTSLOTS)) ${#todo[@]}
	printf -v q '%q ' --name "$t" "${args[@]}"
	# (a batch's list: each job's partial, then its partition, a line
	# each; the lake's paths have no newline)
	for c in "${!BATCH[@]}"; do
		for i in ${BATCH[c]}; do
			partial_name n "${todo[i]}"
			printf '%s\n' "$dir/$n.part" "silver/$t/${todo[i]}"
		done > "$d/$c" || return 1
		# shellcheck disable=SC2016
		printf 'cd %q && while IFS= read -r o && IFS= read -r p; do mx-test --partial "$o" %s-- %q "$p" || exit 1; done < %q\n' \
		    "$LAKE" "$q" "$d/tests" "$d/$c"
	done | hosts_parallel || j=1
	save=$NOTE NOTE=''
	host_note
	TPNOTE=${NOTE:+; $NOTE} NOTE=$save
	rm -rf "$d"
	[ $j = 0 ] || return 1
	for p in "${todo[@]}"; do
		test_sig "$p" || return 1
	done
}

# precounts TABLE: --precount FILE for each gold test file whose
# row_count bounds name silver/TABLE, the first of its name in the order
# tests_file reads them.
precounts() {
	local d f
	local -a files=()
	local -A seen=()
	for d in ${MX_TESTS:+"$MX_TESTS"} ${CONF:+"$CONF/tests"} \
	    "$SHARE/tests"; do
		for f in "$d"/gold/*.tests; do
			[ -z "${seen[${f##*/}]:-}" ] || continue
			seen[${f##*/}]=1
			files+=("$f")
		done
	done
	# (one grep for all the files: a process each cost 0.3 s a run)
	[ ${#files[@]} -eq 0 ] ||
	    grep -l "^[[:space:]]*row_count.*=silver/$1\([:[:space:]]\|\$\)" \
	    -- "${files[@]}" | sed 's/^/--precount\n/'
	return 0
}

# tests_file LAYER TABLE: the test file of a table of LAYER (silver,
# gold), from the user's configuration (MX_TESTS, then --conf) before the
# bundled ones; false when it has none (a table without tests is not
# tested).
tests_file() {
	local d
	for d in ${MX_TESTS:+"$MX_TESTS"} ${CONF:+"$CONF/tests"} \
	    "$SHARE/tests"; do
		[ -f "$d/$1/$2.tests" ] || continue
		printf '%s\n' "$(cd "$d/$1" && pwd)/$2.tests"
		return 0
	done
	return 1
}

# ---- gold ----

# gold NAME TABLES [--by-partition] [mx-agg options]: the partial
# aggregate (--by-partition: the final rows) of each dirty
# partition of the silver TABLES (a space-separated list: their records of
# one partition are aggregated together), then all of them merged into
# gold/NAME.ndjson and gold/NAME.csv.  Only the partitions that changed
# are read; the partials of partitions that are gone are dropped.  A
# function post_NAME, when there is one, filters the merged rows.  (gold
# NAME alone: as its gold_def says; the partials a gold_pass made this run
# are not made again.)
gold() {
	local name=$1 p f t dir="$LAKE/_state/partials/$1" n=0 mode
	local merged=${PRE[$1]:-}
	local -a files tl parts
	local -A dirty=() keep=()
	# (a domain's early partials its golds never waited for: not written
	# while this makes its own)
	[ -z "$EARLY" ] || early_wait || true
	[ $# -gt 1 ] || eval "set -- $(printf '%q' "$name") ${GDEF[$name]}"
	read -ra tl <<< "$2"
	shift 2
	gold_kind "$name" "$@" || return 1
	n=$GNEW mode=$GMODE
	[ -n "$mode" ] || shift
	dirty_of dirty "${tl[@]}"
	# no partition changed since the table was built (dirty partitions
	# stay listed until every gold table of their silver table is): up
	# to date, without listing the partitions
	if [ $n -eq 0 ] && [ ${#dirty[@]} -eq 0 ] &&
	    [ -e "$LAKE/gold/$name.ndjson" ]; then
		NOTE="up to date"
		return 0
	fi
	n=0
	parts_of parts "${tl[@]}"
	job_cmd mx-agg --memory "$MEMORY" ${mode:+"$mode"} "$@"
	for p in "${parts[@]}"; do
		partial_name f "$p"
		f="$dir/$f.ndjson"
		keep[$f]=1
		# (a partial may be empty: no record of the partition passed -w)
		if [ -e "$f" ] && [ -z "${dirty[$p]:-}" ]; then
			continue
		fi
		# made by this run's pass over the partition (gold_pass)
		if [ -n "${FRESH[$f]:-}" ]; then
			n=$((n + 1))
			continue
		fi
		files=()
		for t in "${tl[@]}"; do
			files+=("$LAKE/silver/$t/$p"/part-*.ndjson)
		done
		job "$f" "${files[@]}"
		n=$((n + 1))
	done
	[ ${#JOBOUT[@]} -eq 0 ] || merged=''
	jobs_run || return 1
	for f in "$dir"/*.ndjson; do
		[ -z "${keep[$f]:-}" ] || continue
		rm -f "$f" || return 1
		n=$((n + 1))
	done
	crashpoint "gold:$name"
	if [ -n "$merged" ]; then
		unset 'PRE[$name]'
		files=("$dir"/*.ndjson)
		wait "$merged" &&
		    [ "$(cat "$WORK/merged.$name.list")" = \
		    "$(printf '%s\n' "${files[@]}")" ] || merged=''
	fi
	if [ $n -eq 0 ] && [ -e "$LAKE/gold/$name.ndjson" ]; then
		NOTE="up to date"
		return 0
	fi
	if [ -n "$merged" ]; then
		cat -- "$WORK/merged.$name.err" >&2
		gold_into "$name" cat -- "$WORK/merged.$name" || return 1
	else
		gold_into "$name" merge_gold "$name" "$dir" "$@" || return 1
	fi
	publish_csv "$name" || return 1
	C_IN=$n
	C_OUT=$(wc -l < "$LAKE/gold/$name.ndjson")
	NOTE="$n partitions read${NOTE:+; $NOTE}"
}

# gold_kind NAME [--by-partition] [mx-agg options]: GMODE, how the
# partials of gold table NAME are made (--partial; empty: final rows), and
# GNEW, 1 when its partials were of the other kind and are gone.
# --by-partition: the table's first key is the partition key of its
# silver tables, so every group lies in one partition: a partition's rows
# are final (no sets of distinct values kept for a merge) and the table is
# their concatenation, in partition order, which is the keys' order.  The
# file .final says which kind the directory holds; a lake that changes
# kind deletes them first, then says so.
gold_kind() {
	local dir="$LAKE/_state/partials/$1"
	shift
	GMODE=--partial GNEW=0
	mkdir -p "$dir" || return 1
	if [ "${1:-}" = --by-partition ]; then
		GMODE=''
		case " $* " in
		*" --top"*)
			FAILED="gold ${dir##*/}: --top ranks the whole table, not each partition: not with --by-partition"
			return 1 ;;
		esac
		if [ ! -e "$dir/.final" ]; then
			rm -f "$dir"/*.ndjson && : > "$dir/.final" || return 1
			GNEW=1
		fi
	elif [ -e "$dir/.final" ]; then
		rm -f "$dir"/*.ndjson && rm -f "$dir/.final" || return 1
		GNEW=1
	fi
}

# gold_def NAME TABLES [--by-partition] [mx-agg options]: gold table NAME
# as gold makes it, defined for golds, which computes it with the other
# tables defined on the same TABLES in one pass.
declare -A GDEF=()
GDEFS=()
gold_def() {
	local name=$1 q
	shift
	printf -v q '%q ' "$@"
	GDEF[$name]=$q
	GDEFS+=("$name")
}

# golds TABLES: the gold tables defined on TABLES (gold_def), in the
# order defined: a step that reads each partition they need once, for
# all of them (mx-agg --set), then a step for each, as gold, which finds
# its partials made.
golds() {
	local name
	local -a names=() d
	for name in "${GDEFS[@]}"; do
		eval "d=(${GDEF[$name]})"
		[ "${d[0]}" != "$1" ] || names+=("$name")
	done
	step "partials:$1" gold_pass "$1" "${names[@]}"
	for name in "${names[@]}"; do
		step "gold:$name" gold "$name"
	done
}

# gold_pass TABLES NAME...: the partials of the gold tables NAME (their
# gold_def on TABLES) of each partition of TABLES that one of them needs
# (dirty, or without a partial), all of one partition in one mx-agg
# pass; FRESH lists them for gold.  (A table that did not need a
# partition gets it again, the same bytes.)  When gold_early started
# them, only waited for.
declare -A FRESH=()
gold_pass() {
	local p f name
	if [ -n "$EARLY" ] && [ "$EARLY" = "$1" ]; then
		PNEED=("${EARLYNEED[@]}") PNAMES=("${EARLYNAMES[@]}")
		# (gold_premerge's merges go on, for gold)
		early_join
		[ "$EARLYRC" = 0 ] || { early_wait; return 1; }
		EARLY=''
	else
		gold_plan "$@" || return 1
		jobs_run || return 1
	fi
	for p in "${PNEED[@]}"; do
		partial_name f "$p"
		for name in "${PNAMES[@]}"; do
			FRESH[$LAKE/_state/partials/$name/$f.ndjson]=1
		done
	done
	C_IN=${#PNEED[@]}
	NOTE="${#PNEED[@]} partitions read for ${#PNAMES[@]} tables${NOTE:+; $NOTE}"
}

# gold_plan TABLES NAME...: gold_pass's jobs given (job), the partitions
# they read in PNEED, the tables in PNAMES.
PNEED=() PNAMES=()
gold_plan() {
	local t p f name dir out
	local -a tl d sets=() files parts
	local -A dirty=() need=()
	read -ra tl <<< "$1"
	shift
	PNAMES=("$@") PNEED=()
	for name in "${PNAMES[@]}"; do
		eval "d=(${GDEF[$name]})"
		gold_kind "$name" "${d[@]:1}" || return 1
		[ ${#sets[@]} -eq 0 ] || sets+=(--set)
		if [ -n "$GMODE" ]; then
			sets+=("$GMODE" "${d[@]:1}")
		else
			sets+=("${d[@]:2}")
		fi
	done
	dirty_of dirty "${tl[@]}"
	parts_of parts "${tl[@]}"
	job_cmd mx-agg --memory "$MEMORY" "${sets[@]}"
	for p in "${parts[@]}"; do
		partial_name f "$p"
		out=''
		for name in "${PNAMES[@]}"; do
			dir="$LAKE/_state/partials/$name"
			[ -n "${dirty[$p]:-}" ] || [ -e "$dir/$f.ndjson" ] ||
			    need[$p]=1
			out+="${out:+$'\t'}$dir/$f.ndjson"
		done
		[ -n "${dirty[$p]:-}" ] || [ -n "${need[$p]:-}" ] || continue
		PNEED+=("$p")
		files=()
		for t in "${tl[@]}"; do
			files+=("$LAKE/silver/$t/$p"/part-*.ndjson)
		done
		job "$out" "${files[@]}"
	done
}

# gold_early TABLE: the silver TABLE is built, its tests are next.  The
# gold tables defined on it (gold_def before its silver step), when
# every silver table they read is built by now, have their partials
# (gold_pass) started on -j jobs beside the tests, rather than after
# them: the tests and the pass each kept one core of two busy for a
# third of their time (their last jobs, the tests' merge).  It publishes
# nothing: the partials are state, made from silver as published, which
# the next run makes again for any partition still dirty, and each gold
# step still waits for the tests, as before; gold_pass waits for the
# jobs.  Not with -j 1 (a core's worth of jobs), nor on hosts.
declare -A SILVERED=()
EARLY='' EARLYPIDS=() EARLYNEED=() EARLYNAMES=()
gold_early() {
	local name key='' t ok failed
	local -a d tl names=()
	SILVERED[$1]=1
	cores
	[ "$JOBS" -gt 1 ] && [ ${#HOSTARGS[@]} -eq 0 ] || return 0
	for name in "${GDEFS[@]}"; do
		eval "d=(${GDEF[$name]})"
		if [ -z "$key" ]; then
			[[ " ${d[0]} " == *" $1 "* ]] || continue
			read -ra tl <<< "${d[0]}"
			ok=1
			for t in "${tl[@]}"; do
				[ -n "${SILVERED[$t]:-}" ] || ok=0
			done
			[ $ok = 1 ] || continue
			key=${d[0]}
		fi
		[ "${d[0]}" != "$key" ] || names+=("$name")
	done
	[ -n "$key" ] || return 0
	# (one whose pass never came: its partials are made again where
	# missing)
	[ -z "$EARLY" ] || early_wait || true
	# (what cannot be planned is left to the partials step, which
	# plans again and says why)
	failed=${FAILED-}
	if ! gold_plan "$key" "${names[@]}"; then
		FAILED=$failed JOBOUT=() JOBLIST=() JOBARGV=() JOBCMD=''
		return 0
	fi
	if ! jobs_start; then
		EARLYPIDS=("${JOBPIDS[@]}")
		early_wait || true
		return 0
	fi
	EARLY=$key EARLYPIDS=("${JOBPIDS[@]}")
	EARLYNEED=("${PNEED[@]}") EARLYNAMES=("${PNAMES[@]}")
}

# Wait for gold_early's jobs (and gold_premerge's); false when one of
# gold_early's failed.
early_wait() {
	local c rc
	early_join
	rc=$EARLYRC
	for c in "${PREPIDS[@]}"; do
		wait "$c" || true
	done
	EARLY='' EARLYRC=0 PREPIDS=() PRE=()
	return $rc
}

# Wait for gold_early's jobs, EARLY kept; EARLYRC 1 when one failed.
EARLYRC=0
early_join() {
	local c
	for c in "${EARLYPIDS[@]}"; do
		wait "$c" || EARLYRC=1
	done
	EARLYPIDS=()
}

# gold_premerge TABLE: the tests of the silver TABLE are about to merge
# their partials (one core, 0.2 s of the 1M-event lake on two, the last
# of the tests): the gold tables whose partials gold_early made from it,
# when it is done making them, have them merged beside, each in $WORK/merged.NAME, as gold would
# merge them (merge_gold), the partials merged listed in
# $WORK/merged.NAME.list, its messages in $WORK/merged.NAME.err.  gold
# takes the rows when it finds the same partials, none of them made
# again; otherwise it merges them itself.  Nothing is published: the
# rows wait for the tests of silver, then of gold, as before.
declare -A PRE=()
PREPIDS=()
gold_premerge() {
	local name w c
	local -a d f
	[ -n "$EARLY" ] && [[ " $EARLY " == *" $1 "* ]] || return 0
	# (only when the partials are made: waiting for them here would hold
	# the tests' merge back, which ran beside their last jobs before;
	# without a premerge, gold merges as it did.  A job bash has reaped
	# is no process.)
	for c in "${EARLYPIDS[@]}"; do
		! kill -0 "$c" 2> /dev/null || return 0
	done
	early_join
	[ "$EARLYRC" = 0 ] || return 0
	for name in "${EARLYNAMES[@]}"; do
		eval "d=(${GDEF[$name]})"
		d=("${d[@]:1}")
		[ "${d[0]:-}" != --by-partition ] || d=("${d[@]:1}")
		w=$WORK/merged.$name
		f=("$LAKE/_state/partials/$name"/*.ndjson)
		printf '%s\n' "${f[@]}" > "$w.list" || return 0
		merge_gold "$name" "$LAKE/_state/partials/$name" "${d[@]}" \
		    > "$w" 2> "$w.err" &
		PRE[$name]=$!
		PREPIDS+=($!)
	done
}

# dirty_of ARRAY TABLE...: the dirty partitions of the silver TABLEs,
# the keys of the associative ARRAY.
dirty_of() {
	local -n dirty_a=$1
	local t p
	shift
	for t; do
		[ -s "$LAKE/_state/dirty/$t" ] || continue
		# (an associative array by name, which shellcheck cannot see)
		# shellcheck disable=SC2034,SC2004
		while IFS= read -r p; do
			dirty_a[$p]=1
		done < "$LAKE/_state/dirty/$t"
	done
}

# job_cmd COMMAND..., then job OUT FILE... for each job: the output of
# COMMAND (an mx-agg) reading the FILEs is to become OUT, whole (as into
# does), as one of the jobs of a step (OUT may be several files separated
# by tabs, one for each set of an mx-agg --set).  jobs_run runs
# them all, in batches, each an `mx-agg --each` (a process per job cost
# more than the work on a small partition; on hosts, an ssh session per
# job did): here -j batches, every Nth job each; on the hosts of
# --hosts, twice as many batches as the hosts run jobs at once, which
# GNU parallel hands out, retrying a batch that fails on another host.
# --each publishes each output whole as it finishes, so a batch run
# again does again only its own work, and a failed one leaves no
# partial output.  On hosts that share the lake (same path) a batch
# reads and writes it as here; with --no-shared its files are sent to
# the host (--transferfile), its outputs brought back (--return) and
# the host's copies removed (--cleanup).
JOBOUT=() JOBLIST=() JOBARGV=() JOBCMD=''
job_cmd() {
	JOBARGV=("$@")
	printf -v JOBCMD '%q ' "$@"
}
job() {
	local out=$1 IFS
	shift
	JOBOUT+=("$out")
	IFS=$'\t'
	JOBLIST+=("$out	$*")
}

# batches K [N]: the jobs (N, or those given to job) in K batches of
# every Kth job, K at most the jobs; BATCH[c] the job numbers of batch c.
BATCH=()
batches() {
	local n=${2:-${#JOBOUT[@]}} k=$1 c i
	[ "$k" -lt "$n" ] || k=$n
	BATCH=()
	for ((c = 0; c < k; c++)); do
		for ((i = c; i < n; i += k)); do
			BATCH[c]+="$i "
		done
	done
}

# batch_list C FILE: the list of batch C, as mx-agg --each reads it.
batch_list() {
	local i
	for i in ${BATCH[$1]}; do
		printf '%s\n' "${JOBLIST[i]}"
	done > "$2"
}

# Run the jobs given since the last call; false if one failed.
jobs_run() {
	local rc=0 c d
	[ ${#JOBOUT[@]} -gt 0 ] || return 0
	# (the lake's paths have no tab or newline: run_begin)
	if [ ${#HOSTARGS[@]} -gt 0 ] && [ "$SHARED" = 0 ]; then
		jobs_transfer || rc=1
	elif [ ${#HOSTARGS[@]} -gt 0 ]; then
		# the lists where the hosts see them: in the lake
		d=$LAKE/_state/batches
		rm -rf "$d" && mkdir -p "$d" || return 1
		batches $((2 * HOSTSLOTS))
		for c in "${!BATCH[@]}"; do
			batch_list "$c" "$d/$c" || return 1
			printf '%s--each %q < /dev/null\n' "$JOBCMD" "$d/$c"
		done | hosts_parallel || rc=1
		host_note
		rm -rf "$d"
	else
		# (a run on hosts that was killed left its lists)
		[ ! -e "$LAKE/_state/batches" ] || rm -rf "$LAKE/_state/batches"
		jobs_start || rc=1
		for c in "${JOBPIDS[@]}"; do
			wait "$c" || rc=1
		done
	fi
	JOBOUT=() JOBLIST=() JOBARGV=() JOBCMD=''
	return $rc
}

# jobs_start: the jobs given since the last call started here, in -j
# batches, their pids in JOBPIDS.  (Their lists are numbered through the
# run: gold_early's may still be read while another step makes its own.)
JOBPIDS=() JOBN=0
jobs_start() {
	local c l
	JOBPIDS=()
	cores
	batches "$JOBS"
	for c in "${!BATCH[@]}"; do
		l=$WORK/each.$((JOBN++))
		batch_list "$c" "$l" || break
		"${JOBARGV[@]}" --each "$l" < /dev/null &
		JOBPIDS+=($!)
	done
	JOBOUT=() JOBLIST=() JOBARGV=() JOBCMD=''
	[ ${#JOBPIDS[@]} -eq ${#BATCH[@]} ]
}

# hosts_parallel [OPTION...]: GNU parallel over the hosts, the commands on
# its standard input: a batch that fails is retried on another host, a
# batch that still fails stops them all; the job log for host_note.
hosts_parallel() {
	parallel --will-cite "${HOSTARGS[@]}" --retries "$RETRIES" \
	    --halt now,fail=1 --joblog "$WORK/joblog" "$@"
}

# --no-shared: batch c is the directory b<c> (its jobs' files, linked,
# and its list), sent to a host with the batch; its outputs come back in
# o<c>.
jobs_transfer() {
	local d="$WORK/jobs" i c j k f rc=0 line IFS
	local -a in out
	rm -rf "$d" && mkdir -p "$d" || return 1
	batches $((2 * HOSTSLOTS))
	IFS=$'\t' read -ra out <<< "${JOBOUT[0]}"
	k=${#out[@]}
	for c in "${!BATCH[@]}"; do
		mkdir "$d/b$c" || return 1
		for i in ${BATCH[c]}; do
			IFS=$'\t' read -ra in <<< "${JOBLIST[i]}"
			line="o$c/$i.0"
			for ((j = 1; j < k; j++)); do
				line+=$'\t'"o$c/$i.$j"
			done
			for ((j = k; j < ${#in[@]}; j++)); do
				f="b$c/$i.$j"
				ln "${in[j]}" "$d/$f" 2> /dev/null ||
				    cp "${in[j]}" "$d/$f" || return 1
				line+=$'\t'"$f"
			done
			printf '%s\n' "$line"
		done > "$d/b$c/list" || return 1
		printf 'b%d\to%d\n' "$c" "$c"
	done > "$d/list"
	(cd "$d" && hosts_parallel --wd ... --colsep '\t' \
	    --transferfile '{1}' --return '{2}' --cleanup \
	    'mkdir -p {2} && '"$JOBCMD"'--each {1}/list < /dev/null' < list) ||
	    rc=1
	host_note
	[ $rc = 0 ] || return 1
	for c in "${!BATCH[@]}"; do
		for i in ${BATCH[c]}; do
			IFS=$'\t' read -ra out <<< "${JOBOUT[i]}"
			for ((j = 0; j < k; j++)); do
				mv -f "$d/o$c/$i.$j" "${out[j]}" || return 1
			done
		done
	done
}

# The jobs of each host in the step's note, from parallel's job log: how
# many, their seconds (ssh included), how many failed; and the longest
# job, which with the total bounds the step's time on more hosts.  (The
# hosts are sorted; the longest job's line begins with "~", which sorts
# after them, and becomes "; longest job ...".)
host_note() {
	local h
	h=$(awk -F '\t' 'NR > 1 { n[$2]++; s[$2] += $4; if ($4 > m) m = $4
		if ($7 != 0 || $8 != 0) f[$2]++ }
	    END { for (k in n) printf "%s %d jobs %.1f s%s\n", k, n[k], s[k],
		(f[k] ? " (" f[k] " failed)" : "")
		if (m != "") printf "~longest job %.1f s\n", m }' \
	    "$WORK/joblog" | sort | paste -sd , - | sed 's/,/, /g; s/, ~/; /') ||
	    return 1
	[ -z "$h" ] || NOTE="${NOTE:+$NOTE; }hosts: $h"
	rm -f "$WORK/joblog"
}

# The file name of a partition's partial: '%', '/' and '=' escaped, so
# that names stay distinct, nested partitions included, and no '=' is in
# a name (some S3 servers cannot rename to one).
partial_name() {
	local s=${2//%/%25}
	s=${s//\//%2F}
	printf -v "$1" '%s' "${s//=/%3D}"
}

# merge_gold NAME DIR [mx-agg options]: the rows of gold table NAME from
# its partials in DIR, through post_NAME when there is one.
merge_gold() {
	local name=$1
	shift
	if declare -F "post_$name" > /dev/null; then
		merge_partials "$@" | "post_$name"
	else
		merge_partials "$@"
	fi
}

# merge_partials DIR [mx-agg options]: (no partials: no silver yet)
merge_partials() {
	local dir=$1
	local -a f=("$dir"/*.ndjson)
	shift
	if [ -e "$dir/.final" ]; then
		cat -- "${f[@]}" < /dev/null
	else
		mx-agg --merge --memory "$MEMORY" "$@" "${f[@]}" < /dev/null
	fi
}

# gold/NAME.csv from gold/NAME.ndjson, safe to open in a spreadsheet.
publish_csv() {
	mx-csv -o "$LAKE/gold/$1.csv" "$LAKE/gold/$1.ndjson"
}

# The gold of TABLE is rebuilt: forget its dirty partitions.
gold_done() { into "$LAKE/_state/dirty/$1" true; }

# gold_from NAME TABLES COMMAND...: a gold table that COMMAND computes
# whole (from other gold tables, or a small silver table), when one of
# the silver TABLES (a space-separated list) changed or the table is
# missing.
gold_from() {
	local name=$1 tables=$2 t stale=0
	shift 2
	[ -e "$LAKE/gold/$name.ndjson" ] || stale=1
	for t in $tables; do
		[ -s "$LAKE/_state/dirty/$t" ] && stale=1
	done
	if [ $stale = 0 ]; then
		NOTE="up to date"
		return 0
	fi
	gold_into "$name" "$@" || return 1
	publish_csv "$name" || return 1
	C_OUT=$(wc -l < "$LAKE/gold/$name.ndjson")
}

# gold_into NAME COMMAND...: the output of COMMAND becomes
# gold/NAME.ndjson, as into makes it, once it passes the table's data
# tests (tests/gold/NAME.tests, when it has them; the new table is
# gold/NAME.ndjson.new while they run): a test failing at
# error level leaves the published table as it was and fails the step,
# naming the test.  The results join the step's note.
gold_into() {
	local name=$1 g="$LAKE/gold/$1.ndjson" tf
	shift
	tf=$(tests_file gold "$name") || { into "$g" "$@"; return; }
	# (a name without the process id: the failing rows stored name it)
	if "$@" > "$g.new" && run_tests "gold/$name" "$tf" "gold/$name.ndjson.new"
	then
		mv -f "$g.new" "$g" || return 1
		NOTE="${NOTE:+$NOTE; }tests: $TNOTE"
		return 0
	fi
	rm -f "$g.new"
	return 1
}

# The records of a silver table, in partition order (none when there is
# no such table yet).
silver_all() {
	local p
	local -a f=() parts
	parts_of parts "$1"
	for p in "${parts[@]}"; do
		f+=("$LAKE/silver/$1/$p"/part-*.ndjson)
	done
	[ ${#f[@]} -eq 0 ] || cat -- "${f[@]}"
}

# ---- domains ----

# The surrogate key of a dimension's unknown member: the row a fact's
# reference that resolves to nothing is given (a key is 16 hex digits of
# mx-calc's hash(), which never gives this one but by chance).
# (read by the domains)
# shellcheck disable=SC2034
UNKNOWN_KEY=0000000000000000

# dim_date is the date dimension of both star schemas, retail's and
# growth's (conformed: one date_key for a day in every fact), built by
# whichever of the two domains runs when one of these tables changed.
# shellcheck disable=SC2034
DATE_TABLES="retail_sales retail_spend meta_ads_insights hubspot_deals ga4_events"

# Every day that has a retail sale or spend row, a Meta insights row, a
# deal's close date or a GA4 event, once, in date order.
dim_date() {
	{
		silver_all retail_sales | mx-agg -g date=transaction_date -a 'n=count()'
		silver_all retail_spend | mx-agg -g date -a 'n=count()'
		silver_all meta_ads_insights | mx-agg -g date -a 'n=count()'
		silver_all hubspot_deals | mx-agg -w 'close_date!=null' \
		    -g date=close_date -a 'n=count()'
		silver_all ga4_events | mx-agg -g date=event_date -a 'n=count()'
	} | mx-agg -g date -a 'n=count()' |
	    mx-calc -e 'date_key=hash(date)' -e 'year=year(date)' \
	    -e 'month=month(date)' -e 'week=week(date)' -e 'dow=dow(date)' \
	    -e 'is_weekend=dow(date)>=6' \
	    --keep date_key,date,year,month,week,dow,is_weekend
}

# contract NAME: the contract of a silver table, from the user's
# configuration (--conf, or MX_CONTRACTS) before the bundled ones.
contract() {
	local d
	for d in ${MX_CONTRACTS:+"$MX_CONTRACTS"} ${CONF:+"$CONF/contracts"} \
	    "$SHARE/contracts"; do
		[ -f "$d/$1.contract" ] || continue
		printf '%s\n' "$d/$1.contract"
		return 0
	done
	say "no contract $1.contract (in ${CONF:+$CONF/contracts and }$SHARE/contracts)"
	return 1
}

# has_data SOURCE...: does one of the sources have raw files, or bronze
# from an earlier run?  A domain without any is skipped, with a note.
has_data() {
	local s
	for s in "$@"; do
		[ -d "$LAKE/bronze/$s" ] && return 0
		[ -d "$RAW/$s" ] && [ -n "$(find -L "$RAW/$s" -type f ! -name '.*' -print -quit)" ] && return 0
	done
	return 1
}

# domain NAME SOURCE...: log the domain, or its skipping, in the run log;
# false when it has no data.
domain() {
	local name=$1
	shift
	if has_data "$@"; then
		return 0
	fi
	step "domain:$name" skip_note "no raw data for $*: skipped"
	return 1
}

skip_note() { NOTE="$*"; }

# ---- the report ----

# report/index.html: the gold tables as one web page for people
# (mx-report), published whole; written by every run, since it names the
# latest run and shows the run log.
publish_report() {
	mkdir -p "$LAKE/report" || return 1
	mx-report -l "$LAKE" -o "$LAKE/report/index.html"
}

# ---- the catalog ----

# gold/_catalog.ndjson: the definition of every gold table
# (scripts/catalog/<table>.md), one JSON object per table, so that DuckDB
# or jq can list them; rewritten when a definition changed.  The
# definitions are read when the run begins (catalog_begin), in the
# background: the jq takes 0.16 s, which the last step would wait for
# on one core, where the first finds one idle.  (Read then or at the
# end, a definition changed during the run is read again by the next.)
CATSIG='' CATPID='' CATFAIL=''
catalog_begin() {
	local f
	local -a md=()
	for f in "${CATALOG[@]}"; do
		md+=("$f"/*.md)
	done
	# the definitions are read again only when a file of them changed
	CATSIG=$(stat -L -c '%n %s %Y' -- "${md[@]}" | cksum) ||
	    { CATFAIL=1; return; }
	if [ -s "$LAKE/gold/_catalog.ndjson" ] &&
	    [ "$CATSIG" = "$(cat "$LAKE/_state/catalog" 2> /dev/null)" ]; then
		return 0
	fi
	catalog_ndjson "${CATALOG[@]}" > "$WORK/catalog.ndjson" &
	CATPID=$!
}
publish_catalog() {
	[ -z "$CATFAIL" ] || return 1
	if [ -z "$CATPID" ]; then
		NOTE="up to date"
		return 0
	fi
	wait "$CATPID" || return 1
	if ! cmp -s "$WORK/catalog.ndjson" "$LAKE/gold/_catalog.ndjson"; then
		into "$LAKE/gold/_catalog.ndjson" cat "$WORK/catalog.ndjson" ||
		    return 1
	fi
	into "$LAKE/_state/catalog" echo "$CATSIG"
}

# catalog_ndjson DIR...: the definitions of DIR/*.md as NDJSON: table, title,
# description, the "- key: value" lines, the columns of the table.  A
# table defined in two directories takes the first one's definition.
catalog_ndjson() {
	local d
	local -a md=()
	# by table, the first directory's file of each (names are plain)
	mapfile -t md < <(for d in "$@"; do
		find "$d" -name '*.md' ! -name README.md
	done | awk -F / '!seen[$NF]++ { print $NF "\t" $0 }' | sort | cut -f 2-)
	[ ${#md[@]} -gt 0 ] || return 0
	# one jq for them all: the lines of each file, by input_filename
	jq -Rnc '
	    reduce inputs as $x ([]; if length > 0 and .[-1].f == input_filename
		then .[-1].l += [$x] else . + [{f: input_filename, l: [$x]}] end)
	    | .[] | .l as $l | (.f | sub(".*/"; "")) as $file
	    | ($l | map(select(startswith("# "))) | first // "" | .[2:]) as $t
	    | {table: $t,
	       description: ([$l[] | select(test("^[A-Za-z(]"))] | join(" ")),
	       file: $file}
	    + ([$l[] | select(startswith("- ")) | .[2:]
		| capture("^(?<k>[a-z_ ]+): (?<v>.*)$")
		| {key: (.k | gsub(" "; "_")), value: .v}] | from_entries)
	    + {columns: [$l[] | select(startswith("| ") and
		(startswith("| column") or startswith("|--") or
		 startswith("| ---") | not))
		| split("|") | map(gsub("^ +| +$"; ""))
		| {name: .[1], type: .[2], definition: .[3]}]}' "${md[@]}"
}
