# Sourced by the code/ tests of the mount (t21NN) after lib.sh: scripts
# dropped into MNT/code/PROFILE/ the way a user would (cp), their files
# read back the way a user would (cat, ls).
#   drop FILE [PROFILE]        cp FILE into code/PROFILE/ (standard)
#   result NAME [PROFILE]      waits for the run's end: its result JSON in
#                              $TMP/NAME.res, loaded into R as lib-code.sh
#                              does (R[KEY])
#   field KEY [FILE]           one field of a result file
[ -x "$BUILD/toolexec-sandbox" ] || fail "not built: $BUILD/toolexec-sandbox"
[ "$(id -u)" -eq 0 ] || skip "the sandbox maps runs to other uids: needs root"
# A run's sandbox opens its view below the mount point as the run's own
# uid: every directory on the way must let it pass.
chmod 0755 "$TMP"
declare -A R
_show='import json,sys
def show(v):
    return json.dumps(v) if isinstance(v, (list, dict)) or v is None else str(v).lower() if isinstance(v, bool) else str(v)
'
field() {
	python3 -c "$_show"'
print(show(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$2" "$1"
}
drop() {
	cp "$1" "$MNT/code/${2:-standard}/" || fail "cp $1 into code/${2:-standard}/"
}
result() {
	local f=$TMP/$1.res
	R=()
	timeout 120 cat "$MNT/code/${2:-standard}/$1.result" > "$f" ||
		fail "reading $1.result"
	while IFS= read -r -d '' k && IFS= read -r -d '' v; do
		R[$k]=$v
	done < <(python3 -c "$_show"'
for k, v in json.load(open(sys.argv[1])).items():
    sys.stdout.write(k + "\0" + show(v) + "\0")' "$f")
}
