package facts

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/google/go-cmp/cmp"
)

func TestShelllessBlockers(t *testing.T) {
	ctx := fstest.MapFS{
		"docker-entrypoint.sh": {Data: []byte("#!/bin/sh\nexec \"$@\"\n")},
		"bin/run":              {Data: []byte("#!/usr/bin/env bash\n")},
		"app/server.js":        {Data: []byte("console.log(1)\n")},
		"app/start":            {Data: []byte("#!/bin/sh\n")},
		"app/main":             {Data: []byte("\x7fELF")},
	}
	tests := []struct {
		name, src string
		want      []string // "line: reason"
	}{
		{"clean", `FROM debian
COPY --from=build /app /app
USER 65532:65532
CMD ["/app"]
`, nil},
		{"run", `FROM debian
RUN apt-get update && apt-get install -y ca-certificates
RUN mkdir /data
RUN ["/app", "migrate"]
CMD ["/app"]
`, []string{
			"2: RUN apt-get installs packages for run time; the runtime image has no package manager",
			"3: RUN needs /bin/sh, which the runtime image does not have",
			"4: RUN runs a program while building the runtime stage; the runtime image has no tools to run",
		}},
		{"shell form convertible", `FROM debian
CMD exec /app --port 8080
`, nil},
		{"shell form with features", `FROM debian
ENTRYPOINT /app --port $PORT
`, []string{"2: shell-form ENTRYPOINT cannot become exec form: it expands $PORT at run time"}},
		{"shell form list", `FROM debian
CMD /app migrate && \
    /app serve
`, []string{"2: shell-form CMD cannot become exec form: it uses &&"}},
		{"shell form redirect", `FROM debian
CMD /app >/tmp/log
`, []string{"2: shell-form CMD cannot become exec form: it uses the redirection >"}},
		{"only the last CMD counts", `FROM debian
CMD /app && x
CMD ["/app"]
`, nil},
		{"shell entrypoint with cmd", `FROM debian
ENTRYPOINT /app
CMD ["--help"]
`, []string{"2: shell-form ENTRYPOINT ignores CMD; in exec form it would receive CMD as arguments"}},
		{"exec form shell", `FROM debian
CMD ["sh", "-c", "/app"]
`, []string{"2: CMD runs sh, which the runtime image does not have"}},
		{"entrypoint script from context", `FROM debian
COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node", "server.js"]
`, []string{"3: ENTRYPOINT runs docker-entrypoint.sh, a script (#!/bin/sh) that needs an interpreter the runtime image does not have"}},
		{"script in copied directory", `FROM debian
WORKDIR /srv
COPY app .
CMD ["./start"]
`, []string{"4: CMD runs app/start, a script (#!/bin/sh) that needs an interpreter the runtime image does not have"}},
		{"binary in copied directory", `FROM debian
WORKDIR /srv
COPY app .
CMD ["./main"]
`, nil},
		{"script renamed", `FROM debian
COPY bin/run /entry
ENTRYPOINT ["/entry"]
`, []string{"3: ENTRYPOINT runs bin/run, a script (#!/usr/bin/env bash) that needs an interpreter the runtime image does not have"}},
		{"script from another stage", `FROM debian
COPY --from=build /src/run.sh /run.sh
CMD ["/run.sh"]
`, []string{"3: CMD runs /run.sh, a shell script"}},
		{"healthcheck", `FROM debian
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
`, []string{"2: HEALTHCHECK CMD in shell form needs /bin/sh; write it in exec form with a probe the app provides"}},
		{"healthcheck exec curl", `FROM debian
HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]
`, []string{"2: HEALTHCHECK runs curl, which the runtime image does not have; the app must provide its own probe"}},
		{"healthcheck exec app", `FROM debian
HEALTHCHECK CMD ["/app", "health"]
HEALTHCHECK NONE
`, nil},
		{"users", `FROM debian
USER app
USER 1000:1000
USER nonroot:nonroot
COPY --chown=node:node a /a
COPY --chown=65532 a /a
ADD --chown=root:www a /a
`, []string{
			"2: USER app needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody",
			"5: COPY --chown=node:node needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody",
			"7: ADD --chown=root:www needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := rewrite.Parse("Dockerfile", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			p := &Source{File: f, Context: ctx}
			var got []string
			for _, b := range ShellNeeds(p, &f.Stages[len(f.Stages)-1]) {
				line, _ := f.Position(b.Span.Start)
				got = append(got, fmt.Sprintf("%d: %s", line, b.Reason))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("blockers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecArgs(t *testing.T) {
	tests := []struct{ src, want string }{
		{`CMD ["node", "server.js"]`, "node|server.js"},
		{`CMD node server.js`, "node|server.js"},
		{`CMD exec node "my app.js"`, "node|my app.js"},
		{`ENTRYPOINT ./app \` + "\n" + `  --flag`, "./app|--flag"},
		{`CMD node ${APP}`, "error: shell-form CMD cannot become exec form: it expands $APP at run time"},
		{`CMD a | b`, "error: shell-form CMD cannot become exec form: it uses |"},
		{`CMD A=1 app`, "error: shell-form CMD cannot become exec form: it sets A for the command"},
		{`CMD app; other`, "error: shell-form CMD cannot become exec form: it uses ; or a newline to run several commands"},
		{`CMD app *.txt`, "error: shell-form CMD cannot become exec form: it uses the glob *"},
	}
	for _, tt := range tests {
		f, err := rewrite.Parse("Dockerfile", []byte("FROM x\n"+tt.src+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		args, err := ExecArgs(f, f.Instrs[1])
		got := strings.Join(args, "|")
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tt.want {
			t.Errorf("ExecArgs(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}
