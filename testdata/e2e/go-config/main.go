// go-config: a CLI that reads config.yaml and data/words.txt from its working
// directory at run time (issue 12 item 1b: a split must carry them).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	cfg := map[string]string{}
	f, err := os.Open("config.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			cfg[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	f.Close()
	words, err := os.ReadFile("data/words.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s, %s (%d words)\n", cfg["greeting"], cfg["name"], len(strings.Fields(string(words))))
}
