#!/bin/bash
# Ruby's habits on a transaction file: File.open("r+"), write, flush,
# rewind, read; IO#pread at 0; shell style with File.write / File.read.
. "$(dirname "$0")/lib.sh"
mount_default
ruby - "$MNT" <<'RB' || fail "ruby idioms"
require "json"
e = ARGV[0] + "/tools/builtin/echo"
want = { "lang" => "ruby", "case" => "rewind" }
File.open(e + "/call", "r+") do |f|
  f.write(JSON.generate(want))
  f.flush
  f.rewind
  got = JSON.parse(f.read)
  raise "rewind: #{got}" unless got == want
end
want = { "lang" => "ruby", "case" => "pread" }
File.open(e + "/call", "r+") do |f|
  f.syswrite(JSON.generate(want))
  got = JSON.parse(f.pread(65536, 0))
  raise "pread: #{got}" unless got == want
end
want = { "lang" => "ruby", "case" => "shell" }
File.write(e + "/call", JSON.generate(want))
got = JSON.parse(File.read(e + "/result"))
raise "shell: #{got}" unless got == want
puts "ruby idioms ok"
RB
unmount_fs
