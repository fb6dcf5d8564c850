package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// This file names, for the refusal, the commands that start a Java app
// through its build tool or through a base image's launcher script: the split
// refuses them either way, and the finding says what the command does at run
// time that a runtime image would not.

// buildToolRunGoals are the goals and tasks with which Maven and Gradle
// compile an app and start it from its sources.
var buildToolRunGoals = map[string][]string{
	"mvn":    {"spring-boot:run", "quarkus:dev", "quarkus:run", "exec:java", "exec:exec", "jetty:run", "tomcat7:run", "liberty:dev", "liberty:run", "micronaut:run"},
	"gradle": {"bootRun", "run", "quarkusDev", "quarkusRun", "appRun", "jettyRun"},
	"sbt":    {"run", "~run", "reStart"},
	"lein":   {"run", "ring"},
}

// launcherScripts are the start scripts of base images that work out the
// JVM's options when the container starts.
var launcherScripts = map[string]string{
	"run-java.sh": "the launcher of Red Hat's OpenJDK images (and fabric8's), which works out the JVM's options at every start from the container's memory and CPU limits and from JAVA_OPTS, JAVA_OPTS_APPEND, JAVA_MAX_MEM_RATIO, JAVA_DEBUG and more that users set at run time; a runtime image's java command would run the JVM with other settings and ignore those variables",
}

// buildToolRun refuses, with what it does, a command that runs the app with
// its build tool (mvn spring-boot:run, ./gradlew bootRun, mvn quarkus:dev) or
// through a base image's launcher script (run-java.sh). It returns false when
// it did.
func (sp *split) buildToolRun(in *rewrite.Instr) bool {
	if len(sp.argv) == 0 {
		return true
	}
	prog := path.Base(sp.argv[0])
	if why, ok := launcherScripts[prog]; ok && !sp.fromContext(facts.ResolveIn(sp.a.Workdir, sp.argv[0])) {
		sp.block(in, "the command runs %s, %s", sp.argv[0], why)
		return false
	}
	tool := strings.TrimSuffix(prog, "w") // mvnw, gradlew
	goals, ok := buildToolRunGoals[tool]
	if !ok {
		return true
	}
	for _, a := range sp.argv[1:] {
		goal := a
		if tool == "gradle" {
			goal = a[strings.LastIndex(a, ":")+1:] // :app:bootRun
		}
		if slices.Contains(goals, goal) {
			sp.block(in, "the command runs the app with %s (`%s %s`), which compiles it and starts it from its sources at every start (with the build's plugins and, for a development goal, live reload); a runtime image has neither the build tool nor the sources: build the app's jar in the image and run it with java -jar", tool, prog, a)
			return false
		}
	}
	return true
}
