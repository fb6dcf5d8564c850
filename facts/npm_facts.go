package facts

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/shell"
)

// ScriptCall returns the script name that a command runs through a package
// manager (npm run X, npm run-script X, yarn [run] X, pnpm [run] X), or "".
func ScriptCall(words []string) string {
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

// maxScriptDepth bounds package scripts that run other scripts.
const maxScriptDepth = 4

// followScript reads the package script that a package-manager command runs
// (npm run build, yarn build) from the package.json in the build context,
// with its pre and post scripts, and analyses their commands as if the RUN
// ran them: an install inside a script is an install of the stage. It also
// records the directories where a build ran.
func (a *Build) followScript(step *RunStep, sc *Command, tool string, pa shell.Args) {
	dir := sc.Dir
	if d, ok := pa.Last("prefix", "cwd", "C", "dir"); ok {
		dir = ResolveIn(dir, d)
	}
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return
	}
	words := append([]string{tool}, sc.Call.Args[1:]...)
	if IsNodeBuild(words) {
		a.markBuilt(dir)
	}
	name := ScriptCall(words)
	if name == "" || a.scriptDepth >= maxScriptDepth {
		return
	}
	ctx, ok := a.ContextFile(dir + "/package.json")
	if !ok {
		return
	}
	data, _ := ReadContext(a.p, ctx)
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
		sub := &RunStep{In: step.In, Workdir: dir}
		a.walkShell(sub, script)
		for i := range sub.Cmds {
			c := &sub.Cmds[i]
			if c.Dynamic || len(c.Call.Args) == 0 {
				continue
			}
			if IsNodeBuild(unwrapCall(slices.Clone(c.Call.Args))) {
				a.markBuilt(strings.TrimSuffix(c.Dir, "/"))
			}
			switch path.Base(c.Call.Args[0]) {
			case "npm", "yarn", "pnpm":
				a.detectNode(step, c)
			}
		}
	}
}

func (a *Build) markBuilt(dir string) {
	if a.NodeBuilt == nil {
		a.NodeBuilt = map[string]bool{}
	}
	a.NodeBuilt[dir] = true
}

// IsNodeBuild reports whether the command c builds a Node.js app: a package
// script called build…, or a bundler or compiler.
func IsNodeBuild(c []string) bool {
	a := CommandArgs(c)
	switch c[0] {
	case "npm", "pnpm", "yarn", "bun":
		if len(a) > 1 && (a[0] == "run" || a[0] == "run-script") {
			return strings.HasPrefix(a[1], "build")
		}
		return c[0] != "npm" && len(a) > 0 && strings.HasPrefix(a[0], "build")
	case "tsc", "webpack", "rollup", "esbuild":
		return true
	case "vite", "next", "ng", "parcel", "nx", "turbo":
		return slices.Contains(a, "build")
	case "nuxt", "nuxi":
		return FirstArgIn(c, "build", "generate")
	}
	return false
}

// flagsWithValue are package-manager flags whose value is the next word.
var flagsWithValue = []string{"--prefix", "--cwd", "-C", "--dir", "--filter", "-F", "--workspace", "-f", "--file", "--projects", "-pl"}

// CommandArgs returns the words after the command name that are neither
// flags nor the values of flagsWithValue.
func CommandArgs(c []string) []string {
	var out []string
	for i := 1; i < len(c); i++ {
		w := c[i]
		if strings.HasPrefix(w, "-") {
			if slices.Contains(flagsWithValue, w) {
				i++
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

// FirstArgIn reports whether the first operand of command c (see
// [CommandArgs]) is one of words.
func FirstArgIn(c []string, words ...string) bool {
	a := CommandArgs(c)
	return len(a) > 0 && slices.Contains(words, a[0])
}
