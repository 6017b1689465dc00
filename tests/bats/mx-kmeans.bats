#!/usr/bin/env bats
# mx-kmeans: well-separated clusters are recovered (adjusted Rand index);
# the inertia equals that of an independent implementation with the same
# draws (tests/kmeans.py); the same seed gives the same bytes; models and
# --assign; bad records, bad models, the man page's examples.

load helper
bats_require_minimum_version 1.5.0

REF="$BATS_TEST_DIRNAME/../kmeans.py"
FIXK="$FIX/kmeans.ndjson"

# near A B TOL: |A - B| <= TOL (awk reads exponents, bc does not)
near() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# above A B: A > B
above() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'
}

@test "well-separated clusters are recovered: adjusted Rand index above 0.95" {
	python3 "$REF" gen 3 3000 5 3 4 > blobs.ndjson
	run mx-kmeans -k 5 -f f0,f1,f2 --seed 9 blobs.ndjson
	assert_success
	printf '%s\n' "$output" > out.ndjson
	# and with other scalings, and two features of very different units
	jq -c '.f1 = .f1 * 1000' blobs.ndjson > wide.ndjson
	for s in minmax z; do
		mx-kmeans -k 5 -f f0,f1,f2 --scale $s wide.ndjson > out-$s.ndjson
	done
	# one python for the three: its start costs more than the index
	run python3 "$REF" ari truth cluster out.ndjson out-minmax.ndjson out-z.ndjson
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	for a in "${lines[@]}"; do
		above "$a" 0.95 || fail "ARI $output"
	done
}

@test "the inertia is that of an independent implementation with the same draws, within 1%, restart by restart" {
	runs='1,1,z 2,1,z 5,1,z 3,1,minmax 4,1,none 7,3,z'
	# one python for every run: its start costs more than the fits
	python3 "$REF" fit 4 f0,f1,f2 100 "$FIXK" $runs > refs.ndjson
	[ "$(wc -l < refs.ndjson)" -eq 6 ]
	jq -r '"\(.inertia) \(.iterations)"' refs.ndjson > refs.txt
	n=0
	for run in $runs; do
		IFS=, read -r seed restarts scale <<< "$run"
		n=$((n + 1))
		mx-kmeans -k 4 -f f0,f1,f2 --seed $seed --restarts $restarts --scale $scale \
		    --stats st.json "$FIXK" > out.ndjson
		read -r mine mit < <(jq -r '"\(.inertia) \(.iterations)"' st.json)
		read -r ref rit < <(sed -n "${n}p" refs.txt)
		echo "seed $seed restarts $restarts scale $scale: $mine, reference $ref"
		echo "$mine" >> "optima.$restarts.$scale"
		near "$mine" "$ref" "$(awk -v r="$ref" 'BEGIN { print r / 100 }')" ||
		    fail "seed $seed: inertia $mine, reference $ref"
		[ "$mit" = "$rit" ] || fail "seed $seed: $mit iterations, reference $rit"
		# the same partition, whatever the numbers of the clusters: the
		# pairs of labels are a one-to-one map (an adjusted Rand index of 1)
		sed -n "${n}p" refs.ndjson | jq '.labels[]' |
		    paste -d ' ' - <(sed 's/.*,"cluster":\([0-9]*\)}$/\1/' out.ndjson) > pairs
		[ "$(wc -l < pairs)" -eq 600 ]
		run awk 'NF != 2 { bad++ } !p[$0]++ { n++ } !a[$1]++ { na++ } !b[$2]++ { nb++ }
		    END { print n, na, nb, bad + 0 }' pairs
		assert_output '4 4 4 0'
	done
	# the draws matter on this data: not every seed finds the same optimum
	[ "$(sort -u optima.1.z | wc -l)" -ge 2 ]
}

@test "the same seed gives the same bytes, from a file or a pipe; clusters are numbered by their centres" {
	mx-kmeans -k 4 -f f0,f1,f2 --seed 5 --distance --model m1 "$FIXK" > a
	cat "$FIXK" | mx-kmeans -k 4 -f f0,f1,f2 --seed 5 --distance --model m2 > b
	mx-kmeans -k 4 -f f0,f1,f2 --seed 5 --distance - < "$FIXK" > c
	cmp a b
	cmp a c
	cmp m1 m2
	# records byte for byte, with cluster and distance appended
	run sh -c "jq -c 'del(.cluster, .distance)' a | cmp - '$FIXK'"
	assert_success
	run sh -c "sed 's/,\"cluster\":[0-9]*,\"distance\":[-0-9.e]*}\$/}/' a | cmp - '$FIXK'"
	assert_success
	# centres in order of their first scaled feature
	run jq -s -c 'map(select(.cluster != null) | .scaled[0]) | . == sort' m1
	assert_output true
}

@test "the model: scaling and centres; --assign gives the fit's clusters, and the nearest centre to new records" {
	mx-kmeans -k 3 -f f0,f1,f2 --seed 2 --model m.ndjson "$FIXK" > fit.ndjson
	run jq -c 'select(.model) | [.model, .version, .k, .features, .scale, .seed, .records]' m.ndjson
	assert_output '["mx-kmeans",1,3,"f0,f1,f2","z",2,600]'
	run jq -c 'select(.feature) | .feature' m.ndjson
	assert_output '"f0"
"f1"
"f2"'
	# the mean and standard deviation of the population
	run jq -s -r '[.[].f0] as $v | ($v | add / length) as $m
	    | ([$v[] | (. - $m) * (. - $m)] | add / length | sqrt) as $s
	    | "\($m) \($s)"' "$FIXK"
	read -r m s <<< "$output"
	run jq -r 'select(.feature == "f0") | "\(.center) \(.scale)"' m.ndjson
	read -r mc ms <<< "$output"
	near "$mc" "$m" 1e-9
	near "$ms" "$s" 1e-9
	# sizes add up; the centroid is the scaled one in the features' units
	run jq -s 'map(select(.size) | .size) | add' m.ndjson
	assert_output 600
	run jq -r 'select(.cluster == 0) | "\(.centroid.f0) \(.scaled[0])"' m.ndjson
	read -r c0 s0 <<< "$output"
	near "$c0" "$(awk -v s="$s0" -v a="$ms" -v b="$mc" 'BEGIN { printf "%.17g", s * a + b }')" 1e-9
	mx-kmeans --assign m.ndjson "$FIXK" > assigned.ndjson
	cmp assigned.ndjson fit.ndjson
	# a new record at a centroid goes to its cluster
	jq -c 'select(.cluster == 2) | .centroid + {id: "new"}' m.ndjson > new.ndjson
	run mx-kmeans --assign m.ndjson --distance new.ndjson
	assert_success
	assert_output --regexp '^\{"f0":.*,"id":"new","cluster":2,"distance":[0-9.e-]+\}$'
	near "$(jq .distance <<< "$output")" 0 1e-9
}

@test "distances, constant features, identical points, k = 1" {
	printf '{"x":0,"c":5}\n{"x":2,"c":5}\n{"x":4,"c":5}\n' > three
	run mx-kmeans -k 1 -f x,c --scale none --distance three
	assert_output '{"x":0,"c":5,"cluster":0,"distance":2}
{"x":2,"c":5,"cluster":0,"distance":0}
{"x":4,"c":5,"cluster":0,"distance":2}'
	run mx-kmeans -k 3 -f x,c --distance three
	assert_output '{"x":0,"c":5,"cluster":0,"distance":0}
{"x":2,"c":5,"cluster":1,"distance":0}
{"x":4,"c":5,"cluster":2,"distance":0}'
	# fewer distinct points than clusters: some clusters stay empty
	printf '{"x":1}\n{"x":1}\n{"x":1}\n' > same
	run mx-kmeans -k 2 -f x --model m same
	assert_success
	run jq -c '.cluster' <<< "$output"
	run mx-kmeans -k 2 -f x same
	[ "$(printf '%s\n' "$output" | jq .cluster | sort -u | wc -l)" -eq 1 ]
	run mx-kmeans -k 4 -f x three
	assert_failure 1
	assert_output 'mx-kmeans: 3 records for 4 clusters: too few'
}

@test "bad records: an error naming file and line; with --rejects set aside, out of the fit and the output" {
	printf '%s\n' '{"x":1,"y":1}' '{"x":2,"y":"3"}' '{"x":null,"y":1}' '{"y":1}' \
	    '{"x":1e999,"y":1}' '{"x":3,' '{"x":1,"y":2,"cluster":0}' '{"x":9,"y":9}' \
	    '' '{"x":"2024","y":1}' > bad
	run mx-kmeans -k 2 -f x,y bad
	assert_failure 1
	assert_output 'mx-kmeans: bad:2: feature y: not a number'
	run mx-kmeans -k 2 -f x,y --rejects rej.ndjson --stats st.json bad
	assert_success
	assert_output '{"x":1,"y":1,"cluster":0}
{"x":9,"y":9,"cluster":1}'
	run jq -c '[._reject.line, ._reject.rule, ._reject.reason]' rej.ndjson
	assert_output '[2,"feature","feature y: not a number"]
[3,"feature","feature x: null"]
[4,"feature","feature x: missing"]
[5,"feature","feature x: out of range"]
[6,"json","invalid JSON at column 8: unexpected end of input, expected a string key"]
[7,"reserved","the field cluster is mx-kmeans'"'"'s own"]
[10,"feature","feature x: not a number"]'
	run jq -c '[.in, .out, .rejected, .blank]' st.json
	assert_output '[9,2,7,1]'
	# --assign rejects alike (it streams: the records before are out)
	mx-kmeans -k 2 -f x,y --model m --rejects /dev/null bad > /dev/null
	run mx-kmeans --assign m bad
	assert_failure 1
	assert_line --index 1 'mx-kmeans: bad:2: feature y: not a number'
	run mx-kmeans --assign m --rejects rej2.ndjson bad
	assert_success
	assert_output '{"x":1,"y":1,"cluster":0}
{"x":9,"y":9,"cluster":1}'
	run jq -c '[._reject.line, ._reject.rule]' rej2.ndjson
	assert_output '[2,"feature"]
[3,"feature"]
[4,"feature"]
[5,"feature"]
[6,"json"]
[7,"reserved"]
[10,"feature"]'
}

@test "a feature field no record had is a warning; --strict makes it an error, no file written" {
	seq 1 20 | awk '{ print "{\"x\":" $1 ",\"y\":" $1 * 2 "}" }' > in.ndjson
	run mx-kmeans -k 2 -f x,yy --rejects r.ndjson in.ndjson
	assert_failure 1
	assert_output "$(printf '%s\n' "mx-kmeans: -f: no record had the field 'yy' (a typo?)" \
	    'mx-kmeans: 0 records for 2 clusters: too few')"
	run mx-kmeans --strict -k 2 -f x,yy --model m.json --rejects r.ndjson in.ndjson
	assert_failure 1
	assert_output "mx-kmeans: -f: no record had the field 'yy'"
	[ ! -e m.json ] && [ ! -e r.ndjson ]
	# --assign: the model names the fields
	mx-kmeans -k 2 -f x,y --model m.json in.ndjson > /dev/null
	seq 1 3 | awk '{ print "{\"x\":" $1 "}" }' > new.ndjson
	run --separate-stderr mx-kmeans --assign m.json --rejects r.ndjson new.ndjson
	assert_success
	[ "$stderr" = "mx-kmeans: --assign: no record had the field 'y' (a typo?)" ]
	[ "$(wc -l < r.ndjson)" -eq 3 ]
	rm r.ndjson
	run mx-kmeans --strict --assign m.json --rejects r.ndjson new.ndjson
	assert_failure 1
	assert_output "mx-kmeans: --assign: no record had the field 'y'"
	[ ! -e r.ndjson ]
	# no records, nothing to say
	run mx-kmeans --strict --assign m.json /dev/null
	assert_success
	assert_output ''
}

@test "a model that is not one is refused with its file and line" {
	printf '{"x":1}\n{"x":5}\n' > in
	mx-kmeans -k 2 -f x --model m in > /dev/null
	while IFS='|' read -r sedexpr why; do
		sed "$sedexpr" m > bad.model
		run mx-kmeans --assign bad.model in
		assert_failure 1
		assert_output "mx-kmeans: --assign bad.model$why"
	done <<-'EOF'
	1s/mx-kmeans/other/|:1: not a model of mx-kmeans
	1s/"version":1/"version":2/|:1: a model of another version
	1s/"features":"x"/"features":"x,,"/|:1: features: empty field path
	2s/"feature":"x"/"feature":"y"/|:2: not the scaling of feature x
	2s/"scale":[^}]*/"scale":0/|:2: scale: zero
	3s/"cluster":0/"cluster":1/|:3: cluster: not 0
	4s/\[.*\]/["a"]/|:4: scaled: not a number
	4d|: ends before its centroids
	EOF
	run mx-kmeans --assign none.model in
	assert_failure 1
	assert_output --partial 'none.model'
}

@test "usage errors exit 2; limits refuse cleanly with file and line" {
	for args in '-f x' '-k 2' '-k 0 -f x' '-k 2 -f x,x' '-k 2 -f x --scale log' \
	    '-k 2 -f x --restarts 0' '--assign m -k 2' '--assign m -f x' \
	    '-k 2 -f x --seed -1' '-k 2 -f x --max-depth 0'; do
		run mx-kmeans $args /dev/null
		assert_failure 2
		assert_line --index 1 --partial 'usage: mx-kmeans'
	done
	printf '{"x":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' x)" > big
	run mx-kmeans -k 1 -f x --max-record 4k big
	assert_failure 1
	assert_output --partial 'mx-kmeans: big:1: line longer than 4096 bytes'
	printf '{"x":1,"b":%s1%s}\n' "$(printf '[%.0s' $(seq 40))" "$(printf ']%.0s' $(seq 40))" > deep
	run mx-kmeans -k 1 -f x --max-depth 20 deep
	assert_failure 1
	assert_output --partial 'deep:1:'
	run mx-kmeans -k 1 -f x --max-depth 41 deep
	assert_success
}

@test "the man page examples run as written" {
	python3 "$REF" gen 4 500 5 3 5 |
	    jq -c '{customer_id: .id, recency_days: (.f0 + 100 | floor),
	      orders: (.f1 + 100 | floor), revenue: (.f2 + 100)}' > customer_metrics.ndjson
	man_example mx-kmeans.1 | sed -n '/^\.Bd/,/^\.Ed/p' | grep -v '^\.' | sed 's/\\e$/\\/' > examples.sh
	run bash -c 'set -e; . ./examples.sh'
	assert_success
	[ "$(wc -l < clustered.ndjson)" -eq 500 ]
	# the second example's records, then the third's cluster number
	printf '%s\n' "$output" > stdout
	run sh -c "head -500 stdout | jq -c 'del(.distance)' | cmp - clustered.ndjson"
	assert_success
	run tail -n +501 stdout
	assert_output "$(jq -s 'map(select(.cluster != null)) | max_by(.centroid.revenue) | .cluster' segments.model)"
	run jq -c 'select(.cluster != null) | .size' segments.model
	[ "${#lines[@]}" -eq 5 ]
}
