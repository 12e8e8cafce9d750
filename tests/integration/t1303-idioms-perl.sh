#!/bin/bash
# Perl's habits on a transaction file: open "+<", syswrite, seek to 0 and
# read lines; sysread without a seek; shell style.  Exact answers.
. "$(dirname "$0")/lib.sh"
mount_default
perl - "$MNT" <<'PL' || fail "perl idioms"
use strict;
use warnings;
my $E = "$ARGV[0]/tools/builtin/echo";
my $want = '"lang": "perl"';
open(my $f, "+<", "$E/call") or die "open: $!";
syswrite($f, '{"lang":"perl","case":"seek"}') or die "syswrite: $!";
seek($f, 0, 0) or die "seek: $!";
my $got = join("", <$f>);
close($f);
$got =~ /$want/ && $got =~ /"case": "seek"/ or die "seek: [$got]";
open($f, "+<", "$E/call") or die "open: $!";
syswrite($f, '{"lang":"perl","case":"sysread"}') or die "syswrite: $!";
$got = "";
while (sysread($f, my $b, 100)) { $got .= $b; }
close($f);
$got =~ /$want/ && $got =~ /"case": "sysread"/ or die "sysread: [$got]";
open($f, ">", "$E/call") or die "open: $!";
print $f '{"lang":"perl","case":"shell"}';
close($f) or die "close: $!";
open($f, "<", "$E/result") or die "open: $!";
$got = join("", <$f>);
$got =~ /"case": "shell"/ or die "shell: [$got]";
print "perl idioms ok\n";
PL
unmount_fs
