package catalog

import (
	"slices"
	"strings"

	"github.com/distribution/reference"
)

// SlimJRE reports whether ref names a Java runtime image that is slim
// already: a JRE (no compiler) on a -slim Debian or on Alpine, such as
// openjdk:11-jre-slim, openjdk:8-jre-alpine or amazoncorretto:11-alpine-jre.
// Moving such a stage to the slim rung's Temurin JRE (on Ubuntu, with curl,
// wget, fontconfig and locales) would only swap one slim JRE for another of
// the same Java major, or a bigger one: the runtime would lose nothing.
func SlimJRE(ref string) bool {
	b := ClassifyBase(ref)
	if b.Family != FamilyJava {
		return false
	}
	n, err := reference.ParseNormalizedNamed(Unmirror(ref))
	if err != nil {
		return false
	}
	tokens := strings.FieldsFunc(strings.ToLower(b.Tag), func(r rune) bool { return r == '-' || r == '_' })
	jre := slices.Contains(tokens, "jre") || strings.Contains(reference.Path(n), "openjre")
	slim := slices.Contains(tokens, "slim") || b.Libc == LibcMusl || slices.ContainsFunc(tokens, func(t string) bool { return strings.HasPrefix(t, "alpine") })
	return jre && slim
}
