package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func ruleNames(rs []*rules.Rule) []string {
	names := []string{}
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return names
}

// TestResolve checks how layers combine: select replaces, ignore removes,
// scalars replace, later layers win.
func TestResolve(t *testing.T) {
	yes, no := true, false
	all := rules.Names()
	allButSuppression := slices.DeleteFunc(slices.Clone(all), func(n string) bool { return n == "suppression" })
	tests := []struct {
		name       string
		layers     []settings
		wantRules  []string
		wantConfig rules.Config
		wantUnsafe bool
	}{
		{"defaults", nil, all, rules.Config{Base: "distroless"}, false},
		{"ignore", []settings{{ignoreRules: []string{"suppression"}}}, allButSuppression, rules.Config{Base: "distroless"}, false},
		{"select after ignore re-enables", []settings{
			{ignoreRules: []string{"suppression"}, base: "chainguard", debug: &yes},
			{selectRules: []string{"suppression"}, hasSelect: true, debug: &no, unsafe: &yes},
		}, []string{"suppression"}, rules.Config{Base: "chainguard"}, true},
		{"empty select runs nothing", []settings{{hasSelect: true}}, []string{}, rules.Config{Base: "distroless"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, cfg, unsafe := resolve(tt.layers)
			if diff := cmp.Diff(tt.wantRules, ruleNames(rs)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			if !cmp.Equal(cfg, tt.wantConfig) || unsafe != tt.wantUnsafe {
				t.Errorf("got %+v unsafe=%v, want %+v unsafe=%v", cfg, unsafe, tt.wantConfig, tt.wantUnsafe)
			}
			if rs == nil {
				t.Error("resolve returned nil rules, which the driver reads as every rule")
			}
		})
	}
}

// TestDriverOptions runs the whole chain on files: discovery, overrides by
// glob, and flags that override only when set.
func TestDriverOptions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".dfslim.yaml", `
base: chainguard
debug: true
overrides:
  - paths: ["services/*/Dockerfile.*"]
    debug: false
  - paths: ["**/lambda"]
    base: distroless
    unsafe: true
`)
	for _, f := range []string{"Dockerfile", "services/api/Dockerfile", "services/api/Dockerfile.prod", "x/y/lambda/Dockerfile"} {
		write(f, "FROM alpine\n")
	}
	t.Chdir(dir)
	tests := []struct {
		path   string
		args   []string
		config rules.Config
		unsafe bool
	}{
		{"Dockerfile", nil, rules.Config{Base: "chainguard", Debug: true}, false},
		{"services/api/Dockerfile", nil, rules.Config{Base: "chainguard", Debug: true}, false},
		{"services/api/Dockerfile.prod", nil, rules.Config{Base: "chainguard"}, false},
		{"x/y/lambda/Dockerfile", nil, rules.Config{Base: "distroless", Debug: true}, true},
		{"x/y/lambda/Dockerfile", []string{"--base", "chainguard", "--unsafe=false"}, rules.Config{Base: "chainguard", Debug: true}, false},
		{"Dockerfile", []string{"--debug=false"}, rules.Config{Base: "chainguard"}, false},
		{"Dockerfile", []string{"--no-config"}, rules.Config{Base: "distroless"}, false},
	}
	for _, tt := range tests {
		o := &options{}
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		fs.StringSliceVar(&o.selectRules, "select", nil, "")
		fs.StringSliceVar(&o.ignoreRules, "ignore", nil, "")
		fs.StringVar(&o.base, "base", "distroless", "")
		fs.BoolVar(&o.debug, "debug", false, "")
		fs.BoolVar(&o.unsafe, "unsafe", false, "")
		o.addConfigFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		opts, err := o.driverOptions(tt.path, "Dockerfile")
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(opts.Config, tt.config) || opts.Unsafe != tt.unsafe {
			t.Errorf("%s %v: got %+v unsafe=%v, want %+v unsafe=%v", tt.path, tt.args, opts.Config, opts.Unsafe, tt.config, tt.unsafe)
		}
	}
}
