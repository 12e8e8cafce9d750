# util-linux unshare -U -r (a user namespace with root mapped) must fail.
if unshare -U -r sh -c 'exit 0' 2>/dev/null; then
	echo "ESCAPED unshare -Ur"
else
	echo "held unshare -Ur"
fi
