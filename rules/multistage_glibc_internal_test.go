package rules

import "testing"

func TestUntaggedRelease(t *testing.T) {
	for tag, want := range map[string]string{
		"3.11":        "debian13",
		"3.11-slim":   "debian13",
		"3.11.4-slim": "debian12", // before Debian 13's release
		"3.11.12":     "debian12",
		"3.11.13":     "debian13", // current when the tags moved to trixie
		"3.11.14":     "debian13",
		"3.12.1-slim": "debian13", // no table entry: the newest release
		"3":           "debian13",
	} {
		if got := untaggedRelease(tag); got != want {
			t.Errorf("untaggedRelease(%q) = %q, want %q", tag, got, want)
		}
	}
}
