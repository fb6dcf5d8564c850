// Command lambda-adapter is the e2e stand-in's /lambda-adapter: a placeholder
// for AWS Lambda Web Adapter (public.ecr.aws/awsguru/aws-lambda-adapter),
// whose image this machine cannot pull and whose Rust build needs crates.io.
// Apps copy it into /opt/extensions, which only the Lambda service runs; the
// real-app comparisons run the app itself, so this program never runs there.
// If something does run it, it says what it is and fails.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "lambda-adapter: dfslim e2e stand-in, not AWS Lambda Web Adapter")
	os.Exit(1)
}
