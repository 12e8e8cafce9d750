#!/bin/bash
# Perl's habits on jobs and search (lib-matrix.sh says what each case
# checks): <$f> with :encoding(UTF-8) (text), :raw (bytes), sysread
# (unbuffered); three jobs waited for with IO::Select and with the
# four-argument select; search/query through "+<", syswrite, seek and
# <$f>.  Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
perl - "$MNT" "$WANT" "$Q" > "$TMP/out" 2>&1 <<'PL' || fail "perl: $(cat "$TMP/out")"
use strict;
use warnings;
use utf8;
use Encode qw(encode decode);
use IO::Select;
my ($M, $W, $Q) = map { decode("UTF-8", $_) } @ARGV;
my $Qb = encode("UTF-8", $Q);
sub same { my ($got, $want, $what) = @_; $got eq $want or die "$what: got [$got], want [$want]\n"; }
sub echoed { return "{\n  \"text\": \"$_[0]\"\n}\n"; }
sub slurp {    # PATH, LAYER: the whole file through <$f>
	my ($path, $layer) = @_;
	open(my $f, "<$layer", encode("UTF-8", $path)) or die "$path: $!";
	local $/;
	my $s = <$f>;
	close($f);
	return $s // "";
}
sub raw {      # sysread in small pieces
	my ($path) = @_;
	open(my $f, "<:raw", encode("UTF-8", $path)) or die "$path: $!";
	my $s = "";
	while (1) {
		my $n = sysread($f, my $b, 100);
		defined $n or die "sysread: $!";
		last if !$n;
		$s .= $b;
	}
	close($f);
	return $s;
}
sub clone {
	my $id = slurp("$M/tools/builtin/$_[0]/clone", "");
	chomp $id;
	return "$M/jobs/$id";
}
sub call {
	my ($J, $args) = @_;
	open(my $f, ">:encoding(UTF-8)", encode("UTF-8", "$J/call")) or die "call: $!";
	print $f $args;
	close($f) or die "close: $!";
}

# jobs: shell style, read back as text, bytes, sysread
for my $how ("text", "binary", "sysread") {
	my $t = "héllo ✓ perl $how";
	my $J = clone("echo");
	call($J, "{\"text\": \"$t\"}");
	if ($how eq "text") {
		same(slurp("$J/result", ":encoding(UTF-8)"), echoed($t), $how);
	} elsif ($how eq "binary") {
		same(slurp("$J/result", ":raw"), encode("UTF-8", echoed($t)), $how);
	} else {
		same(raw("$J/result"), encode("UTF-8", echoed($t)), $how);
	}
}
# three jobs at once: IO::Select, then select(RBITS, ...)
for my $waiter ("IO::Select", "select") {
	my (%secs, %got);
	my @fhs;
	for my $s ("0.3", "0.1", "0.2") {
		my $J = clone("sleep");
		call($J, "{\"seconds\": $s}");
		open(my $f, "<:raw", "$J/result") or die "result: $!";
		$secs{fileno($f)} = $s;
		push @fhs, $f;
	}
	if ($waiter eq "IO::Select") {
		my $sel = IO::Select->new(@fhs);
		while ($sel->count) {
			my @r = $sel->can_read(30) or die "IO::Select: no job ended in 30 s\n";
			for my $f (@r) {
				sysread($f, $got{fileno($f)}, 4096) // die "sysread: $!";
				$sel->remove($f);
			}
		}
	} else {
		my @left = @fhs;
		while (@left) {
			my $rin = "";
			vec($rin, fileno($_), 1) = 1 for @left;
			my $n = select(my $rout = $rin, undef, undef, 30);
			$n > 0 or die "select: no job ended in 30 s\n";
			for my $f (grep { vec($rout, fileno($_), 1) } @left) {
				sysread($f, $got{fileno($f)}, 4096) // die "sysread: $!";
			}
			@left = grep { !vec($rout, fileno($_), 1) } @left;
		}
	}
	same($got{$_}, "slept $secs{$_} s\n", $waiter) for keys %secs;
	close($_) for @fhs;
}
# search: the files, text, bytes and sysread
my $want = slurp("$W/results", ":raw");
my $want_json = slurp("$W/results.json", ":raw");
my $S = "$M/search/$Q";
same(slurp("$S/results", ":encoding(UTF-8)"), decode("UTF-8", $want), "results text");
same(slurp("$S/results.json", ":encoding(UTF-8)"), decode("UTF-8", $want_json), "results.json text");
same(slurp("$S/results.json", ":raw"), $want_json, "results.json bytes");
same(raw("$S/results"), $want, "results sysread");
# search/query as a transaction
open(my $f, "+<:raw", "$M/search/query") or die "open: $!";
syswrite($f, $Qb) or die "syswrite: $!";
seek($f, 0, 0) or die "seek: $!";
same(join("", <$f>), $want, "search/query +< seek");
close($f);
open($f, "+<:raw", "$M/search/query") or die "open: $!";
syswrite($f, $Qb) or die "syswrite: $!";
my $got = "";
while (sysread($f, my $b, 100)) { $got .= $b; }
close($f);
same($got, $want, "search/query sysread");
print "perl jobs and search ok\n";
PL
assert_eq "perl jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
