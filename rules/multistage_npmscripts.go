package rules

import (
	"bytes"
	"regexp"

	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// This file reads package.json scripts for the split of a Node.js app: the
// pre script npm runs before the start script, and the installs a script
// runs.

// preScript decides what to do with the pre script npm runs before script:
// nothing when the build already ran the same command after the app's files
// were copied in (prestart: "npm run build" after RUN npm run build), a build
// step when it only compiles, or a blocker.
func (sp *split) preScript(in *rewrite.Instr, tool, script, pre string, scripts map[string]string) bool {
	words := strings.Fields(pre)
	if strings.ContainsAny(pre, "&|;<>$`'\"\\*?()") || len(words) == 0 {
		sp.block(in, "package.json has a pre%s script (`%s`), which only npm runs", script, pre)
		return false
	}
	if sp.ranAfterCopies(words) {
		sp.notes = append(sp.notes, fmt.Sprintf("the pre%s script (`%s`) is not run again: the build already ran it", script, pre))
		return true
	}
	compiles := facts.IsNodeBuild(words)
	if name := facts.ScriptCall(words); name != "" {
		body := scripts[name]
		compiles = body != "" && !strings.ContainsAny(body, "&|;<>$`'\"\\*?()") && facts.IsNodeBuild(strings.Fields(body))
	}
	if !compiles {
		sp.block(in, "package.json has a pre%s script (`%s`), which only npm runs; dfslim moves it to the build only when it compiles the app", script, pre)
		return false
	}
	sp.buildRun = shellWords([]string{tool, "run", "pre" + script})
	sp.notes = append(sp.notes, fmt.Sprintf("the pre%s script (`%s`) runs at the end of the build instead of at each start", script, pre))
	return true
}

// ranAfterCopies reports whether a RUN of the stage ran the same command, or
// the same package script, after the last COPY into the app directory.
func (sp *split) ranAfterCopies(words []string) bool {
	last := 0
	for _, cp := range sp.a.Copies {
		if facts.Within(strings.TrimSuffix(cp.Dest, "/"), strings.TrimSuffix(sp.a.Workdir, "/")) || facts.Within(strings.TrimSuffix(sp.a.Workdir, "/"), strings.TrimSuffix(cp.Dest, "/")) {
			last = max(last, cp.In.StartLine)
		}
	}
	want := facts.ScriptCall(words)
	for _, step := range sp.a.Runs {
		if step.In.StartLine < last || step.Exec {
			continue
		}
		for _, sc := range step.Cmds {
			if sc.Dynamic || slices.Contains(sc.Call.Dynamic, true) {
				continue
			}
			if slices.Equal(sc.Call.Args, words) || (want != "" && facts.ScriptCall(sc.Call.Args) == want) {
				return true
			}
		}
	}
	return false
}

// frontEnd reports whether a Node.js install below the app directory serves
// only a front-end build: a build ran in its directory and the command does
// not run a file inside it. Its node_modules (the build's tools) are then
// removed from the build stage before the runtime copies the app; the build
// output stays.
func (sp *split) frontEnd(art *facts.Artifact) bool {
	if sp.language != "node" || sp.appDir == "" || !strings.HasPrefix(art.Path, sp.appDir+"/") || !sp.a.NodeBuilt[art.Path] {
		return false
	}
	if sp.entryPath != "" && facts.Within(sp.entryPath, art.Path) {
		return false
	}
	nm := art.Path + "/node_modules"
	if !slices.Contains(sp.dropDirs, nm) {
		sp.dropDirs = append(sp.dropDirs, nm)
		sp.notes = append(sp.notes, fmt.Sprintf("%s is removed before the copy: only the front-end build in %s uses it", nm, art.Path))
	}
	return true
}

// devServer says what development tool a script command runs (a file
// watcher, a TypeScript runner, a bundler's dev server), or "".
func devServer(words []string) string {
	if len(words) == 0 {
		return ""
	}
	rest := words[1:]
	has := func(w ...string) bool {
		return slices.ContainsFunc(rest, func(x string) bool { return slices.Contains(w, x) })
	}
	switch path.Base(words[0]) {
	case "nodemon", "supervisor", "forever":
		return words[0] + ", a file watcher that restarts the app"
	case "ts-node", "ts-node-dev", "tsx", "babel-node":
		return words[0] + ", which compiles TypeScript or modern JavaScript at each start"
	case "vite", "webpack-dev-server", "parcel":
		if !has("build", "preview") {
			return words[0] + ", a bundler's development server"
		}
	case "next", "nuxt", "nuxi", "astro", "remix", "gatsby":
		if has("dev", "develop") {
			return words[0] + " dev, a development server"
		}
	case "react-scripts", "ng", "vue-cli-service", "webpack":
		if has("start", "serve") {
			return words[0] + " " + rest[0] + ", a development server"
		}
	case "node":
		if has("--watch") {
			return "node --watch, a file watcher"
		}
	}
	return ""
}

// nodeShebang matches the first line of a script that node runs.
var nodeShebang = regexp.MustCompile(`^#!\s*(/usr/bin/env\s+node|/usr/(local/)?bin/node)\s*$`)

// nodeScript turns a command that runs a script of the build context with a
// node shebang (#!/usr/bin/env node) on a Node.js build image into `node
// SCRIPT`, so that the runtime image's node runs it: a shell-less image has
// no /usr/bin/env.
func (sp *split) nodeScript() {
	if sp.a.Image.Language != "node" || len(sp.argv) == 0 {
		return
	}
	prog := sp.argv[0]
	if !strings.Contains(prog, "/") {
		return // a name looked up in PATH: a package's bin, not a file of the context
	}
	abs := facts.ResolveIn(sp.a.Workdir, prog)
	if abs == "" {
		return
	}
	ctx, ok := sp.a.ContextFile(abs)
	if !ok {
		return
	}
	data, _ := sp.p.Facts().ReadContext(ctx)
	line, _, _ := bytes.Cut(data, []byte("\n"))
	if !nodeShebang.Match(bytes.TrimRight(line, "\r")) {
		return // not node, or with interpreter options
	}
	if sp.epArgs != nil {
		sp.epArgs = append([]string{"node", abs}, sp.epArgs[1:]...)
	} else {
		sp.cmdArgs = append([]string{"node", abs}, sp.cmdArgs[1:]...)
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
	sp.notes = append(sp.notes, fmt.Sprintf("%s runs through node (its #! line needs /usr/bin/env)", ctx))
}
