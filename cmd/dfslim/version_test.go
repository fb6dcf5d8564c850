package main

import (
	"regexp"
	"runtime/debug"
	"testing"
)

// semver is the regular expression of semver.org for a version.
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// TestVersionIsSemver: the version in --version, JSON and SARIF is a
// semantic version for releases, pseudo-versions and development builds.
func TestVersionIsSemver(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{nil, "0.0.0-dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}}, "0.1.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202190000-abcdefabcdef"}}, "0.0.0-20261202190000-abcdefabcdef"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "0.0.0-dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("901e1ce0123456789abcdef", "false")}, "0.0.0-dev+901e1ce01234"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("901e1ce0123456789abcdef", "true")}, "0.0.0-dev+901e1ce01234.dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("not/valid", "false")}, "0.0.0-dev"},
	} {
		got := versionOf(tc.bi)
		if got != tc.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tc.bi, got, tc.want)
		}
		if !semver.MatchString(got) {
			t.Errorf("%q is not a semantic version", got)
		}
	}
	if v := version(); !semver.MatchString(v) {
		t.Errorf("version() = %q is not a semantic version", v)
	}
}
