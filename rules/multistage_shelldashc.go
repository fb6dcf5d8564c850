package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/shell"
)

// shellDashC returns the script of an exec-form command that only hands a
// script to a shell (["sh", "-c", "java $JAVA_OPTS -jar app.jar"]), which
// runs like the shell form of that script.
func shellDashC(argv []string) (string, bool) {
	if len(argv) != 3 || argv[1] != "-c" {
		return "", false
	}
	switch path.Base(argv[0]) {
	case "sh", "bash", "dash", "ash":
		return argv[2], true
	}
	return "", false
}

// shellDashCEntry handles a command that runs a script through sh -c: the
// first rung has no shell; the slim rung runs it as written, and the app is
// the program the script runs, as for a shell-form command.
func (sp *split) shellDashCEntry(script string) bool {
	in := sp.entryInstr()
	kw := strings.ToUpper(in.Cmd)
	name := path.Base(sp.argv[0])
	if !sp.slim {
		sp.blockRung(in, "%s runs %s -c, a shell, which the runtime image does not have", kw, name)
		return false
	}
	if !slices.Contains(slimShells, name) {
		sp.block(in, "%s runs %s, which the slim image may not have", kw, name)
		return false
	}
	sh, err := shell.Parse(script)
	if err != nil {
		sp.block(in, "the script %s -c runs does not parse as a shell command", name)
		return false
	}
	return sp.shellProgram(in, kw, sh, false)
}

// slimShells are the shells every slim rung image has.
var slimShells = []string{"sh", "bash", "dash"}
