#!/bin/bash
# Go's habits on a transaction file: os.OpenFile(O_RDWR), Write,
# Seek(0), io.ReadAll; ReadAt at 0; shell style with os.WriteFile and
# os.ReadFile.  Exact answers.
. "$(dirname "$0")/lib.sh"
mount_default
mkdir -p "$TMP/go" "$TMP/gocache"
cat > "$TMP/go/main.go" <<'GO'
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
)

func check(got []byte, want map[string]any, what string) {
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil || !reflect.DeepEqual(v, want) {
		fmt.Fprintf(os.Stderr, "%s: got %q (%v)\n", what, got, err)
		os.Exit(1)
	}
}

func main() {
	e := os.Args[1] + "/tools/builtin/echo"
	for _, how := range []string{"seek", "readat"} {
		want := map[string]any{"lang": "go", "case": how}
		b, _ := json.Marshal(want)
		f, err := os.OpenFile(e+"/call", os.O_RDWR, 0)
		if err != nil {
			panic(err)
		}
		if _, err := f.Write(b); err != nil {
			panic(err)
		}
		var got []byte
		if how == "seek" {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				panic(err)
			}
			got, err = io.ReadAll(f)
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
			panic(err)
		}
		f.Close()
		check(got, want, how)
	}
	want := map[string]any{"lang": "go", "case": "shell"}
	b, _ := json.Marshal(want)
	if err := os.WriteFile(e+"/call", b, 0o644); err != nil {
		panic(err)
	}
	got, err := os.ReadFile(e + "/result")
	if err != nil {
		panic(err)
	}
	check(got, want, "shell")
	fmt.Println("go idioms ok")
}
GO
(cd "$TMP/go" && HOME=$TMP GOCACHE=$TMP/gocache GOFLAGS=-mod=mod GO111MODULE=off \
	go run main.go "$MNT") > "$TMP/out" 2>&1 || fail "go: $(cat "$TMP/out")"
assert_contains "$(cat "$TMP/out")" "go idioms ok" "go"
unmount_fs
