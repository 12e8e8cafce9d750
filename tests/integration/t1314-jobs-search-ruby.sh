#!/bin/bash
# Ruby's habits on jobs and search (lib-matrix.sh says what each case
# checks): File.read (text, UTF-8), File.binread (bytes), sysread
# (unbuffered); three jobs waited for with IO.select; search/query
# through File.open("r+"), write, flush, rewind, read.  Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
LANG=C.UTF-8 ruby - "$MNT" "$WANT" "$Q" > "$TMP/out" 2>&1 <<'RB' || fail "ruby: $(cat "$TMP/out")"
# encoding: utf-8
m, w, q = ARGV.map { |a| a.dup.force_encoding("UTF-8") }
def same(got, want, what)
  raise "#{what}: got #{got.inspect}, want #{want.inspect}" unless got == want
end
def echoed(t) = "{\n  \"text\": \"#{t}\"\n}\n"
def raw(path)
  out = "".b
  File.open(path, "rb") do |f|
    loop do
      out << f.sysread(100)
    rescue EOFError
      break
    end
  end
  out
end
clone = ->(tool) { "#{m}/jobs/" + File.read("#{m}/tools/builtin/#{tool}/clone").strip }

# jobs: shell style, read back as text, bytes, sysread
%w[text binary sysread].each do |how|
  t = "héllo ✓ ruby #{how}"
  j = clone.("echo")
  File.write(j + "/call", "{\"text\": \"#{t}\"}")
  case how
  when "text"
    got = File.read(j + "/result", encoding: "UTF-8")
    same(got.encoding, Encoding::UTF_8, how)
    same(got, echoed(t), how)
  when "binary" then same(File.binread(j + "/result"), echoed(t).b, how)
  else same(raw(j + "/result"), echoed(t).b, how)
  end
end
# three jobs at once, IO.select
files = %w[0.3 0.1 0.2].to_h do |s|
  j = clone.("sleep")
  File.write(j + "/call", "{\"seconds\": #{s}}")
  [File.open(j + "/result", "rb"), s]
end
got = {}
left = files.keys
until left.empty?
  r, = IO.select(left, nil, nil, 30)
  raise "IO.select: no job ended in 30 s" unless r
  r.each { |f| got[f] = f.sysread(4096) }
  left -= r
end
files.each { |f, s| same(got[f], "slept #{s} s\n".b, "IO.select"); f.close }
# search: the files, text, bytes and sysread
want = File.binread(w + "/results")
want_json = File.binread(w + "/results.json")
s = "#{m}/search/#{q}"
same(File.read(s + "/results", encoding: "UTF-8"), want.dup.force_encoding("UTF-8"), "results text")
same(File.read(s + "/results.json", encoding: "UTF-8"), want_json.dup.force_encoding("UTF-8"), "results.json text")
same(File.binread(s + "/results.json"), want_json, "results.json bytes")
same(raw(s + "/results"), want, "results sysread")
# search/query as a transaction
File.open(m + "/search/query", "r+") do |f|
  f.write(q)
  f.flush
  f.rewind
  same(f.read.b, want, "search/query rewind")
end
File.open(m + "/search/query", "r+b") do |f|
  f.syswrite(q)
  same(f.pread(65536, 0), want, "search/query pread")
end
puts "ruby jobs and search ok"
RB
assert_eq "ruby jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
