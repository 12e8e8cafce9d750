#!/bin/bash
# Go's habits on jobs and search (lib-matrix.sh says what each case
# checks): os.ReadFile, bufio.Reader (buffered), File.Read in small
# pieces (unbuffered); Go has no text mode (a string is its bytes), so
# each read is compared byte for byte.  search/query through
# os.OpenFile(O_RDWR), Write, Seek(0), io.ReadAll, and through ReadAt.
# Go has no poll API on files (the standard library offers no way to
# wait for several files): three jobs are waited for at once with a
# goroutine each and a channel.  Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
mkdir -p "$TMP/go" "$TMP/gocache"
cat > "$TMP/go/main.go" <<'GO'
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

var m string

func die(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

func same(got, want []byte, what string) {
	if !bytes.Equal(got, want) {
		fmt.Fprintf(os.Stderr, "%s: got %q, want %q\n", what, got, want)
		os.Exit(1)
	}
}

func echoed(t string) []byte { return []byte("{\n  \"text\": \"" + t + "\"\n}\n") }

func clone(tool string) string {
	id, err := os.ReadFile(filepath.Join(m, "tools/builtin", tool, "clone"))
	if err != nil {
		die("clone", err)
	}
	return filepath.Join(m, "jobs", strings.TrimSpace(string(id)))
}

// read reads path to its end: os.ReadFile, through bufio, or File.Read
// in pieces of 100 bytes.
func read(path, how string) []byte {
	if how == "ReadFile" {
		b, err := os.ReadFile(path)
		if err != nil {
			die(path, err)
		}
		return b
	}
	f, err := os.Open(path)
	if err != nil {
		die(path, err)
	}
	defer f.Close()
	if how == "bufio" {
		b, err := io.ReadAll(bufio.NewReader(f))
		if err != nil {
			die(path, err)
		}
		return b
	}
	var out []byte
	buf := make([]byte, 100)
	for {
		n, err := f.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			die(path, err)
		}
	}
}

func main() {
	m = os.Args[1]
	w, q := os.Args[2], os.Args[3]
	hows := []string{"ReadFile", "bufio", "Read"}
	// jobs: shell style, read back three ways
	for _, how := range hows {
		t := "héllo ✓ go " + how
		j := clone("echo")
		if err := os.WriteFile(j+"/call", []byte(`{"text": "`+t+`"}`), 0o644); err != nil {
			die("call", err)
		}
		same(read(j+"/result", how), echoed(t), "jobs "+how)
	}
	// jobs/ID/call as a transaction: Write, Seek(0), io.ReadAll
	{
		t := "héllo ✓ go transaction"
		f, err := os.OpenFile(clone("echo")+"/call", os.O_RDWR, 0)
		if err != nil {
			die("jobs/ID/call", err)
		}
		if _, err := f.Write([]byte(`{"text": "` + t + `"}`)); err != nil {
			die("jobs/ID/call", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			die("seek", err)
		}
		got, err := io.ReadAll(f)
		if err != nil {
			die("jobs/ID/call", err)
		}
		f.Close()
		same(got, echoed(t), "jobs/ID/call")
	}
	// three jobs at once: a goroutine each
	secs := []string{"0.3", "0.1", "0.2"}
	type answer struct {
		i int
		b []byte
	}
	ch := make(chan answer)
	for i, s := range secs {
		j := clone("sleep")
		if err := os.WriteFile(j+"/call", []byte(`{"seconds": `+s+`}`), 0o644); err != nil {
			die("call", err)
		}
		go func(i int, j string) { ch <- answer{i, read(j+"/result", "Read")} }(i, j)
	}
	for range secs {
		select {
		case a := <-ch:
			same(a.b, []byte("slept "+secs[a.i]+" s\n"), "goroutines")
		case <-time.After(30 * time.Second):
			die("goroutines", fmt.Errorf("no job ended in 30 s"))
		}
	}
	// search: the files, three ways
	want := read(w+"/results", "ReadFile")
	wantJSON := read(w+"/results.json", "ReadFile")
	s := filepath.Join(m, "search", q)
	for _, how := range hows {
		same(read(s+"/results", how), want, "results "+how)
		same(read(s+"/results.json", how), wantJSON, "results.json "+how)
	}
	// search/query as a transaction: Seek(0) + io.ReadAll, and ReadAt
	for _, how := range []string{"seek", "readat"} {
		f, err := os.OpenFile(m+"/search/query", os.O_RDWR, 0)
		if err != nil {
			die("search/query", err)
		}
		if _, err := f.Write([]byte(q)); err != nil {
			die("search/query", err)
		}
		var got []byte
		if how == "seek" {
			if _, err = f.Seek(0, io.SeekStart); err == nil {
				got, err = io.ReadAll(f)
			}
		} else {
			buf := make([]byte, 65536)
			var n int
			n, err = f.ReadAt(buf, 0)
			if err == io.EOF {
				err = nil
			}
			got = buf[:n]
		}
		if err != nil {
			die("search/query "+how, err)
		}
		f.Close()
		same(got, want, "search/query "+how)
	}
	fmt.Println("go jobs and search ok")
}
GO
(cd "$TMP/go" && HOME=$TMP GOCACHE=$TMP/gocache GOFLAGS=-mod=mod GO111MODULE=off \
	go run main.go "$MNT" "$WANT" "$Q") > "$TMP/out" 2>&1 || fail "go: $(cat "$TMP/out")"
assert_eq "go jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
