package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func engines() map[string]Engine {
	return map[string]Engine{
		Docker:  {Kind: Docker, Bin: "docker", BuildFlags: []string{"--pull=never"}},
		Podman:  {Kind: Podman, Bin: "/usr/bin/podman", BuildFlags: []string{"--pull=never"}},
		Buildah: {Kind: Buildah, Bin: "buildah", Flags: []string{"--root", "/s", "--storage-driver", "vfs"}, BuildFlags: []string{"--pull=never"}},
	}
}

func TestCommandLines(t *testing.T) {
	cfg := Config{Entrypoint: []string{"/app/server"}, Cmd: []string{"--listen", ":8080"}}
	run := Run{Name: "c1", Image: "localhost/x:1", Env: []string{"A=1"}, Port: 8080, HostPort: 40000}
	shell := Run{Name: "c1", Image: "localhost/x:1"}
	want := map[string]map[string]string{
		Docker: {
			"build":  "docker buildx build --load --pull=never -f ctx/Dockerfile -t localhost/x:1 ctx",
			"probe":  "docker info --format {{.ID}}",
			"create": "docker create --name c1 -e A=1 -p 127.0.0.1:40000:8080 localhost/x:1",
			"start":  "docker start --attach c1",
			"exec":   "docker run --rm --entrypoint /bin/sh localhost/x:1 -c exit 0",
			"rm":     "docker rm -f c1",
			"rmi":    "docker rmi -f localhost/x:1",
			"insp":   "docker image inspect localhost/x:1",
		},
		Podman: {
			"build":  "/usr/bin/podman build --format docker --pull=never -f ctx/Dockerfile -t localhost/x:1 ctx",
			"probe":  "/usr/bin/podman info --format {{.ID}}",
			"create": "/usr/bin/podman create --name c1 -e A=1 -p 127.0.0.1:40000:8080 localhost/x:1",
			"start":  "/usr/bin/podman start --attach c1",
			"exec":   "/usr/bin/podman run --rm --entrypoint /bin/sh localhost/x:1 -c exit 0",
			"rm":     "/usr/bin/podman rm -f c1",
			"rmi":    "/usr/bin/podman rmi -f localhost/x:1",
			"insp":   "/usr/bin/podman image inspect localhost/x:1",
		},
		Buildah: {
			"build":  "buildah --root /s --storage-driver vfs bud --format docker --layers=false --pull=never -f ctx/Dockerfile -t localhost/x:1 ctx",
			"probe":  "buildah --root /s --storage-driver vfs version",
			"create": "buildah --root /s --storage-driver vfs from --pull=never --quiet --name c1 localhost/x:1",
			"start":  "buildah --root /s --storage-driver vfs run -e A=1 c1 -- /app/server --listen :8080",
			"exec":   "buildah --root /s --storage-driver vfs run c1 -- /bin/sh -c exit 0",
			"rm":     "buildah --root /s --storage-driver vfs rm c1",
			"rmi":    "buildah --root /s --storage-driver vfs rmi -f localhost/x:1",
			"insp":   "buildah --root /s --storage-driver vfs inspect --type image localhost/x:1",
		},
	}
	for kind, e := range engines() {
		start, err := e.StartCmd(run, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{
			"build":  strings.Join(e.BuildCmd("ctx", "ctx/Dockerfile", "localhost/x:1"), " "),
			"probe":  strings.Join(e.ProbeCmd(), " "),
			"create": strings.Join(e.CreateCmd(run), " "),
			"start":  strings.Join(start, " "),
			"exec":   strings.Join(e.ExecCmd(shell, []string{"/bin/sh", "-c", "exit 0"}), " "),
			"rm":     strings.Join(e.RemoveCmd("c1"), " "),
			"rmi":    strings.Join(e.RemoveImageCmd("localhost/x:1"), " "),
			"insp":   strings.Join(e.InspectCmd("localhost/x:1"), " "),
		}
		if d := cmp.Diff(want[kind], got); d != "" {
			t.Errorf("%s command lines (-want +got):\n%s", kind, d)
		}
	}
}

// The entrypoint override and run arguments reach every engine the way
// docker run treats them: --entrypoint drops the image's CMD, arguments replace it.
func TestOverrides(t *testing.T) {
	cfg := Config{Entrypoint: []string{"/ep"}, Cmd: []string{"default"}}
	r := Run{Name: "c", Image: "img", Entrypoint: []string{"/bin/sh", "-c"}, Args: []string{"echo hi"}}
	e := engines()
	if got, want := strings.Join(e[Docker].CreateCmd(r), " "), "docker create --name c --entrypoint /bin/sh img -c echo hi"; got != want {
		t.Errorf("docker create = %q, want %q", got, want)
	}
	start, _ := e[Buildah].StartCmd(r, cfg)
	if got, want := strings.Join(start, " "), "buildah --root /s --storage-driver vfs run c -- /bin/sh -c echo hi"; got != want {
		t.Errorf("buildah run = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		ep, args, want []string
	}{
		{nil, nil, []string{"/ep", "default"}},
		{nil, []string{"x"}, []string{"/ep", "x"}},
		{[]string{"/other"}, nil, []string{"/other"}},
	} {
		if got := Argv(cfg, tc.ep, tc.args); !cmp.Equal(got, tc.want) {
			t.Errorf("Argv(%v, %v) = %v, want %v", tc.ep, tc.args, got, tc.want)
		}
	}
	if _, err := e[Buildah].StartCmd(Run{Name: "c", Image: "img"}, Config{}); err == nil {
		t.Error("buildah StartCmd of an image without ENTRYPOINT/CMD: no error")
	}
}

func TestFind(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, x := range names {
				if x == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	noDaemon := func(e Engine) error {
		if e.Kind == Docker {
			return errors.New("cannot connect to the Docker daemon")
		}
		return nil
	}
	for _, tc := range []struct {
		kind    string
		path    []string
		want    string
		wantErr string
	}{
		{"", []string{"podman", "buildah"}, "podman", ""},
		{"", []string{"docker", "buildah"}, "docker", ""},
		{"", []string{"buildah"}, "buildah", ""},
		{"buildah", []string{"docker", "buildah"}, "buildah", ""},
		{"", nil, "", "no container engine on PATH"},
		{"rkt", nil, "", "--engine must be one of"},
		{"podman", []string{"docker"}, "", "engine podman"},
	} {
		e, err := Find(tc.kind, onPath(tc.path...), nil)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Find(%q, %v) error = %v, want %q", tc.kind, tc.path, err, tc.wantErr)
			}
			continue
		}
		if err != nil || e.Kind != tc.want || e.Bin != "/usr/bin/"+tc.want {
			t.Errorf("Find(%q, %v) = %+v, %v; want %s", tc.kind, tc.path, e, err, tc.want)
		}
	}
	// docker on PATH without a daemon: the next engine is used.
	if e, err := Find("", onPath("docker", "buildah"), noDaemon); err != nil || e.Kind != Buildah {
		t.Errorf("docker without daemon: Find = %+v, %v; want buildah", e, err)
	}
	if _, err := Find("", onPath("docker"), noDaemon); err == nil || !strings.Contains(err.Error(), "Docker daemon") {
		t.Errorf("only docker, no daemon: error = %v", err)
	}
}

func TestParseInspect(t *testing.T) {
	dockerOut := `[{"Id":"sha256:1","Size":12345,"Config":{"User":"65532:65532","WorkingDir":"/app",
		"Entrypoint":["/server"],"Cmd":null,"Env":["PATH=/bin"],"ExposedPorts":{"9090/tcp":{},"8080/tcp":{},"53/udp":{}}}}]`
	buildahOut := `{"Type":"buildah 0.0.1","OCIv1":{"config":{"User":"1000","Cmd":["node","index.js"],
		"ExposedPorts":{"3000/tcp":{}}}},"Manifest":"{\"layers\":[{\"size\":100},{\"size\":23}]}"}`
	e := engines()
	for _, tc := range []struct {
		kind, out string
		want      Config
	}{
		{Docker, dockerOut, Config{User: "65532:65532", WorkingDir: "/app", Entrypoint: []string{"/server"}, Env: []string{"PATH=/bin"}, Ports: []int{8080, 9090}, Size: 12345}},
		{Podman, dockerOut, Config{User: "65532:65532", WorkingDir: "/app", Entrypoint: []string{"/server"}, Env: []string{"PATH=/bin"}, Ports: []int{8080, 9090}, Size: 12345}},
		{Buildah, buildahOut, Config{User: "1000", Cmd: []string{"node", "index.js"}, Ports: []int{3000}, Size: 123}},
	} {
		got, err := e[tc.kind].ParseInspect([]byte(tc.out))
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s ParseInspect (-want +got):\n%s", tc.kind, d)
		}
	}
	if _, err := e[Docker].ParseInspect([]byte(`[]`)); err == nil {
		t.Error("docker inspect of no image: no error")
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after Outcome
		same          bool
		what          string
	}{
		{"same output", Outcome{Kind: Exited, Stdout: "hi\n"}, Outcome{Kind: Exited, Stdout: "hi\n"}, true, ""},
		{"other output", Outcome{Kind: Exited, Stdout: "a\nb\n"}, Outcome{Kind: Exited, Stdout: "a\nc\n"}, false, `stdout differs: line 2 "b" → "c"`},
		{"other code", Outcome{Kind: Exited, Code: 0}, Outcome{Kind: Exited, Code: 127}, false, "exit code 0 → 127"},
		{"same error", Outcome{Kind: Exited, Code: 1, ErrLine: "dial tcp: connection refused"}, Outcome{Kind: Exited, Code: 1, ErrLine: "dial tcp: connection refused"}, true, ""},
		{"other error", Outcome{Kind: Exited, Code: 1, ErrLine: "x"}, Outcome{Kind: Exited, Code: 1, ErrLine: "y"}, false, `first error line "x" → "y"`},
		{"same status", Outcome{Kind: Answered, Status: 200}, Outcome{Kind: Answered, Status: 200}, true, ""},
		{"other status", Outcome{Kind: Answered, Status: 200}, Outcome{Kind: Answered, Status: 404}, false, "HTTP 200 → HTTP 404"},
		{"server died", Outcome{Kind: Answered, Status: 200}, Outcome{Kind: Exited, Code: 1, ErrLine: "exec: no such file"}, false, "HTTP 200 → exit 1 (exec: no such file)"},
		{"crash, other log", Outcome{Kind: Exited, Code: 1, Crashed: true, Stdout: "> npm start\n", ErrLine: "getaddrinfo ENOTFOUND redis"},
			Outcome{Kind: Exited, Code: 1, Crashed: true, Stdout: "listening on 5000\n", ErrLine: "getaddrinfo ENOTFOUND redis"}, true, ""},
		{"crash, other error", Outcome{Kind: Exited, Code: 1, Crashed: true, ErrLine: "getaddrinfo ENOTFOUND redis"},
			Outcome{Kind: Exited, Code: 1, Crashed: true, ErrLine: "Cannot find module 'redis'"}, false, `first error line "getaddrinfo ENOTFOUND redis" → "Cannot find module 'redis'"`},
		{"worker", Outcome{Kind: Up}, Outcome{Kind: Up}, true, ""},
		{"worker died", Outcome{Kind: Up}, Outcome{Kind: Exited, Code: 2}, false, "stays up → exit 2"},
	} {
		same, what := Compare(tc.before, tc.after)
		if same != tc.same || what != tc.what {
			t.Errorf("%s: Compare = %v, %q; want %v, %q", tc.name, same, what, tc.same, tc.what)
		}
	}
}

func TestErrorLine(t *testing.T) {
	for _, tc := range []struct{ out, want string }{
		{"2026/12/02 19:00:01 connecting\n2026/12/02 19:00:02 dial tcp 127.0.0.1:5432: connect: connection refused\n", "dial tcp 127.0.0.1:5432: connect: connection refused"},
		{"[19:00:01] Error: Cannot find module 'express'\n", "Error: Cannot find module 'express'"},
		{"2026-12-02T19:00:01.123Z panic: boom\n", "panic: boom"},
		{"\nusage: app [flags]\n", "usage: app [flags]"},
		{"", ""},
		{"subprocess exited with status 1\nError: exit status 1\n", ""},
		{"subprocess exited with status 2\nfatal: no handler\nError: exit status 2\n", "fatal: no handler"},
		{`{"level":"ERROR","timestamp":"2026-12-03T01:04:23.029Z","message":"Connection error: connect ECONNREFUSED"}`,
			`{"level":"ERROR","timestamp":"<time>","message":"Connection error: connect ECONNREFUSED"}`},
		{`{"level":50,"time":1764723863029,"msg":"connect ECONNREFUSED 127.0.0.1:6379"}`, `{"level":50,"time":<time>,"msg":"connect ECONNREFUSED 127.0.0.1:6379"}`},
		{"Error at 2026/12/03 01:04:23: connection refused\n", "Error at <time>: connection refused"},
	} {
		if got := ErrorLine(tc.out); got != tc.want {
			t.Errorf("ErrorLine(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"Go-HTTP":                          "go-http",
		"{{cookiecutter.x}}":               "cookiecutter-x",
		"__":                               "app",
		"a__{{cookiecutter.project_name}}": "a-cookiecutter-project-name",
		strings.Repeat("x", 80):            strings.Repeat("x", 64),
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
