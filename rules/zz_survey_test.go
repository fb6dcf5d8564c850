package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func TestZZSurvey(t *testing.T) {
	dir := os.Getenv("DFSLIM_CORPUS")
	if dir == "" || os.Getenv("SURVEY") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, path := range files {
		src, _ := os.ReadFile(path)
		f, err := rewrite.Parse(filepath.Base(path), src)
		if err != nil || len(f.Stages) < 2 {
			continue
		}
		final := &f.Stages[len(f.Stages)-1]
		info := ClassifyBase(final.BaseName)
		why := ""
		switch {
		case stageIndex(f, final.BaseName, len(f.Stages)-1) >= 0:
			why = "stage-ref"
		case strings.Contains(final.BaseName, "$"):
			why = "arg:" + expandMetaArgs(f, final.BaseName)
		default:
			why = info.Family
		}
		hasCmd := false
		for _, c := range final.Commands {
			switch c.(type) {
			case *instructions.CmdCommand, *instructions.EntrypointCommand:
				hasCmd = true
			}
		}
		fmt.Printf("%-20s cmd=%-5v %-45s %s\n", why, hasCmd, final.BaseName, filepath.Base(path))
	}
}
