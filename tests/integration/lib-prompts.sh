# Sourced by the prompt tests after lib.sh (t0471 over stdio, t0488 over
# Streamable HTTP): check_prompts NS checks server-everything's prompts
# under prompts/NS/ of the mount $MNT: the listing, doc and schema from
# a prompt's arguments, `get` as a transaction (arguments written,
# messages read as role-labelled text), get.json the whole
# GetPromptResult, an embedded resource, EINVAL for arguments the
# prompt does not take and ENOENT for a prompt it does not have.
check_prompts() {
ns=$1
P=$MNT/prompts
wait_until -t 60 test -d "$P/$ns"
assert_eq "args-prompt completable-prompt resource-prompt simple-prompt" \
	"$(ls "$P/$ns" | tr '\n' ' ' | sed 's/ $//')" "prompts"
assert_eq "doc get get.json schema" "$(ls "$P/$ns/args-prompt" | tr '\n' ' ' | sed 's/ $//')" "a prompt's files"
doc=$(cat "$P/$ns/args-prompt/doc")
assert_contains "$doc" "# Arguments Prompt" "doc title"
assert_contains "$doc" "| city | yes | Name of the city |" "doc argument row"
assert_contains "$doc" "| state | no |  |" "doc optional argument"
schema=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sorted(s["properties"]), s["required"], s["additionalProperties"])' "$P/$ns/args-prompt/schema")
assert_eq "['city', 'state'] ['city'] False" "$schema" "schema"

# A prompt without arguments: plain cat.
assert_eq "$(printf 'user:\nThis is a simple prompt without arguments.')" \
	"$(cat "$P/$ns/simple-prompt/get")" "simple prompt"

# The transaction: each descriptor its own arguments and answer.
out=$(python3 - "$P/$ns/args-prompt" <<'PY'
import errno, json, os, sys
d = sys.argv[1]
def tx(name, args):
    fd = os.open(os.path.join(d, name), os.O_RDWR)
    try:
        os.write(fd, args)
        return os.read(fd, 65536).decode()
    except OSError as e:
        return errno.errorcode[e.errno]
    finally:
        os.close(fd)
a = os.open(os.path.join(d, "get"), os.O_RDWR)
b = os.open(os.path.join(d, "get"), os.O_RDWR)
os.write(a, b'{"city":"Paris"}')
os.write(b, b'{"city":"Lyon"}')
print(os.read(b, 4096).decode().replace("\n", "/"), os.read(a, 4096).decode().replace("\n", "/"))
r = json.loads(tx("get.json", b'{"city":"Austin","state":"TX"}'))
print(r["messages"][0]["role"], r["messages"][0]["content"]["text"])
for bad in (b'{}', b'{"city":3}', b'{"city":"x","town":"y"}', b'[1]', b'{"city":'):
    print(tx("get", bad), end=" ")
print()
PY
)
assert_eq "user:/What's weather in Lyon?/ user:/What's weather in Paris?/
user What's weather in Austin, TX?
EINVAL EINVAL EINVAL EINVAL EINVAL " "$out" "get transactions"

# Embedded resources are shown with their URI and text.
res=$(python3 - "$P/$ns/resource-prompt/get" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"resourceType":"Text","resourceId":"2"}')
print(os.read(fd, 65536).decode())
PY
)
assert_contains "$res" "[resource demo://resource/dynamic/text/2]" "embedded resource"
assert_contains "$res" "Resource 2: This is a plaintext resource" "embedded resource text"
assert_eq ENOENT "$(read_errno "$P/$ns/no-such-prompt/get")" "unknown prompt"
}
