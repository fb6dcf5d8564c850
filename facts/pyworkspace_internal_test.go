package facts

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
)

func TestUVSyncRequires(t *testing.T) {
	ctx := fstest.MapFS{
		"pyproject.toml": {Data: []byte("[project]\nname = \"Root\"\ndependencies = [\"click\"]\n\n" +
			"[tool.uv.workspace]\nmembers = [\n  \"packages/*\",\n]\nexclude = [\"packages/old\"]\n")},
		"packages/api/pyproject.toml": {Data: []byte("[project]\nname = \"my_api\"\ndependencies = [\"fastapi[standard]>=0.115\"]\n")},
		"packages/cli/pyproject.toml": {Data: []byte("[project]\nname = \"cli\"\ndependencies = [\"typer\"]\n")},
		"packages/old/pyproject.toml": {Data: []byte("[project]\nname = \"old\"\ndependencies = [\"gunicorn\"]\n")},
	}
	read := func(n string) ([]byte, bool) { b, err := fs.ReadFile(ctx, n); return b, err == nil }
	glob := func(p string) []string { m, _ := fs.Glob(ctx, p); return m }
	names := func(rs []Requirement) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		pkgs []string
		all  bool
		want []string
	}{
		{nil, false, []string{"click"}},
		{[]string{"my-api"}, false, []string{"fastapi"}},
		{[]string{"root", "cli"}, false, []string{"click", "typer"}},
		{[]string{"old"}, false, nil}, // excluded from the workspace
		{nil, true, []string{"click", "fastapi", "typer"}},
		{[]string{"missing"}, false, nil},
	} {
		if got := names(uvSyncRequires(read, glob, "pyproject.toml", c.pkgs, c.all)); !slices.Equal(got, c.want) {
			t.Errorf("packages %v all %v: got %v, want %v", c.pkgs, c.all, got, c.want)
		}
	}
}
