package facts

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
)

// analyze runs BuildOutputs on the last stage of src with the given context
// files, and formats artifacts and blockers one per line.
func analyze(t *testing.T, src string, ctx map[string]string) string {
	t.Helper()
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for k, v := range ctx {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	p := &Source{File: f, Context: fsys}
	if ctx == nil {
		p.Context = nil
	}
	arts, blockers := BuildOutputs(p, &f.Stages[len(f.Stages)-1])
	var b strings.Builder
	for _, a := range arts {
		line, _ := f.Position(a.Span.Start)
		fmt.Fprintf(&b, "%d: %s %s libc=%s %s%s", line, a.Kind, a.Path, a.Libc, a.Language, a.Version)
		if a.DevDeps {
			b.WriteString(" dev")
		}
		b.WriteString("\n")
	}
	for _, bl := range blockers {
		line, _ := f.Position(bl.Span.Start)
		fmt.Fprintf(&b, "%d: blocked: %s\n", line, bl.Reason)
	}
	return b.String()
}

func TestAnalyzeBuild(t *testing.T) {
	gomod := map[string]string{"go.mod": "module example.com/hello/v2\n\ngo 1.22\n"}
	cargo := map[string]string{"Cargo.toml": "[package]\nname = \"pi-calc\"\n\n[[bin]]\nname = \"bootstrap\" # the lambda\npath = \"src/main.rs\"\n"}
	tests := []struct {
		name string
		src  string
		ctx  map[string]string
		want string
	}{
		{"go -o static", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n", nil,
			"4: go-binary /out/app libc=none go1.22\n"},
		{"go default name from go.mod", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build\n", gomod,
			"4: go-binary /src/hello libc=glibc go1.22\n"},
		{"go default name needs go.mod", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build .\n", nil,
			"4: blocked: cannot tell the name of the binary `go build` writes: go.mod for /src is not in the build context\n"},
		{"go relative -o and ENV", "FROM golang:1.22-alpine\nENV CGO_ENABLED=0\nWORKDIR /src\nRUN go build -o bin/ ./cmd/srv\n", nil,
			"4: go-binary /src/bin/srv libc=none go1.22\n"},
		{"go alpine cgo", "FROM golang:1.22-alpine\nWORKDIR /src\nRUN apk add --no-cache gcc musl-dev\nRUN go build -o app ./x\n", nil,
			"4: go-binary /src/app libc=musl go1.22\n"},
		{"go alpine no C compiler", "FROM golang:1.22-alpine\nWORKDIR /src\nRUN apk add --no-cache git\nRUN go build -o app ./x\n", nil,
			"4: go-binary /src/app libc=none go1.22\n"},
		{"go alpine before 1.20", "FROM golang:1.19-alpine\nWORKDIR /src\nRUN go build -o app ./x\n", nil,
			"3: go-binary /src/app libc=musl go1.19\n"},
		{"go install", "FROM golang:1.22\nARG CGO_ENABLED=0\nRUN go install github.com/acme/tool/cmd/tool@v1.2.3\n", nil,
			"3: go-binary /go/bin/tool libc=none go1.22\n"},
		{"go cd and export", "FROM golang:1.22\nRUN cd /w && export CGO_ENABLED=0 && go build -o app ./cmd/x\n", nil,
			"2: go-binary /w/app libc=none go1.22\n"},
		{"cargo release", "FROM rust:1.84\nWORKDIR /build\nCOPY . .\nRUN cargo build --release\n", cargo,
			"4: rust-binary /build/target/release/bootstrap libc=glibc rust1.84\n"},
		{"cargo musl target", "FROM rust:1.84\nWORKDIR /build\nCOPY Cargo.toml .\nRUN cargo build --release --target x86_64-unknown-linux-musl\n", cargo,
			"4: rust-binary /build/target/x86_64-unknown-linux-musl/release/bootstrap libc=none rust1.84\n"},
		{"cargo cache mount", "FROM rust:1.84\nWORKDIR /build\nCOPY . .\nRUN --mount=type=cache,target=/build/target cargo build -r --bin app\n", nil,
			"4: rust-binary /build/target/release/app libc=glibc rust1.84\n4: blocked: the build output /build/target/release/app is inside the cache mount /build/target, so later stages cannot copy it\n"},
		{"cargo install", "FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo install --path .\n", cargo,
			"4: rust-binary /usr/local/cargo/bin/bootstrap libc=glibc rust1\n"},
		{"npm ci", "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n", nil,
			"4: node-app /app libc=glibc node22 dev\n"},
		{"npm omit dev", "FROM node:22\nENV NODE_ENV=production\nWORKDIR /app\nRUN npm ci\nRUN npm i -g nodemon\n", nil,
			"4: node-app /app libc=glibc node22\n"},
		{"npm prune", "FROM node:22\nWORKDIR /app\nRUN npm ci && npm run build && npm prune --omit=dev\n", nil,
			"3: node-app /app libc=glibc node22\n"},
		{"pip system", "FROM python:3.11-slim\nWORKDIR /app\nRUN pip install --upgrade pip\nRUN pip install -r requirements.txt\n", nil,
			"4: python-app /usr/local/lib/python3.11/site-packages libc=glibc python3.11\n"},
		{"pip target", "FROM python:3.13\nRUN python -m pip install --target=/deps flask\n", nil,
			"2: python-app /deps libc=glibc python3.13\n"},
		{"pip venv", "FROM python:3.12\nENV VIRTUAL_ENV=/venv\nRUN python -m venv $VIRTUAL_ENV\nENV PATH=\"$VIRTUAL_ENV/bin:$PATH\"\nRUN pip install flask\n", nil,
			"5: python-app /venv/lib/python3.12/site-packages libc=glibc python3.12\n"},
		{"maven", "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\nRUN mvn -B package -DskipTests\n",
			map[string]string{"pom.xml": "<project><artifactId>demo</artifactId><version>0.1.0</version></project>"},
			"4: java-jar /src/target/demo-0.1.0.jar libc= java21\n"},
		{"maven cp glob", "FROM maven:3-eclipse-temurin-17\nWORKDIR /src\nRUN mvn package && cp target/*.jar /app.jar\n", nil,
			"3: java-jar  libc= java17\n3: java-jar /app.jar libc= java17\n"},
		{"gcc static", "FROM gcc:13\nWORKDIR /app\nRUN gcc -static -O2 -o hello hello.c\n", nil,
			"3: c-binary /app/hello libc=none c\n"},
		{"go build then mv", "FROM golang:1.22\nWORKDIR /src\nRUN go build -o app ./cmd/app && mv app /usr/local/bin/\n", nil,
			"3: go-binary /src/app libc=glibc go1.22\n3: go-binary /usr/local/bin/app libc=glibc go1.22\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analyze(t, tt.src, tt.ctx); got != tt.want {
				t.Errorf("got:\n%swant:\n%s", got, tt.want)
			}
		})
	}
}
