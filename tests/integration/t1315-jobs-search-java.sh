#!/bin/bash
# Java's habits on jobs and search (lib-matrix.sh says what each case
# checks): Files.readString (text), Files.readAllBytes (bytes),
# BufferedReader (buffered text), FileInputStream.read in small pieces
# (unbuffered bytes); search/query through RandomAccessFile("rw") and
# seek(0).  Java has no poll() on files (a FileChannel is not a
# SelectableChannel: Selector takes sockets and pipes only): three jobs
# are waited for at once with CompletableFuture, a thread each.  Exact
# answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
cat > "$TMP/Matrix.java" <<'JAVA'
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class Matrix {
	static String m;

	static void same(Object got, Object want, String what) {
		boolean eq = got instanceof byte[] ? Arrays.equals((byte[]) got, (byte[]) want) : got.equals(want);
		if (!eq)
			throw new AssertionError(what + ": got [" + (got instanceof byte[] ? new String((byte[]) got, StandardCharsets.UTF_8) : got) + "], want [" + (want instanceof byte[] ? new String((byte[]) want, StandardCharsets.UTF_8) : want) + "]");
	}
	static String echoed(String t) { return "{\n  \"text\": \"" + t + "\"\n}\n"; }
	static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
	static Path clone(String tool) throws Exception {
		String id = Files.readString(Path.of(m, "tools", "builtin", tool, "clone")).trim();
		return Path.of(m, "jobs", id);
	}
	static byte[] raw(Path p) throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (FileInputStream in = new FileInputStream(p.toFile())) {
			byte[] b = new byte[100];
			int n;
			while ((n = in.read(b)) > 0)
				out.write(b, 0, n);
		}
		return out.toByteArray();
	}
	static String buffered(Path p) throws Exception {
		StringBuilder sb = new StringBuilder();
		try (BufferedReader r = new BufferedReader(new InputStreamReader(new FileInputStream(p.toFile()), StandardCharsets.UTF_8))) {
			char[] c = new char[64];
			int n;
			while ((n = r.read(c)) > 0)
				sb.append(c, 0, n);
		}
		return sb.toString();
	}

	public static void main(String[] a) throws Exception {
		m = a[0];
		Path w = Path.of(a[1]);
		String q = a[2];
		// jobs: shell style, read back as text, bytes, buffered, unbuffered
		for (String how : List.of("text", "binary", "buffered", "unbuffered")) {
			String t = "h\u00e9llo \u2713 java " + how;
			Path j = clone("echo");
			Files.writeString(j.resolve("call"), "{\"text\": \"" + t + "\"}", StandardCharsets.UTF_8);
			Path r = j.resolve("result");
			switch (how) {
			case "text": same(Files.readString(r, StandardCharsets.UTF_8), echoed(t), how); break;
			case "binary": same(Files.readAllBytes(r), utf8(echoed(t)), how); break;
			case "buffered": same(buffered(r), echoed(t), how); break;
			default: same(raw(r), utf8(echoed(t)), how);
			}
		}
		// jobs/ID/call as a transaction: RandomAccessFile, seek(0)
		{
			String t = "h\u00e9llo \u2713 java transaction";
			try (RandomAccessFile f = new RandomAccessFile(clone("echo").resolve("call").toFile(), "rw")) {
				f.write(utf8("{\"text\": \"" + t + "\"}"));
				f.seek(0);
				byte[] b = new byte[(int) utf8(echoed(t)).length + 100];
				int n = 0, k;
				while ((k = f.read(b, n, b.length - n)) > 0)
					n += k;
				same(Arrays.copyOf(b, n), utf8(echoed(t)), "jobs/ID/call");
			}
		}
		// three jobs at once: no poll on files, a future each
		List<String> secs = List.of("0.3", "0.1", "0.2");
		List<CompletableFuture<String>> fs = new java.util.ArrayList<>();
		for (String s : secs) {
			Path j = clone("sleep");
			Files.writeString(j.resolve("call"), "{\"seconds\": " + s + "}");
			fs.add(CompletableFuture.supplyAsync(() -> {
				try {
					return Files.readString(j.resolve("result"));
				} catch (Exception e) {
					throw new RuntimeException(e);
				}
			}));
		}
		CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
		for (int i = 0; i < 3; i++)
			same(fs.get(i).get(), "slept " + secs.get(i) + " s\n", "futures");
		// search: the files, text, bytes, buffered, unbuffered
		byte[] want = Files.readAllBytes(w.resolve("results"));
		byte[] wantJson = Files.readAllBytes(w.resolve("results.json"));
		Path s = Path.of(m, "search", q);
		same(Files.readString(s.resolve("results")), new String(want, StandardCharsets.UTF_8), "results text");
		same(Files.readString(s.resolve("results.json")), new String(wantJson, StandardCharsets.UTF_8), "results.json text");
		same(Files.readAllBytes(s.resolve("results.json")), wantJson, "results.json bytes");
		same(buffered(s.resolve("results.json")), new String(wantJson, StandardCharsets.UTF_8), "results.json buffered");
		same(raw(s.resolve("results")), want, "results unbuffered");
		// search/query as a transaction
		try (RandomAccessFile f = new RandomAccessFile(Path.of(m, "search", "query").toFile(), "rw")) {
			f.write(utf8(q));
			f.seek(0);
			byte[] b = new byte[want.length + 100];
			int n = 0, k;
			while ((k = f.read(b, n, b.length - n)) > 0)
				n += k;
			same(Arrays.copyOf(b, n), want, "search/query");
		}
		System.out.println("java jobs and search ok");
	}
}
JAVA
# Java encodes file names by the locale: the query has a non-ASCII character.
(cd "$TMP" && LC_ALL=C.UTF-8 java -Dfile.encoding=UTF-8 Matrix.java "$MNT" "$WANT" "$Q") > "$TMP/out" 2>&1 ||
	fail "java: $(cat "$TMP/out")"
assert_eq "java jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
