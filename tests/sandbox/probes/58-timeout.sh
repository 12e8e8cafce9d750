# profiles: standard hardened dev
# expect-limit: timeout
# The timeout kills the whole tree, a process that left the script's
# session included (the test checks that none survives).
setsid sleep 3599.731 &
sleep 3599.731
echo "ESCAPED timeout"
