package facts

import "testing"

func TestRequirementExcludes(t *testing.T) {
	for _, tc := range []struct {
		req  string
		min  string
		want bool
	}{
		{"psycopg2-binary==2.8.6", "2.9.5", true},
		{"psycopg2-binary==2.9.9", "2.9.5", false},
		{"psycopg2-binary", "2.9.5", false},
		{"psycopg2-binary>=2.8", "2.9.5", false},
		{"psycopg2-binary<2.9", "2.9.5", true},
		{"psycopg2-binary<=2.9.5", "2.9.5", false},
		{"psycopg2-binary<2.9.5", "2.9.5", true},
		{"psycopg2-binary~=2.8.6", "2.9.5", true},
		{"psycopg2-binary~=2.9.1", "2.9.5", false},
		{"psycopg2-binary~=2.8", "2.9.5", false},
		{"psycopg2-binary>=2.8,<2.9", "2.9.5", true},
	} {
		r, ok := ParseRequirement(tc.req)
		if !ok {
			t.Fatalf("ParseRequirement(%q) failed", tc.req)
		}
		if got := r.Excludes(tc.min); got != tc.want {
			t.Errorf("%q.Excludes(%q) = %v, want %v", tc.req, tc.min, got, tc.want)
		}
	}
}
