package facts

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRequirement(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Requirement
		ok   bool
	}{
		{"gunicorn", Requirement{Name: "gunicorn"}, true},
		{"Flask==3.0.3", Requirement{Name: "flask", Spec: "==3.0.3"}, true},
		{"uvicorn[standard] >=0.15.0,<0.16.0", Requirement{Name: "uvicorn", Extras: []string{"standard"}, Spec: ">=0.15.0,<0.16.0"}, true},
		{"fastapi == 0.95.*", Requirement{Name: "fastapi", Spec: "== 0.95.*"}, true},
		{"Zope.Interface_x>1; python_version > '3'", Requirement{Name: "zope-interface-x", Spec: ">1"}, true},
		{"gunicorn @ https://example.com/gunicorn-23.0.0-py3-none-any.whl", Requirement{Name: "gunicorn"}, true},
		{"gunicorn (>=20)", Requirement{Name: "gunicorn", Spec: ">=20"}, true},
		{"./pkg", Requirement{}, false},
		{"/wheels/app.whl", Requirement{}, false},
		{"-e .", Requirement{}, false},
		{"https://example.com/x.tar.gz", Requirement{}, false},
		{"app.whl", Requirement{}, false},
	} {
		got, ok := ParseRequirement(tc.in)
		if ok != tc.ok || ok && !cmp.Equal(got, tc.want, cmp.AllowUnexported(Requirement{})) {
			t.Errorf("parseRequirement(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRequirementAtLeast(t *testing.T) {
	for _, tc := range []struct {
		spec, min string
		want      bool
	}{
		{"", "20.1.0", true},
		{"==22.0.0", "20.1.0", true},
		{"==19.9.0", "20.1.0", false},
		{">=20.1", "20.1.0", true},
		{">=20.0,<21", "20.1.0", false},
		{"~=20.1.0", "20.1.0", true},
		{"<23", "20.1.0", false},
		{"== 0.115.*", "0.111.0", true},
		{"==0.110.3", "0.111.0", false},
		{"==1.0", "", true},
	} {
		if got := (Requirement{Name: "x", Spec: tc.spec}).AtLeast(tc.min); got != tc.want {
			t.Errorf("%q at least %q = %v, want %v", tc.spec, tc.min, got, tc.want)
		}
	}
}

func TestRequirementProvides(t *testing.T) {
	r, _ := ParseRequirement("fastapi[standard]>=0.112")
	for dist, want := range map[string]bool{"fastapi": true, "fastapi-cli": true, "uvicorn": true, "gunicorn": false} {
		if got := r.Provides(dist); got != want {
			t.Errorf("fastapi[standard] provides %s = %v, want %v", dist, got, want)
		}
	}
	if r, _ := ParseRequirement("fastapi"); r.Provides("uvicorn") {
		t.Error("plain fastapi provides uvicorn")
	}
}

func TestReadRequirements(t *testing.T) {
	files := map[string]string{
		"req/prod.txt": "# prod\n-r base.txt\n--requirement=extra.txt\ngunicorn==22.0.0  # server\n--index-url https://x\n" +
			"flask \\\n  >=3\n-e ./lib\n",
		"req/base.txt":  "requests\n-r base.txt\n", // includes itself: bounded
		"req/extra.txt": "uvicorn[standard]\n",
	}
	read := func(name string) ([]byte, bool) {
		s, ok := files[name]
		return []byte(s), ok
	}
	var got []string
	for _, r := range readRequirements(read, "req/prod.txt", 0) {
		got = append(got, r.Name+r.Spec)
	}
	want := []string{"requests", "requests", "requests", "requests", "requests", "uvicorn", "gunicorn==22.0.0", "flask>=3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
}

func TestPyprojectAndPipfile(t *testing.T) {
	pyproject := `[project]
name = "svc"
dependencies = [
    "fastapi[standard]>=0.112.2",
    'gunicorn >=20.1.0', "uvicorn",
]
[project.optional-dependencies]
test = ["pytest"]

[tool.poetry.dependencies]
python = "^3.11"
Django = "^5.0"
`
	var got []string
	for _, r := range pyprojectDependencies([]byte(pyproject)) {
		got = append(got, r.Name)
	}
	if diff := cmp.Diff([]string{"fastapi", "gunicorn", "uvicorn", "django"}, got); diff != "" {
		t.Errorf("pyproject dependencies (-want +got):\n%s", diff)
	}
	pipfile := "[packages]\nflask = \"==3.0\"\nuvicorn = {extras = [\"standard\"], version = \"*\"}\n\n[dev-packages]\npytest = \"*\"\n"
	got = nil
	for _, r := range pipfilePackages([]byte(pipfile)) {
		got = append(got, r.Name+r.Spec)
	}
	if diff := cmp.Diff([]string{"flask==3.0", "uvicorn"}, got); diff != "" {
		t.Errorf("Pipfile packages (-want +got):\n%s", diff)
	}
}

func TestClassifyUV(t *testing.T) {
	for ref, want := range map[string]string{
		"ghcr.io/astral-sh/uv:python3.12-bookworm-slim":                                                 "3.12 glibc debian12 python:3.12-slim-bookworm",
		"ghcr.io/astral-sh/uv:0.9.2-python3.13-trixie":                                                  "3.13 glibc debian13 python:3.13-trixie",
		"ghcr.io/astral-sh/uv:python3.11-alpine":                                                        "3.11 musl alpine python:3.11-alpine",
		"ghcr.io/astral-sh/uv:latest":                                                                   "   ",
		"ghcr.io/astral-sh/uv:bookworm-slim":                                                            "   ",
		"public.ecr.aws/docker/library/python:3.11.6-slim":                                              "3.11 glibc  ",
		"python:3.13-slim@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": "3.13 glibc  ",
	} {
		im := classifyBuilder(ref)
		if got := im.Version + " " + string(im.Libc) + " " + im.Distro + " " + im.basedOn; got != want {
			t.Errorf("classifyBuilder(%s) = %q, want %q", ref, got, want)
		}
	}
}
