# The daemon's configuration directory must not be reachable.
my @hits = grep { -e $_ } ("/tmp/toolexec-escape/config/secret.json",
                           "/root/.config/toolexecfs", "/etc/toolexecfs");
print @hits ? "ESCAPED config dir: @hits\n" : "held config dir\n";
