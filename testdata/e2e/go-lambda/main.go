// go-lambda: an AWS Lambda handler using github.com/aws/aws-lambda-go
// (vendored, so the image build needs no network).
package main

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

type Event struct {
	Name string `json:"name"`
}

type Response struct {
	Message string `json:"message"`
	Length  int    `json:"length"`
}

func handle(ctx context.Context, e Event) (Response, error) {
	return Response{Message: "hello, " + strings.ToUpper(e.Name), Length: len(e.Name)}, nil
}

func main() { lambda.Start(handle) }
