# profiles: standard hardened dev
# expect-limit: timeout
# The timeout kills the whole tree, a process that left the script's
# session included (the test checks that none survives).
setsid sleep 3600 &
sleep 3600
echo "ESCAPED timeout"
