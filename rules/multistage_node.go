package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// leavesPackageCache reports whether a RUN of the build stage installs
// Node.js packages with npm or yarn and leaves the package manager's cache in
// the image (no cache mount on that RUN, no cache clean or removal of it in
// any RUN). A runtime stage that copies only the app tree loses that cache.
func (sp *split) leavesPackageCache() bool {
	installs := false
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || len(sc.Call.Args) == 0 {
				continue
			}
			args := sc.Call.Args
			name := path.Base(args[0])
			switch {
			case (name == "npm" || name == "yarn") && len(args) > 2 && args[1] == "cache":
				return false
			case name == "rm" && removesPackageCache(sc.Call):
				return false
			case packageInstall(name, args[1:]):
				if len(step.Caches) > 0 {
					return false
				}
				if _, ok := sc.Env["npm_config_cache"]; ok {
					return false
				}
				installs = true
			}
		}
	}
	if !installs {
		return false
	}
	if _, ok := sp.a.EnvVars["npm_config_cache"]; ok {
		return false
	}
	if _, ok := sp.a.EnvVars["YARN_CACHE_FOLDER"]; ok {
		return false
	}
	// The app tree must not hold the caches (a home directory as WORKDIR).
	kept := []string{sp.appDir, sp.a.Workdir}
	if sp.appDir == "" && len(sp.rootFiles) > 0 {
		kept = sp.rootFiles // the app in /: only these files are carried
	}
	for _, d := range kept {
		if d == "/" || d == "" || d == "/root" || strings.HasPrefix(d, "/home/") || strings.HasPrefix(d, "/usr/local/share") {
			return false
		}
	}
	return true
}

// packageInstall reports whether npm or yarn, run with args, installs
// packages (and so fills its cache).
func packageInstall(name string, args []string) bool {
	sub := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			sub = a
			break
		}
	}
	switch name {
	case "npm":
		switch sub {
		case "install", "i", "ci", "add", "isntall", "in":
			return true
		}
	case "yarn":
		switch sub {
		case "", "install", "add", "global":
			return true
		}
	}
	return false
}

// removesPackageCache reports whether rm's arguments may name the npm or
// yarn cache: a path holding .npm, .cache or yarn, or a word that starts with
// an expansion.
func removesPackageCache(c *shell.Call) bool {
	for i, w := range c.Expr.Args[1:] {
		a := c.Args[i+1]
		if c.Dynamic[i+1] {
			lit, ok := w.Parts[0].(*syntax.Lit)
			if !ok {
				return true
			}
			a = lit.Value
		}
		if strings.Contains(a, ".npm") || strings.Contains(a, ".cache") || strings.Contains(a, "yarn") {
			return true
		}
	}
	return false
}

// nodeGlobalBin turns a command that runs a bin of the app's own package,
// installed globally by `npm install -g` (or `npm link`) run without package
// names in the app's directory, into `node FILE`: npm links such an install
// to the directory itself, so FILE, read from the bin field of the
// package.json copied in from the context, is the program the bin's symbolic
// link runs. The file must start with a node #! line.
func (sp *split) nodeGlobalBin() {
	if sp.a.Image.Language != "node" || len(sp.argv) == 0 {
		return
	}
	prog := sp.argv[0]
	if strings.Contains(prog, "/") && path.Dir(prog) != "/usr/local/bin" {
		return
	}
	name := path.Base(prog)
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || sc.Dir == "" || !globalSelfInstall(sc.Call.Args) {
				continue
			}
			file := sp.packageBin(sc.Dir, name)
			if file == "" {
				continue
			}
			if sp.epArgs != nil {
				sp.epArgs = append([]string{"node", file}, sp.epArgs[1:]...)
			} else {
				sp.cmdArgs = append([]string{"node", file}, sp.cmdArgs[1:]...)
			}
			sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
			sp.packageDir = sc.Dir
			sp.notes = append(sp.notes, fmt.Sprintf("%s is the bin of the package in %s, installed globally from that directory; it runs as node %s", name, sc.Dir, file))
			return
		}
	}
}

// globalSelfInstall reports whether args are an npm command that installs
// the package of the working directory globally: npm install -g (no package
// names) or npm link (no names).
func globalSelfInstall(args []string) bool {
	if len(args) < 2 || path.Base(args[0]) != "npm" {
		return false
	}
	global, sub, operands := false, "", 0
	for _, a := range args[1:] {
		switch {
		case a == "-g" || a == "--global" || a == "--location=global" || a == "--global=true":
			global = true
		case strings.HasPrefix(a, "-"):
			if !strings.Contains(a, "=") && a != "--omit" && a != "--production" && !strings.HasPrefix(a, "--no-") && a != "--silent" && a != "--quiet" {
				return false // an option that may take the next word
			}
		case sub == "":
			sub = a
		default:
			operands++
		}
	}
	switch sub {
	case "install", "i", "isntall", "add":
		return global && operands == 0
	case "link", "ln":
		return operands == 0
	}
	return false
}

// packageBin returns the absolute path of the bin name of the package.json
// in dir, when that package.json and the bin's file (with a node #! line)
// are copied in from the build context; "" otherwise.
func (sp *split) packageBin(dir, name string) string {
	ctx, ok := sp.a.ContextFile(path.Join(dir, "package.json"))
	if !ok {
		return ""
	}
	data, ok := sp.p.Facts().ReadContext(ctx)
	if !ok {
		return ""
	}
	var pkg struct {
		Name string          `json:"name"`
		Bin  json.RawMessage `json:"bin"`
	}
	if json.Unmarshal(data, &pkg) != nil || len(pkg.Bin) == 0 {
		return ""
	}
	rel := ""
	var one string
	var many map[string]string
	switch {
	case json.Unmarshal(pkg.Bin, &one) == nil:
		_, base, _ := strings.Cut("/"+pkg.Name, "/")
		if i := strings.LastIndex(pkg.Name, "/"); i >= 0 {
			base = pkg.Name[i+1:]
		}
		if base == name {
			rel = one
		}
	case json.Unmarshal(pkg.Bin, &many) == nil:
		rel = many[name]
	}
	if rel == "" || path.IsAbs(rel) || strings.HasPrefix(path.Clean(rel), "..") {
		return ""
	}
	abs := path.Join(dir, rel)
	binCtx, ok := sp.a.ContextFile(abs)
	if !ok {
		return ""
	}
	src, _ := sp.p.Facts().ReadContext(binCtx)
	line, _, _ := bytes.Cut(src, []byte("\n"))
	if !nodeShebang.Match(bytes.TrimRight(line, "\r")) {
		return ""
	}
	return abs
}

// buildOnlyTools are programs that a package script running them at run time
// would miss on a runtime stage without the build's packages.
var buildOnlyTools = []string{"python", "python3", "gcc", "g++", "cc", "c++", "make", "git", "node-gyp"}

// keepsNpmScript reports whether, on the slim rung (the build's own image),
// the package script of `npm start` (or run X) can run as written, through
// npm and the image's shell: the runtime stage has the same image, the same
// app directory and the same node_modules, as long as package.json declares
// no devDependencies (none pruned), the build installs no global package (the
// runtime would not have it), and none of the scripts npm runs for it names a
// system package the build installed or a build tool.
func (sp *split) keepsNpmScript(script string, scripts map[string]string, devDeps map[string]any) bool {
	if len(devDeps) > 0 || devServer(strings.Fields(scripts[script])) != "" {
		return false
	}
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || len(sc.Call.Args) < 2 {
				continue
			}
			name := path.Base(sc.Call.Args[0])
			for _, a := range sc.Call.Args[1:] {
				if (name == "npm" || name == "pnpm") && (a == "-g" || a == "--global" || a == "--location=global" || a == "link") ||
					name == "yarn" && (a == "global" || a == "link") {
					return false
				}
			}
		}
	}
	for _, s := range []string{"pre" + script, script, "post" + script} {
		for _, w := range strings.FieldsFunc(scripts[s], func(r rune) bool { return strings.ContainsRune(" \t\n&|;()<>=\"'`$", r) }) {
			w = path.Base(w)
			if slices.Contains(buildOnlyTools, w) || sp.installsPackage(w) {
				return false
			}
		}
	}
	return true
}

// movedNodeModules returns where a RUN moved the app's node_modules to, when
// that is a node_modules directory in a parent of the app directory (Node.js
// looks modules up there too, so the app finds them) and package.json
// declares no devDependencies (nothing to prune there). The runtime stage
// carries those directories as well.
func (sp *split) movedNodeModules() []string {
	if sp.language != "node" || sp.appDir == "" || sp.appDir == "/" {
		return nil
	}
	var out []string
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			args := sc.Call.Args
			if sc.Dynamic || len(args) != 3 || path.Base(args[0]) != "mv" || sc.Dir == "" || slices.Contains(sc.Call.Dynamic, true) {
				continue
			}
			src := facts.ResolveIn(sc.Dir, args[1])
			if src != sp.appDir+"/node_modules" {
				continue
			}
			dst := facts.ResolveIn(sc.Dir, args[2])
			if strings.HasSuffix(args[2], "/") || path.Base(dst) != "node_modules" {
				dst = path.Join(dst, "node_modules")
			}
			parent := path.Dir(dst)
			if path.Base(dst) != "node_modules" || parent == sp.appDir || !facts.Within(sp.appDir, parent) {
				continue
			}
			out = append(out, dst)
		}
	}
	if len(out) == 0 {
		return nil
	}
	ctx, ok := sp.a.ContextFile(sp.appDir + "/package.json")
	if !ok {
		return nil
	}
	data, ok := sp.p.Facts().ReadContext(ctx)
	var pkg struct {
		DevDeps map[string]any `json:"devDependencies"`
	}
	if !ok || json.Unmarshal(data, &pkg) != nil || len(pkg.DevDeps) > 0 {
		return nil
	}
	return out
}

// unusedProbe reports whether pk is a probe tool (curl, wget, netcat) that no
// RUN of the build runs: installed for run time (a health check that compose
// or an orchestrator runs), so the slim runtime stage keeps it, as
// runtime-base does (unusedProbeTool).
func (sp *split) unusedProbe(pk string) bool {
	for _, u := range unusedProbePackages(sp.f, []*instructions.Stage{sp.stage}) {
		if u.pkg == pk {
			return true
		}
	}
	return false
}

// declaresDevDeps reports whether the package.json copied into dir may
// declare devDependencies: true unless it is in the build context and has
// neither devDependencies nor workspaces (whose own packages may have some).
func (sp *split) declaresDevDeps(dir string) bool {
	ctx, ok := sp.a.ContextFile(path.Join(dir, "package.json"))
	if !ok {
		return true
	}
	data, ok := sp.p.Facts().ReadContext(ctx)
	var pkg struct {
		DevDeps    map[string]any  `json:"devDependencies"`
		Workspaces json.RawMessage `json:"workspaces"`
	}
	if !ok || json.Unmarshal(data, &pkg) != nil {
		return true
	}
	return len(pkg.DevDeps) > 0 || len(pkg.Workspaces) > 0
}

// namedInstall reports whether npm or yarn args install named packages
// (npm install X, yarn add X): only those, without any devDependencies.
func namedInstall(name string, args []string) bool {
	if !packageInstall(name, args) {
		return false
	}
	words := 0
	for _, a := range args {
		if a == "-g" || a == "--global" || strings.HasPrefix(a, "--location") || a == "global" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			words++
		}
	}
	return words >= 2 // the subcommand and a package
}

// registryBin returns why dfslim cannot run prog without its package
// manager's links when a RUN installs npm packages by name from the registry
// (npm install -g X, yarn global add X, or npm install X and prog under
// node_modules/.bin): the file a bin links to is named only in that
// package's package.json, which is not in the build context. "" otherwise.
func (sp *split) registryBin(prog string) string {
	if sp.a.Image.Language != "node" {
		return ""
	}
	local := strings.Contains(prog, "/node_modules/.bin/")
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || len(sc.Call.Args) < 3 {
				continue
			}
			args := sc.Call.Args
			name := path.Base(args[0])
			global := slices.ContainsFunc(args, func(a string) bool {
				return a == "-g" || a == "--global" || a == "--location=global" || a == "global"
			})
			if (name != "npm" && name != "yarn" && name != "pnpm") || !packageInstall(name, args[1:]) && !(name == "yarn" && global) {
				continue
			}
			var pkgs []string
			for _, a := range args[2:] {
				if !strings.HasPrefix(a, "-") && a != "add" && a != "global" && a != "install" {
					pkgs = append(pkgs, a)
				}
			}
			if len(pkgs) == 0 || global == local {
				continue
			}
			shown := slices.Clone(args)
			for i := range shown {
				if sc.Call.Dynamic[i] {
					shown[i] = "…" // expanded at build time
				}
			}
			return fmt.Sprintf("`%s` is a bin of a package installed from the npm registry (%s); the file it links to is named only in that package's package.json, which is not in the build context, so dfslim cannot run it with the runtime image's node", prog, strings.Join(shown, " "))
		}
	}
	return ""
}

// jsSourceExts are the files scanned for the packages an app loads.
var jsSourceExts = []string{".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx", ".vue", ".svelte", ".ejs"}

// maxScannedSources bounds devDependencyInUse's walk of the context.
const maxScannedSources = 20000

// devDependencyInUse returns a devDependency of the package.json in the
// context directory that holds dir's app that the app's own source names as a
// quoted module ('method-override', "body-parser/lib", `x`): pruning it would
// break a require at run time, as it did on a real app. It returns "" when the
// context names none, and a reason when the context cannot be read to the end
// (pruning is then not proven safe).
func (sp *split) devDependencyInUse(dir string) string {
	ctx, ok := sp.a.ContextFile(path.Join(dir, "package.json"))
	if !ok || sp.p.Context == nil {
		return ""
	}
	data, ok := sp.p.Facts().ReadContext(ctx)
	var pkg struct {
		DevDeps map[string]any `json:"devDependencies"`
	}
	if !ok || json.Unmarshal(data, &pkg) != nil || len(pkg.DevDeps) == 0 {
		return ""
	}
	names := make([]string, 0, len(pkg.DevDeps))
	for name := range pkg.DevDeps {
		names = append(names, name)
	}
	slices.Sort(names)
	root := path.Dir(ctx)
	found, scanned := "", 0
	_ = fs.WalkDir(sp.p.Context, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return fs.SkipDir
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", ".git", "test", "tests", "__tests__", "spec", "e2e", "cypress":
				if name != root {
					return fs.SkipDir
				}
			}
			return nil
		}
		if !slices.Contains(jsSourceExts, path.Ext(name)) || strings.Contains(path.Base(name), ".test.") || strings.Contains(path.Base(name), ".spec.") {
			return nil
		}
		if scanned++; scanned > maxScannedSources {
			found = fmt.Sprintf("(more than %d source files to check)", maxScannedSources)
			return fs.SkipAll
		}
		src, ok := sp.p.Facts().ReadContext(name)
		if !ok {
			found = fmt.Sprintf("(%s could not be read)", name)
			return fs.SkipAll
		}
		for _, dep := range names {
			if loadsModule(src, dep) {
				found = fmt.Sprintf("%s (named in %s)", dep, name)
				return fs.SkipAll
			}
		}
		return nil
	})
	return found
}

// loadsModule reports whether src names module as a quoted string, alone or
// with a subpath: what require, import and import() take.
func loadsModule(src []byte, module string) bool {
	for _, q := range []string{`'`, `"`, "`"} {
		if bytes.Contains(src, []byte(q+module+q)) || bytes.Contains(src, []byte(q+module+"/")) {
			return true
		}
	}
	return false
}
