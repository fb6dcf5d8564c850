package rules_test

import (
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
)

// TestAddToCopyWithoutContext checks that without a build context plain
// names are judged by their name and wildcards are left alone.
func TestAddToCopyWithoutContext(t *testing.T) {
	src := "FROM alpine:3.20\nADD *.conf /etc/\nADD app.conf /etc/app.conf\nADD rootfs.tar /\n"
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Run(f, nil, rules.Options{Rules: []*rules.Rule{rules.AddToCopy}})
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM alpine:3.20\nADD *.conf /etc/\nCOPY app.conf /etc/app.conf\nADD rootfs.tar /\n"
	if diff := cmp.Diff(want, string(res.File.Src)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	var got []string
	for _, fd := range res.Findings {
		got = append(got, fd.Message)
	}
	wantFindings := []string{
		"ADD stays: the wildcard *.conf cannot be checked for archives without the build context",
		"ADD stays: ADD unpacks local tar archives and rootfs.tar looks like one; use COPY if it should stay packed",
	}
	if diff := cmp.Diff(wantFindings, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
