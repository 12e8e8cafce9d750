#!/bin/sh
# Writes a tool catalogue of exec tools for the scale benchmark and test:
# NTOOLS tools over files of PER_FILE tools (default 100), one namespace
# per file (ns0000, ns0001, ...), names, titles, descriptions, tags and
# parameters drawn from a small vocabulary by a seeded generator, so the
# same arguments always write the same files.
#   bench/gen-catalogue.sh DIR NTOOLS [SEED] [PER_FILE]
# DIR is created; files already in it are replaced.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR NTOOLS [SEED] [PER_FILE]" >&2; exit 2; }
dir=$1
ntools=$2
seed=${3:-42}
per=${4:-100}
mkdir -p "$dir"
exec awk -v dir="$dir" -v ntools="$ntools" -v seed="$seed" -v per="$per" '
# A linear congruential generator of our own: awk implementations differ
# in rand(), the catalogue must not.
# Park and Miller: products stay below 2^53, exact in a double.
function rnd(n) { state = (state * 16807) % 2147483647; return int(state / 16) % n }
function word() { return W[rnd(NW)] }
function words(k,   s, i) { s = word(); for (i = 1; i < k; i++) s = s " " word(); return s }
BEGIN {
	NW = split("account address alert archive audit backup balance batch bill " \
	  "bucket build cache calendar card cart certificate channel chart check " \
	  "cluster comment commit config contact container contract cost coupon " \
	  "customer dashboard database dataset deploy device disk dns document " \
	  "domain draft email employee event export feed file firewall folder " \
	  "forecast group host image incident index invoice issue job key label " \
	  "lead ledger license log mail map meeting message metric model monitor " \
	  "network note order package page payment permission photo pipeline " \
	  "playlist policy post price product profile project queue quota record " \
	  "region release report repository request resource role route rule " \
	  "schedule schema secret segment server service session shipment " \
	  "snapshot source stock storage stream subscription survey task team " \
	  "template test ticket token topic track trade transaction translation " \
	  "user vendor version video volume warehouse weather webhook zone", W, " ")
	for (i = 1; i <= NW; i++) W[i - 1] = W[i]
	NV = split("get list create update delete search find fetch send sync " \
	  "export import validate convert summarize count archive restore " \
	  "approve cancel", V, " ")
	for (i = 1; i <= NV; i++) V[i - 1] = V[i]
	state = 1 + seed % 2147483646
	nfiles = int((ntools + per - 1) / per)
	t = 0
	for (f = 0; f < nfiles; f++) {
		path = sprintf("%s/tools-%04d.json", dir, f)
		ns = sprintf("ns%04d", f)
		printf "{\n  \"tools\": [\n" > path
		for (k = 0; k < per && t < ntools; k++) {
			t++
			name = sprintf("%s_%s_%d", V[rnd(NV)], word(), k)
			printf "%s    {\n", (k ? ",\n" : "") > path
			printf "      \"namespace\": \"%s\",\n", ns > path
			printf "      \"name\": \"%s\",\n", name > path
			printf "      \"title\": \"%s\",\n", words(3) > path
			printf "      \"description\": \"%s.\",\n", words(20 + rnd(30)) > path
			printf "      \"tags\": [\"%s\", \"%s\"],\n", word(), word() > path
			printf "      \"input_schema\": {\n        \"type\": \"object\",\n        \"properties\": {\n" > path
			np = 1 + rnd(4)
			for (p = 0; p < np; p++)
				printf "          \"%s_%d\": { \"type\": \"string\", \"description\": \"%s\" }%s\n", \
				  word(), p, words(4 + rnd(8)), (p < np - 1 ? "," : "") > path
			printf "        },\n        \"additionalProperties\": false\n      },\n" > path
			printf "      \"command\": [\"echo\", \"%s\"],\n      \"stdin\": \"none\",\n      \"timeout_ms\": 10000,\n      \"max_output_bytes\": 65536\n    }", name > path
		}
		printf "\n  ]\n}\n" > path
		close(path)
	}
}'
