// go-run: a CLI whose Dockerfile runs it with `go run .` (compiled when the
// container starts); dfslim turns that into a build step.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	fmt.Printf("go-run: hello, %s\n", strings.Join(os.Args[1:], " and "))
}
