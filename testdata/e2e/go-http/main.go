// go-http: a tiny net/http server (CGO left at its default, so the binary is
// dynamically linked against glibc when built in golang:1.26).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "18081"
	}
	http.HandleFunc("/greet/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/greet/")
		fmt.Fprintf(w, "hello, %s (from go-http)\n", name)
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
