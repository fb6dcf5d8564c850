package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
)

// This file is the data of the dockerignore rule: the ecosystems it
// recognises, the entries it may propose, and the commands that rebuild
// build outputs. The logic is in dockerignore.go.

// ecosystem is a toolchain recognised from its files in the build context.
type ecosystem uint8

const (
	ecoGo ecosystem = iota + 1
	ecoRust
	ecoNode
	ecoPython
	ecoMaven
	ecoGradle
)

// ecosystemOf returns the ecosystem a file name marks, or 0.
func ecosystemOf(name string) ecosystem {
	switch name {
	case "go.mod", "go.work":
		return ecoGo
	case "Cargo.toml":
		return ecoRust
	case "package.json":
		return ecoNode
	case "pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "poetry.lock", "uv.lock":
		return ecoPython
	case "pom.xml":
		return ecoMaven
	case "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts":
		return ecoGradle
	}
	if strings.HasPrefix(name, "requirements") && strings.HasSuffix(name, ".txt") {
		return ecoPython
	}
	return 0
}

// entryKind says why an entry may leave the build context, and so what it
// takes to propose it.
type entryKind uint8

const (
	// kindVCS, kindEditor and kindCI are version-control data, editor and
	// CI settings: no build reads them unless it names them.
	kindVCS entryKind = iota
	kindEditor
	kindCI
	// kindDocker entries are the Dockerfiles, ignore files and compose
	// files. BuildKit reads the Dockerfile and ignore file on their own, so
	// COPY never needs them. They are proposed only together with entries
	// of another kind: on their own they are not worth a file.
	kindDocker
	// kindCache entries are caches and logs that tools recreate.
	kindCache
	// kindOutput entries are build outputs (node_modules, target, dist…).
	// Each stage that reads one must also rebuild it.
	kindOutput
	// kindSecret entries look like credentials. A secret that the
	// Dockerfile copies by name, or from a directory it names, stays and is
	// reported.
	kindSecret
)

// ignoreEntry is one line the rule may add to an ignore file.
type ignoreEntry struct {
	pattern string      // as written to the ignore file
	kind    entryKind   //
	eco     []ecosystem // the entry needs one of these ecosystems; nil: any project
	// produced entries are made by the ecosystem's own tools, so they are
	// proposed when the ecosystem is there even if the path is not (yet):
	// caches always, outputs when the Dockerfile runs a command that
	// rebuilds them.
	produced bool
	// rebuiltBy reports whether a RUN command recreates an output.
	rebuiltBy func(call []string) bool
}

// ignoreEntries are the entries the rule may propose, in the order they are
// written.
var ignoreEntries = []ignoreEntry{
	{pattern: ".git", kind: kindVCS},
	{pattern: ".hg", kind: kindVCS},
	{pattern: ".svn", kind: kindVCS},

	{pattern: ".idea", kind: kindEditor},
	{pattern: ".vscode", kind: kindEditor},
	{pattern: ".vs", kind: kindEditor},
	{pattern: ".devcontainer", kind: kindEditor},
	{pattern: "**/.DS_Store", kind: kindEditor},
	{pattern: "**/*.swp", kind: kindEditor},

	{pattern: ".github", kind: kindCI},
	{pattern: ".gitlab", kind: kindCI},
	{pattern: ".gitlab-ci.yml", kind: kindCI},
	{pattern: ".circleci", kind: kindCI},
	{pattern: ".travis.yml", kind: kindCI},
	{pattern: ".buildkite", kind: kindCI},

	{pattern: "**/node_modules", kind: kindOutput, eco: []ecosystem{ecoNode}, produced: true, rebuiltBy: nodeInstall},
	{pattern: "dist", kind: kindOutput, eco: []ecosystem{ecoNode, ecoPython}, produced: true, rebuiltBy: anyOf(facts.IsNodeBuild, pythonBuild)},
	{pattern: ".next", kind: kindOutput, eco: []ecosystem{ecoNode}, rebuiltBy: facts.IsNodeBuild},
	{pattern: "target", kind: kindOutput, eco: []ecosystem{ecoRust, ecoMaven}, produced: true, rebuiltBy: anyOf(cargoBuild, mavenBuild)},
	{pattern: "build", kind: kindOutput, eco: []ecosystem{ecoGradle, ecoPython}, produced: true, rebuiltBy: anyOf(gradleBuild, pythonBuild)},
	{pattern: ".venv", kind: kindOutput, eco: []ecosystem{ecoPython}, produced: true, rebuiltBy: pythonEnv},
	{pattern: "venv", kind: kindOutput, eco: []ecosystem{ecoPython}, rebuiltBy: pythonEnv},
	{pattern: "*.egg-info", kind: kindOutput, eco: []ecosystem{ecoPython}, rebuiltBy: pythonBuild},

	{pattern: "**/__pycache__", kind: kindCache, eco: []ecosystem{ecoPython}, produced: true},
	{pattern: "**/*.pyc", kind: kindCache, eco: []ecosystem{ecoPython}, produced: true},
	{pattern: "**/.pytest_cache", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/.mypy_cache", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/.ruff_cache", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/.ipynb_checkpoints", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: ".tox", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: ".nox", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/.coverage", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/htmlcov", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "**/.hypothesis", kind: kindCache, eco: []ecosystem{ecoPython}},
	{pattern: "coverage", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: "**/.nyc_output", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: "**/.eslintcache", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: "**/npm-debug.log*", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: "**/yarn-error.log*", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: ".turbo", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: ".parcel-cache", kind: kindCache, eco: []ecosystem{ecoNode}},
	{pattern: "coverage.out", kind: kindCache, eco: []ecosystem{ecoGo}},
	{pattern: ".gradle", kind: kindCache, eco: []ecosystem{ecoGradle}},
	{pattern: "**/.terraform", kind: kindCache},

	{pattern: "**/.env", kind: kindSecret},
	{pattern: "**/.env.*", kind: kindSecret},
	{pattern: "**/*.pem", kind: kindSecret},
	{pattern: "**/*.key", kind: kindSecret},
	{pattern: "**/*.p12", kind: kindSecret},
	{pattern: "**/*.pfx", kind: kindSecret},
	{pattern: "**/id_rsa*", kind: kindSecret},
	{pattern: "**/id_ecdsa*", kind: kindSecret},
	{pattern: "**/id_ed25519*", kind: kindSecret},
	{pattern: "**/.ssh", kind: kindSecret},
	{pattern: "**/.aws", kind: kindSecret},
	{pattern: "**/.docker/config.json", kind: kindSecret},
	{pattern: "**/.netrc", kind: kindSecret},
	{pattern: "**/.pypirc", kind: kindSecret},

	// At the root only: a Dockerfile deeper down may be a test's input. The
	// rule adds the Dockerfile's and the ignore file's own paths when they
	// are deeper.
	{pattern: "Dockerfile", kind: kindDocker},
	{pattern: "Dockerfile.*", kind: kindDocker},
	{pattern: "*.Dockerfile", kind: kindDocker},
	{pattern: "Containerfile", kind: kindDocker},
	{pattern: ".dockerignore", kind: kindDocker},
	{pattern: "*.dockerignore", kind: kindDocker},
	{pattern: "docker-compose*.y*ml", kind: kindDocker},
	{pattern: "compose.y*ml", kind: kindDocker},
	{pattern: "compose.*.y*ml", kind: kindDocker},
}

// testDirs are directory names that hold test fixtures. A secret-looking
// file under one is a fixture (a test key, a test .env) that tests may read,
// so a build that reads it keeps it, without a finding.
var testDirs = []string{"testdata", "test", "tests", "fixtures", "__tests__", "spec", "testing"}

// scmVersionMarkers in a Python or Node project file mean the build asks git
// for the version (setuptools-scm and friends, or a script calling git), so
// .git must stay when the build reads it.
var scmVersionMarkers = []string{
	"setuptools_scm", "setuptools-scm", "hatch-vcs", "hatch_vcs", "versioningit",
	"dunamai", "poetry-dynamic-versioning", "setuptools-git-versioning", "pbr",
	"git describe", "git rev-parse",
}

// scmVersionFiles are the files searched for scmVersionMarkers.
var scmVersionFiles = []string{"pyproject.toml", "setup.cfg", "setup.py", "package.json", "Makefile"}

func anyOf(fs ...func([]string) bool) func([]string) bool {
	return func(c []string) bool {
		return slices.ContainsFunc(fs, func(f func([]string) bool) bool { return f(c) })
	}
}

func anyArgIn(c []string, words ...string) bool {
	return slices.ContainsFunc(facts.CommandArgs(c), func(a string) bool { return slices.Contains(words, a) })
}

// nodeInstall: npm ci / install, yarn [install], pnpm / bun install.
func nodeInstall(c []string) bool {
	switch c[0] {
	case "npm":
		return facts.FirstArgIn(c, "ci", "install", "i", "add", "clean-install") && !facts.HasFlag(c, "-g", "--global")
	case "yarn":
		a := facts.CommandArgs(c)
		return (len(a) == 0 || a[0] == "install" || a[0] == "add" || a[0] == "workspaces") && !slices.Contains(a, "global")
	case "pnpm", "bun":
		return facts.FirstArgIn(c, "install", "i", "add") && !facts.HasFlag(c, "-g", "--global")
	}
	return false
}

// cargoBuild: cargo build and the subcommands that also compile into target/.
func cargoBuild(c []string) bool {
	switch c[0] {
	case "cargo":
		return facts.FirstArgIn(c, "build", "b", "install", "test", "t", "run", "r", "check", "c", "doc", "bench",
			"chef", "zigbuild", "auditable", "lambda", "leptos")
	case "maturin", "cross":
		return facts.FirstArgIn(c, "build", "develop")
	}
	return false
}

// mavenBuild: a Maven lifecycle phase that writes target/.
func mavenBuild(c []string) bool {
	if c[0] != "mvn" {
		return false
	}
	return slices.ContainsFunc(facts.CommandArgs(c), func(a string) bool {
		return slices.Contains([]string{"compile", "test-compile", "test", "package", "verify", "install", "deploy"}, a) ||
			strings.HasPrefix(a, "spring-boot:") || strings.HasPrefix(a, "quarkus:")
	})
}

// gradleBuild: a Gradle task (any but the ones that only inspect).
func gradleBuild(c []string) bool {
	if c[0] != "gradle" {
		return false
	}
	return slices.ContainsFunc(facts.CommandArgs(c), func(a string) bool {
		return !slices.Contains([]string{"dependencies", "help", "tasks", "wrapper", "properties"}, a)
	})
}

// pythonEnv: a command that installs packages or makes a virtual environment.
func pythonEnv(c []string) bool {
	switch c[0] {
	case "pip":
		return facts.FirstArgIn(c, "install")
	case "uv":
		return facts.FirstArgIn(c, "sync", "venv", "pip")
	case "poetry", "pipenv", "pdm":
		return facts.FirstArgIn(c, "install", "sync")
	case "venv", "virtualenv":
		return true
	}
	return false
}

// pythonBuild: a command that builds the project itself, into build/ and
// dist/: python -m build, pip wheel, pip install ., setup.py, poetry build…
func pythonBuild(c []string) bool {
	switch c[0] {
	case "build", "setup.py":
		return true
	case "pip":
		a := facts.CommandArgs(c)
		if len(a) == 0 {
			return false
		}
		if a[0] == "wheel" {
			return true
		}
		return a[0] == "install" && slices.ContainsFunc(a[1:], isLocalProject)
	case "uv", "poetry", "hatch", "pdm", "flit":
		return facts.FirstArgIn(c, "build")
	}
	return false
}

// isLocalProject reports whether a pip argument is the project directory.
func isLocalProject(a string) bool {
	a, _, _ = strings.Cut(a, "[")
	return a == "." || a == "./" || strings.HasPrefix(a, "./") && path.Clean(a) == "."
}

// gitCall: the build runs git.
func gitCall(c []string) bool { return c[0] == "git" }
