#!/bin/bash
# Java's habits on a transaction file: RandomAccessFile("rw"), write,
# seek(0), read to the end; and Files.writeString / readString for shell
# style.  Exact answers.
. "$(dirname "$0")/lib.sh"
mount_default
cat > "$TMP/Idioms.java" <<'JAVA'
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class Idioms {
	public static void main(String[] a) throws Exception {
		String e = a[0] + "/tools/builtin/echo";
		try (RandomAccessFile f = new RandomAccessFile(e + "/call", "rw")) {
			f.write("{\"lang\":\"java\",\"case\":\"raf\"}".getBytes(StandardCharsets.UTF_8));
			f.seek(0);
			StringBuilder sb = new StringBuilder();
			byte[] b = new byte[256];
			int n;
			while ((n = f.read(b)) > 0)
				sb.append(new String(b, 0, n, StandardCharsets.UTF_8));
			String got = sb.toString();
			if (!got.contains("\"case\": \"raf\"") || !got.contains("\"lang\": \"java\""))
				throw new AssertionError("raf: " + got);
		}
		Files.writeString(Path.of(e, "call"), "{\"lang\":\"java\",\"case\":\"shell\"}");
		String got = Files.readString(Path.of(e, "result"));
		if (!got.contains("\"case\": \"shell\""))
			throw new AssertionError("shell: " + got);
		System.out.println("java idioms ok");
	}
}
JAVA
(cd "$TMP" && java Idioms.java "$MNT") > "$TMP/out" 2>&1 || fail "java: $(cat "$TMP/out")"
assert_contains "$(cat "$TMP/out")" "java idioms ok" "java"
unmount_fs
