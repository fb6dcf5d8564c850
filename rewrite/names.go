package rewrite

import "strings"

// IsDockerfileName reports whether a file's base name is a Dockerfile's:
// Dockerfile and Containerfile, Dockerfile.* and Containerfile.* (Dockerfile.dev),
// and *.dockerfile and *.containerfile (api.dockerfile), ignoring case, except
// the ignore files *.dockerignore and *.containerignore. The directory walk of
// "dfslim fix" and "dfslim check", the dockerignore rule of package rules and the files: regex
// of the pre-commit hooks (.pre-commit-hooks.yaml) all use this definition.
func IsDockerfileName(base string) bool {
	lower := strings.ToLower(base)
	if strings.HasSuffix(lower, ".dockerignore") || strings.HasSuffix(lower, ".containerignore") {
		return false
	}
	for _, word := range []string{"dockerfile", "containerfile"} {
		if lower == word || strings.HasPrefix(lower, word+".") || strings.HasSuffix(lower, "."+word) {
			return true
		}
	}
	return false
}
