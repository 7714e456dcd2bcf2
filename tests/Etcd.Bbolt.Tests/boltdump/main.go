// boltdump: the tests' window onto real bbolt (Debian's go.etcd.io/bbolt).
//
//	boltdump dump FILE   checks FILE with bbolt's Tx.Check, then prints every bucket and key
//	boltdump load FILE   creates FILE from such a listing on stdin, written by bbolt itself
//
// Listing lines, depth first in key order: "B path" opens a bucket, "K path key value" is a
// key; path is the hex bucket names joined by '/', key and value are hex ("-" when empty).
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func enc(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func dec(s string) []byte {
	if s == "-" {
		return []byte{}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func dumpBucket(w *bufio.Writer, b *bolt.Bucket, path string) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			child := path + "/" + enc(k)
			if path == "" {
				child = enc(k)
			}
			fmt.Fprintf(w, "B %s\n", child)
			dumpBucket(w, b.Bucket(k), child)
			continue
		}
		fmt.Fprintf(w, "K %s %s %s\n", path, enc(k), enc(v))
	}
}

func main() {
	cmd, file := os.Args[1], os.Args[2]
	switch cmd {
	case "dump":
		db, err := bolt.Open(file, 0600, &bolt.Options{ReadOnly: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			os.Exit(2)
		}
		defer db.Close()
		w := bufio.NewWriter(os.Stdout)
		defer w.Flush()
		err = db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				fmt.Fprintln(os.Stderr, "check:", e)
				os.Exit(3)
			}
			fmt.Fprintf(w, "S %d\n", tx.Size())
			c := tx.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				fmt.Fprintf(w, "B %s\n", enc(k))
				dumpBucket(w, tx.Bucket(k), enc(k))
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "view:", err)
			os.Exit(2)
		}
	case "load":
		db, err := bolt.Open(file, 0600, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			os.Exit(2)
		}
		defer db.Close()
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 1<<26)
		err = db.Update(func(tx *bolt.Tx) error {
			bucket := func(path string) *bolt.Bucket {
				var b *bolt.Bucket
				for i, name := range strings.Split(path, "/") {
					if i == 0 {
						b = tx.Bucket(dec(name))
					} else {
						b = b.Bucket(dec(name))
					}
				}
				return b
			}
			for in.Scan() {
				f := strings.Fields(in.Text())
				switch f[0] {
				case "B":
					i := strings.LastIndex(f[1], "/")
					var err error
					if i < 0 {
						_, err = tx.CreateBucket(dec(f[1]))
					} else {
						_, err = bucket(f[1][:i]).CreateBucket(dec(f[1][i+1:]))
					}
					if err != nil {
						return err
					}
				case "K":
					if err := bucket(f[1]).Put(dec(f[2]), dec(f[3])); err != nil {
						return err
					}
				}
			}
			return in.Err()
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(2)
		}
	}
}
