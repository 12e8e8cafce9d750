# The host name cannot be changed (and is the sandbox's own).
before=$(hostname)
hostname evil-host 2>/dev/null
after=$(hostname)
if [ "$after" = evil-host ]; then echo "ESCAPED sethostname"; else echo "held hostname ($before)"; fi
