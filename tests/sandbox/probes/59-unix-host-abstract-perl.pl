# The host's abstract Unix socket, from perl this time (a datagram).
use Socket;
socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die;
my $ok = connect($s, pack_sockaddr_un("\0toolexec-escape-abstract"));
print $ok ? "ESCAPED abstract socket from perl\n" : "held abstract socket from perl ($!)\n";
