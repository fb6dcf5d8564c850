package rules

import (
	"slices"
	"testing"

	"github.com/dfslim/dfslim/facts"
)

func TestRuntimeLibPackage(t *testing.T) {
	for _, c := range []struct{ dev, distro, want string }{
		{"libpq-dev", "debian12", "libpq5"},
		{"libpq-dev", "", "libpq5"}, // a tag with no release: the name is the same in every one
		{"libpq-dev", "alpine", "libpq"},
		{"libldap2-dev", "debian12", "libldap-2.5-0"},
		{"libldap2-dev", "debian13", "libldap2"},
		{"libldap2-dev", "", ""}, // differs between releases
		{"libcurl4-openssl-dev", "debian13", "libcurl4t64"},
		{"postgresql-dev", "debian12", ""},
		{"libfoo-dev", "debian12", ""},
	} {
		if got := runtimeLibPackage(c.dev, c.distro); got != c.want {
			t.Errorf("runtimeLibPackage(%q, %q) = %q, want %q", c.dev, c.distro, got, c.want)
		}
	}
}

func TestNativeRequirements(t *testing.T) {
	var reqs []facts.Requirement
	for _, s := range []string{"psycopg2==2.9.9", "psycopg2-binary", "psycopg[binary]>=3", "pycurl<7.45", "pycurl>=7.45.3", "mysqlclient", "flask"} {
		r, ok := facts.ParseRequirement(s)
		if !ok {
			t.Fatalf("parseRequirement(%q) failed", s)
		}
		reqs = append(reqs, r)
	}
	sp := &split{art: &facts.Artifact{Kind: facts.KindPythonApp, Requires: reqs}}
	got, _ := sp.nativeRequirements()
	var names []string
	for _, r := range got {
		names = append(names, r.Name+r.Spec)
	}
	want := []string{"psycopg2==2.9.9", "pycurl<7.45", "mysqlclient"}
	if !slices.Equal(names, want) {
		t.Errorf("nativeRequirements = %q, want %q", names, want)
	}
}

// Every development package the tables name maps to a runtime package on
// some distribution, except those with no distribution package.
func TestNativeTablesMapped(t *testing.T) {
	unmapped := []string{"apache2-dev", "oracle-instantclient", "libpango1.0-dev", "libgeoip-dev", "libgirepository1.0-dev", "libsqlcipher-dev"}
	check := func(dev string) {
		if _, ok := runtimeLibPackages[dev]; !ok && !slices.Contains(unmapped, dev) {
			t.Errorf("%s has no runtime package", dev)
		}
	}
	for _, d := range nativePythonDists {
		for _, dev := range d.dev {
			check(dev)
		}
	}
	for _, devs := range nativeNodeAddons {
		for _, dev := range devs {
			check(dev)
		}
	}
}
