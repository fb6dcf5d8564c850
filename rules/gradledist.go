package rules

import (
	"strings"

	"github.com/dfslim/dfslim/rewrite"
)

// locateStartScript handles a command that runs a start script of a Gradle
// installDist (build/install/NAME/bin/SCRIPT): the application plugin's
// POSIX shell script, which finds its jars in ../lib and runs java from
// JAVA_HOME or PATH with $JAVA_OPTS. It needs a shell and the usual tools
// (uname, sed, xargs), so only the slim rung, the Temurin JRE, runs it; the
// runtime copies the whole distribution directory. handled is false when the
// command is not such a script.
func (sp *split) locateStartScript(in *rewrite.Instr) (handled, ok bool) {
	abs := resolveIn(sp.a.workdir, sp.argv[0])
	if abs == "" {
		return false, false
	}
	for _, art := range sp.a.artifacts {
		if art.InstallDir == "" {
			continue
		}
		rel, found := strings.CutPrefix(abs, art.InstallDir+"/")
		dist, script, _ := strings.Cut(rel, "/")
		if !found || dist == "" || !strings.HasPrefix(script, "bin/") || strings.Count(script, "/") != 1 {
			continue
		}
		if !sp.slim {
			sp.blockRung(in, "%s is a start script that Gradle's installDist writes, a shell script, and the runtime image has no shell", abs)
			return true, false
		}
		if sp.a.image.language != "java" {
			sp.block(sp.from, "dfslim does not know the Java version of the build image %s, so no JRE image can be matched to %s", sp.a.baseRef, abs)
			return true, false
		}
		sp.language, sp.entryPath, sp.version = "java", abs, sp.a.image.version
		sp.art = &buildArtifact{Kind: KindJavaJar, Path: abs, Language: "java", Version: sp.version, Workdir: art.Workdir,
			JarDirs: []string{art.InstallDir + "/" + dist}, Span: art.Span}
		return true, true
	}
	return false, false
}
