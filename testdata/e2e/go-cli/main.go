// wordtool: a small static CLI. Prints each argument reversed and a count.
package main

import (
	"fmt"
	"os"
	"strings"
)

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func main() {
	words := os.Args[1:]
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = reverse(w)
	}
	fmt.Printf("%d words: %s\n", len(words), strings.Join(out, " "))
}
