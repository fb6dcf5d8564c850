package rules

import (
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// locateStartScript handles a command that runs a start script a Java build
// writes: a Gradle installDist's (build/install/NAME/bin/SCRIPT, the
// application plugin's POSIX shell script, which finds its jars in ../lib and
// runs java from JAVA_HOME or PATH with $JAVA_OPTS), or one of a WildFly
// server the wildfly-maven-plugin provisions (target/server/bin/standalone.sh,
// which runs java with $JAVA_OPTS on the server's modules). They need a shell
// and the usual tools (uname, sed, grep, xargs, readlink), so only the slim
// rung, the Temurin JRE, runs them; the runtime copies the whole distribution
// or server directory. handled is false when the command is not such a script.
func (sp *split) locateStartScript(in *rewrite.Instr) (handled, ok bool) {
	abs := facts.ResolveIn(sp.a.Workdir, sp.argv[0])
	if abs == "" {
		return false, false
	}
	for _, art := range sp.a.Artifacts {
		dist, what := "", ""
		if rel, found := strings.CutPrefix(abs, art.InstallDir+"/"); art.InstallDir != "" && found {
			name, script, _ := strings.Cut(rel, "/")
			if name != "" && strings.HasPrefix(script, "bin/") && strings.Count(script, "/") == 1 {
				dist, what = art.InstallDir+"/"+name, "a start script that Gradle's installDist writes"
			}
		}
		if rel, found := strings.CutPrefix(abs, art.ServerDir+"/bin/"); art.ServerDir != "" && found && !strings.Contains(rel, "/") {
			dist, what = art.ServerDir, "a script of the WildFly server the wildfly-maven-plugin provisions"
		}
		if dist == "" {
			continue
		}
		if !sp.slim {
			sp.blockRung(in, "%s is %s, a shell script, and the runtime image has no shell", abs, what)
			return true, false
		}
		if sp.a.Image.Language != "java" {
			sp.block(sp.from, "dfslim does not know the Java version of the build image %s, so no JRE image can be matched to %s", sp.a.BaseRef, abs)
			return true, false
		}
		sp.language, sp.entryPath, sp.version = "java", abs, sp.a.Image.Version
		sp.art = &facts.Artifact{Kind: facts.KindJavaJar, Path: abs, Language: "java", Version: sp.version, Workdir: art.Workdir,
			JarDirs: []string{dist}, Span: art.Span}
		return true, true
	}
	return false, false
}
