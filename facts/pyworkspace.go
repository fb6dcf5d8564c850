package facts

import (
	"bufio"
	"bytes"
	"io/fs"
	"iter"
	"path"
	"slices"
	"strings"
)

// This file reads uv workspaces: which projects `uv sync` installs from a
// workspace root, and their dependencies.

// tomlArray returns the quoted strings of the array assigned to key in the
// TOML section of a file, read line by line as pyprojectDependencies reads
// [project] dependencies, and whether the key is there.
func tomlArray(data []byte, section, key string) ([]string, bool) {
	var out []string
	cur, in, found := "", false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") && !in {
			cur = strings.Trim(l, "[] ")
			continue
		}
		if cur != section {
			continue
		}
		if !in {
			k, v, ok := strings.Cut(l, "=")
			if !ok || strings.TrimSpace(k) != key {
				continue
			}
			in, found, l = true, true, strings.TrimSpace(v)
		}
		qs := quotedStrings(l)
		out = append(out, qs...)
		outside := l
		for _, q := range qs {
			outside = strings.Replace(outside, q, "", 1)
		}
		if strings.Contains(outside, "]") {
			in = false
		}
	}
	return out, found
}

// tomlString returns the quoted string assigned to key in a TOML section.
func tomlString(data []byte, section, key string) string {
	for cur, l := range tomlLines(data) {
		if k, v, ok := strings.Cut(l, "="); ok && cur == section && strings.TrimSpace(k) == key {
			if qs := quotedStrings(v); len(qs) > 0 {
				return qs[0]
			}
		}
	}
	return ""
}

// tomlLines yields the lines of a TOML file, trimmed, that are not section
// headers, each with the name of the section it is in ("" before the first).
// It reads line by line: a header inside a multi-line array counts as one.
func tomlLines(data []byte) iter.Seq2[string, string] {
	return func(yield func(section, line string) bool) {
		section := ""
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(l, "[") {
				section = strings.Trim(l, "[] ")
				continue
			}
			if !yield(section, l) {
				return
			}
		}
	}
}

// uvSyncRequires returns the dependencies that `uv sync` installs from the
// project whose pyproject.toml is the context file root: the root project's
// own, and with --package NAME (packages) or --all-packages (all) those of
// the workspace members ([tool.uv.workspace] members, globs allowed) that
// the options select. glob lists the context files a pattern matches. A
// package that names no member found in the context gives nothing: the
// requirements stay unknown.
func uvSyncRequires(read func(string) ([]byte, bool), glob func(string) []string, root string, packages []string, all bool) []Requirement {
	data, ok := read(root)
	if !ok {
		return nil
	}
	if len(packages) == 0 && !all {
		return pyprojectDependencies(data)
	}
	var out []Requirement
	if all || slices.Contains(packages, normalizeDist(tomlString(data, "project", "name"))) {
		out = append(out, pyprojectDependencies(data)...)
	}
	members, _ := tomlArray(data, "tool.uv.workspace", "members")
	exclude, _ := tomlArray(data, "tool.uv.workspace", "exclude")
	dir := path.Dir(root)
	seen := map[string]bool{}
	for _, m := range members {
		for _, d := range glob(path.Join(dir, m)) {
			if seen[d] || slices.ContainsFunc(exclude, func(x string) bool { ok, _ := path.Match(path.Join(dir, x), d); return ok }) {
				continue
			}
			seen[d] = true
			md, ok := read(path.Join(d, "pyproject.toml"))
			if !ok {
				continue
			}
			if all || slices.Contains(packages, normalizeDist(tomlString(md, "project", "name"))) {
				out = append(out, pyprojectDependencies(md)...)
			}
		}
	}
	return out
}

// contextGlob lists the build context's files and directories that the
// pattern matches (path.Match syntax, relative to the context root).
func (a *Build) contextGlob(pattern string) []string {
	if a.p.Context == nil {
		return nil
	}
	names, _ := fs.Glob(a.p.Context, pattern)
	return names
}
