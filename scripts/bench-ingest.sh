#!/usr/bin/env bash
# Times `footprint trail ingest` against DuckDB's own read_json loading the
# same files into a disk table, alternating runs in one session so that a
# noisy machine affects both alike. Prints one line per run and a summary.
#
#   scripts/bench-ingest.sh [EVENTS] [RUNS]      (defaults: 1000000 3)
#
# Environment: BENCH_DIR (work directory, kept between runs so the corpus is
# generated once), BENCH_SEED, BENCH_DAYS.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${1:-1000000}
RUNS=${2:-3}
WORK=${BENCH_DIR:-/tmp/footprint-bench}
SEED=${BENCH_SEED:-1}
DAYS=${BENCH_DAYS:-7}
CORPUS="$WORK/corpus-$EVENTS-$SEED-$DAYS"
mkdir -p "$WORK"

go build -o "$WORK/footprint" ./cmd/footprint
go build -o "$WORK/duckdbsql" ./tools/duckdbsql
if [ ! -d "$CORPUS" ]; then
	go run ./tools/gencorpus -out "$CORPUS.tmp" -events "$EVENTS" -days "$DAYS" -seed "$SEED"
	mv "$CORPUS.tmp" "$CORPUS"
fi
GZ_BYTES=$(find "$CORPUS" -type f -name '*.json.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$CORPUS" -type f -name '*.json.gz' | wc -l)

# The baselines: DuckDB's read_json with an explicit schema, into a disk
# table. "typed" reads the same columns footprint extracts; "typed+record"
# also keeps each whole record, as footprint's events table does.
SCHEMA_COLS="eventID VARCHAR, eventTime TIMESTAMPTZ, eventVersion VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, recipientAccountId VARCHAR, userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, invokedBy VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(type VARCHAR, arn VARCHAR, userName VARCHAR), sourceIdentity VARCHAR, attributes STRUCT(mfaAuthenticated VARCHAR))), userAgent VARCHAR, sourceIPAddress VARCHAR, requestID VARCHAR, sharedEventID VARCHAR, vpcEndpointId VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, readOnly BOOLEAN, eventType VARCHAR, eventCategory VARCHAR, managementEvent BOOLEAN"
TRANSFORM='{"eventID":"VARCHAR","eventTime":"TIMESTAMPTZ","eventVersion":"VARCHAR","eventSource":"VARCHAR","eventName":"VARCHAR","awsRegion":"VARCHAR","recipientAccountId":"VARCHAR","userIdentity":{"type":"VARCHAR","principalId":"VARCHAR","arn":"VARCHAR","accountId":"VARCHAR","accessKeyId":"VARCHAR","userName":"VARCHAR","invokedBy":"VARCHAR","sessionContext":{"sessionIssuer":{"type":"VARCHAR","arn":"VARCHAR","userName":"VARCHAR"},"sourceIdentity":"VARCHAR","attributes":{"mfaAuthenticated":"VARCHAR"}}},"userAgent":"VARCHAR","sourceIPAddress":"VARCHAR","requestID":"VARCHAR","sharedEventID":"VARCHAR","vpcEndpointId":"VARCHAR","errorCode":"VARCHAR","errorMessage":"VARCHAR","readOnly":"BOOLEAN","eventType":"VARCHAR","eventCategory":"VARCHAR","managementEvent":"BOOLEAN"}'
GLOB="$CORPUS/**/*.json.gz"
SQL_TYPED="CREATE TABLE events AS SELECT unnest(Records, recursive := true) FROM read_json('$GLOB', columns = {Records: 'STRUCT($SCHEMA_COLS)[]'}, maximum_object_size = 1073741824)"
SQL_RECORD="CREATE TABLE events AS SELECT unnest(json_transform(record, '$TRANSFORM')), record FROM (SELECT unnest(Records) AS record FROM read_json('$GLOB', columns = {Records: 'JSON[]'}, maximum_object_size = 1073741824))"

# measure NAME DB COMMAND...: prints "name wall_s rss_kb cpu%" and the db size
measure() {
	local name=$1 db=$2
	shift 2
	local out
	/usr/bin/time -o "$WORK/time.out" -f '%e %M %P' "$@" >/dev/null 2>"$WORK/stderr.out" || true
	out=$(tail -1 "$WORK/time.out")
	local size=0
	[ -f "$db" ] && size=$(stat -c %s "$db")
	echo "$name $out $size"
}

RESULTS="$WORK/results-$EVENTS.txt"
: > "$RESULTS"
echo "corpus: $EVENTS events, $FILES files, $GZ_BYTES bytes gzipped ($CORPUS)" >&2
for run in $(seq 1 "$RUNS"); do
	rm -f "$WORK/fp.duckdb" "$WORK/fp.duckdb.wal"
	measure footprint "$WORK/fp.duckdb" "$WORK/footprint" --db "$WORK/fp.duckdb" -q trail ingest "$CORPUS" | tee -a "$RESULTS" >&2
	measure footprint-reingest "$WORK/fp.duckdb" "$WORK/footprint" --db "$WORK/fp.duckdb" -q trail ingest "$CORPUS" | tee -a "$RESULTS" >&2
	rm -f "$WORK/base.duckdb" "$WORK/base.duckdb.wal"
	measure duckdb-typed "$WORK/base.duckdb" "$WORK/duckdbsql" -db "$WORK/base.duckdb" "SET TimeZone = 'UTC'" "$SQL_TYPED" | tee -a "$RESULTS" >&2
	rm -f "$WORK/base.duckdb" "$WORK/base.duckdb.wal"
	measure duckdb-typed+record "$WORK/base.duckdb" "$WORK/duckdbsql" -db "$WORK/base.duckdb" "SET TimeZone = 'UTC'" "$SQL_RECORD" | tee -a "$RESULTS" >&2
done
rm -f "$WORK/base.duckdb" "$WORK/base.duckdb.wal"

awk -v gz="$GZ_BYTES" -v events="$EVENTS" '
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return (n % 2) ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{ n[$1]++; wall[$1, n[$1]] = $2; rss[$1, n[$1]] = $3; if ($5 > size[$1]) size[$1] = $5 }
END {
	printf "%-22s %9s %9s %12s %10s\n", "run", "median s", "max RSS", "events/s", "db/gzip"
	for (k in n) {
		for (i = 1; i <= n[k]; i++) { w[i] = wall[k, i]; r[i] = rss[k, i] }
		m = median(w, n[k]); maxr = 0; for (i = 1; i <= n[k]; i++) if (r[i] > maxr) maxr = r[i]
		med[k] = m
		printf "%-22s %9.2f %7.0f MB %12.0f %10.2f\n", k, m, maxr / 1024, events / m, size[k] / gz
	}
	printf "\nfootprint vs duckdb-typed:        %.2fx\n", med["duckdb-typed"] / med["footprint"]
	printf "footprint vs duckdb-typed+record: %.2fx\n", med["duckdb-typed+record"] / med["footprint"]
	printf "re-ingest / first ingest:         %.1f%%\n", 100 * med["footprint-reingest"] / med["footprint"]
}' "$RESULTS"
