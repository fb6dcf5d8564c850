package rules_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// TestCorpusRuntimeRules runs lambda, runtime-base and non-root over the
// corpus for each runtime family, with and without --debug, and checks that
// every output parses, that fixing it again changes nothing, and that
// nothing before the final stage changed. It logs how many files each rule
// rewrote and reported, and the most common reasons.
func TestCorpusRuntimeRules(t *testing.T) {
	names, srcs := corpus(t)
	ruleSet, err := rules.Select([]string{"lambda", "runtime-base", "non-root"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []rules.Config{{}, {Base: "chainguard"}, {Debug: true}} {
		opts := rules.Options{Rules: ruleSet, Config: cfg}
		rewritten := map[string]int{}
		reported := map[string]map[string]bool{}
		reasons := map[string]int{}
		for i, src := range srcs {
			f, err := rewrite.Parse(names[i], src)
			if err != nil {
				continue
			}
			res, err := rules.Run(f, nil, opts)
			if err != nil {
				t.Errorf("%s: %v", names[i], err)
				continue
			}
			for r := range res.Applied {
				rewritten[r]++
			}
			for _, fd := range res.Findings {
				if reported[fd.Rule] == nil {
					reported[fd.Rule] = map[string]bool{}
				}
				reported[fd.Rule][names[i]] = true
				reasons[fd.Rule+": "+reasonKey(fd.Message)]++
			}
			if !res.Changed() {
				continue
			}
			out, err := rewrite.Parse(names[i], res.File.Src)
			if err != nil {
				t.Errorf("%s (%+v): output does not parse: %v", names[i], cfg, err)
				continue
			}
			finalStart := f.LineStart(f.Stages[len(f.Stages)-1].Location[0].Start.Line)
			if !bytes.Equal(src[:finalStart], out.Src[:min(finalStart, len(out.Src))]) {
				t.Errorf("%s (%+v): a rule changed a stage before the final one", names[i], cfg)
			}
			again, err := rules.Run(res.File, nil, opts)
			if err != nil || again.Changed() {
				t.Errorf("%s (%+v): not idempotent (err %v): second run applied %v", names[i], cfg, err, again.Applied)
			}
		}
		var lines []string
		for _, r := range ruleSet {
			lines = append(lines, fmt.Sprintf("%s: %d rewritten, %d reported", r.Name, rewritten[r.Name], len(reported[r.Name])))
		}
		for _, line := range mostCommon(reasons, 8) {
			lines = append(lines, "  "+line)
		}
		t.Logf("config %+v:\n%s", cfg, strings.Join(lines, "\n"))
	}
}

// reasonKey shortens a finding message to its reason, without the image or
// path it names, for counting.
func reasonKey(msg string) string {
	if _, after, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "final stage stays on") || strings.HasPrefix(msg, "Lambda function stays on") {
		msg = after
	}
	words := strings.Fields(msg)
	for i, w := range words {
		if strings.ContainsAny(w, "/0123456789$") {
			words[i] = "…"
		}
	}
	return strings.Join(words[:min(9, len(words))], " ")
}
