package rules

import (
	"bytes"
	"encoding/json"
	"regexp"

	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
)

// This file reads package.json scripts for the split of a Node.js app: the
// pre script npm runs before the start script, and the installs a script
// runs.

// scriptCall returns the script name that a command runs through a package
// manager (npm run X, npm run-script X, yarn [run] X, pnpm [run] X), or "".
func scriptCall(words []string) string {
	if len(words) < 2 {
		return ""
	}
	tool, rest := path.Base(words[0]), words[1:]
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return ""
	}
	switch tool {
	case "npm":
		if (rest[0] == "run" || rest[0] == "run-script") && len(rest) > 1 {
			return rest[1]
		}
		if rest[0] == "start" || rest[0] == "test" {
			return rest[0]
		}
	case "yarn", "pnpm":
		if rest[0] == "run" && len(rest) > 1 {
			return rest[1]
		}
		if !slices.Contains([]string{"install", "add", "remove", "global", "exec", "dlx", "prune", "i"}, rest[0]) {
			return rest[0]
		}
	}
	return ""
}

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
	compiles := nodeBuild(words)
	if name := scriptCall(words); name != "" {
		body := scripts[name]
		compiles = body != "" && !strings.ContainsAny(body, "&|;<>$`'\"\\*?()") && nodeBuild(strings.Fields(body))
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
	for _, cp := range sp.a.copies {
		if within(strings.TrimSuffix(cp.dest, "/"), strings.TrimSuffix(sp.a.workdir, "/")) || within(strings.TrimSuffix(sp.a.workdir, "/"), strings.TrimSuffix(cp.dest, "/")) {
			last = max(last, cp.in.StartLine)
		}
	}
	want := scriptCall(words)
	for _, step := range sp.a.runs {
		if step.in.StartLine < last || step.exec {
			continue
		}
		for _, sc := range step.cmds {
			if sc.dynamic || slices.Contains(sc.call.Dynamic, true) {
				continue
			}
			if slices.Equal(sc.call.Args, words) || (want != "" && scriptCall(sc.call.Args) == want) {
				return true
			}
		}
	}
	return false
}

// maxScriptDepth bounds package scripts that run other scripts.
const maxScriptDepth = 4

// followScript reads the package script that a package-manager command runs
// (npm run build, yarn build) from the package.json in the build context,
// with its pre and post scripts, and analyses their commands as if the RUN
// ran them: an install inside a script is an install of the stage. It also
// records the directories where a build ran.
func (a *stageAnalysis) followScript(step *runStep, sc *shellCmd, tool string, pa shell.Args) {
	dir := sc.dir
	if d, ok := pa.Last("prefix", "cwd", "C", "dir"); ok {
		dir = resolveIn(dir, d)
	}
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return
	}
	words := append([]string{tool}, sc.call.Args[1:]...)
	if nodeBuild(words) {
		a.markBuilt(dir)
	}
	name := scriptCall(words)
	if name == "" || a.scriptDepth >= maxScriptDepth {
		return
	}
	ctx, ok := a.contextFile(dir + "/package.json")
	if !ok {
		return
	}
	data, _ := readContext(a.p, ctx)
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if json.Unmarshal(data, &pkg) != nil {
		return
	}
	a.scriptDepth++
	defer func() { a.scriptDepth-- }()
	for _, n := range []string{"pre" + name, name, "post" + name} {
		body, ok := pkg.Scripts[n]
		if !ok {
			continue
		}
		script, err := shell.Parse(body)
		if err != nil {
			continue
		}
		sub := &runStep{in: step.in, workdir: dir}
		a.walkShell(sub, script)
		for i := range sub.cmds {
			c := &sub.cmds[i]
			if c.dynamic || len(c.call.Args) == 0 {
				continue
			}
			if nodeBuild(unwrapCall(slices.Clone(c.call.Args))) {
				a.markBuilt(strings.TrimSuffix(c.dir, "/"))
			}
			switch path.Base(c.call.Args[0]) {
			case "npm", "yarn", "pnpm":
				a.detectNode(step, c)
			}
		}
	}
}

func (a *stageAnalysis) markBuilt(dir string) {
	if a.nodeBuilt == nil {
		a.nodeBuilt = map[string]bool{}
	}
	a.nodeBuilt[dir] = true
}

// frontEnd reports whether a Node.js install below the app directory serves
// only a front-end build: a build ran in its directory and the command does
// not run a file inside it. Its node_modules (the build's tools) are then
// removed from the build stage before the runtime copies the app; the build
// output stays.
func (sp *split) frontEnd(art *buildArtifact) bool {
	if sp.language != "node" || sp.appDir == "" || !strings.HasPrefix(art.Path, sp.appDir+"/") || !sp.a.nodeBuilt[art.Path] {
		return false
	}
	if sp.entryPath != "" && within(sp.entryPath, art.Path) {
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
	if sp.a.image.language != "node" || len(sp.argv) == 0 {
		return
	}
	prog := sp.argv[0]
	if !strings.Contains(prog, "/") {
		return // a name looked up in PATH: a package's bin, not a file of the context
	}
	abs := resolveIn(sp.a.workdir, prog)
	if abs == "" {
		return
	}
	ctx, ok := sp.a.contextFile(abs)
	if !ok {
		return
	}
	data, _ := readContext(sp.p, ctx)
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
