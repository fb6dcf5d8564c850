package facts

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
)

// quarkusFastJarDir is where a Quarkus Maven build writes its default
// package, the fast-jar: quarkus-run.jar loads the lib/, app/ and quarkus/
// directories next to it, so the runtime needs the whole directory.
const quarkusFastJarDir = "target/quarkus-app"

// quarkusFastJar reports whether a Maven build of pom (pom.xml) with the
// arguments args writes a Quarkus fast-jar: the quarkus-maven-plugin runs its
// build goal, and nothing that the build uses sets quarkus.package.*, which
// can choose another package type (uber-jar, legacy-jar, native): the pom's
// properties or plugins, a profile the build may activate (by default, -P,
// or its activation property given with -D, as the native profile of
// generated Quarkus projects is), the arguments, or the application's
// configuration files (config: application.properties, application.yaml).
func quarkusFastJar(pom []byte, args []string, config [][]byte) bool {
	type plugin struct {
		ArtifactID string   `xml:"artifactId"`
		Goals      []string `xml:"executions>execution>goals>goal"`
		Inner      string   `xml:",innerxml"`
	}
	var p struct {
		Properties struct {
			Inner string `xml:",innerxml"`
		} `xml:"properties"`
		Plugins  []plugin `xml:"build>plugins>plugin"`
		Profiles []struct {
			ID         string `xml:"id"`
			Activation struct {
				Inner           string `xml:",innerxml"`
				ActiveByDefault string `xml:"activeByDefault"`
				Property        string `xml:"property>name"`
			} `xml:"activation"`
			Inner string `xml:",innerxml"`
		} `xml:"profiles>profile"`
	}
	const key = "quarkus.package"
	if xml.Unmarshal(pom, &p) != nil || strings.Contains(p.Properties.Inner, key) {
		return false
	}
	if slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, key) || strings.Contains(a, "quarkus.native") }) {
		return false
	}
	for _, c := range config {
		if bytes.Contains(c, []byte(key)) || bytes.Contains(c, []byte("package:")) {
			return false
		}
	}
	for _, pr := range p.Profiles {
		if !strings.Contains(pr.Inner, key) {
			continue
		}
		act := pr.Activation
		onlyProperty := act.Property != "" && !strings.HasPrefix(act.Property, "!") &&
			!strings.Contains(act.Inner, "<jdk") && !strings.Contains(act.Inner, "<os") && !strings.Contains(act.Inner, "<file")
		if act.ActiveByDefault == "true" || !onlyProperty || pr.ID == "" {
			return false
		}
		for i, a := range args {
			v, ok := strings.CutPrefix(a, "-P")
			if a == "-P" || a == "--activate-profiles" {
				if i+1 < len(args) {
					v, ok = args[i+1], true
				}
			}
			if ok && slices.Contains(strings.Split(v, ","), pr.ID) {
				return false
			}
			if d, ok := strings.CutPrefix(a, "-D"); ok && (d == act.Property || strings.HasPrefix(d, act.Property+"=")) {
				return false
			}
		}
	}
	for _, pl := range p.Plugins {
		if pl.ArtifactID == "quarkus-maven-plugin" {
			return slices.Contains(pl.Goals, "build") && !strings.Contains(pl.Inner, key)
		}
	}
	return false
}

// quarkusConfigFiles are the application configuration files of a Maven
// project that may set the Quarkus package type.
var quarkusConfigFiles = []string{"src/main/resources/application.properties", "src/main/resources/application.yaml", "src/main/resources/application.yml"}

// wildflyServerDir is where the wildfly-maven-plugin's package goal
// provisions a WildFly server by default.
const wildflyServerDir = "target/server"

// wildflyServer reports whether a Maven build of pom (pom.xml) with the
// goals goals provisions a WildFly server into target/server: the
// wildfly-maven-plugin runs its package goal (wildfly:package on the command
// line, or an execution of the plugin) and the pom does not move the server
// elsewhere (provisioning-dir).
func wildflyServer(pom []byte, goals []string) bool {
	var p struct {
		Plugins []struct {
			ArtifactID string   `xml:"artifactId"`
			Goals      []string `xml:"executions>execution>goals>goal"`
			Inner      string   `xml:",innerxml"`
		} `xml:"build>plugins>plugin"`
	}
	if xml.Unmarshal(pom, &p) != nil {
		return false
	}
	for _, pl := range p.Plugins {
		if pl.ArtifactID != "wildfly-maven-plugin" {
			continue
		}
		if strings.Contains(pl.Inner, "provisioning-dir") || strings.Contains(pl.Inner, "provisioningDir") {
			return false
		}
		return slices.Contains(goals, "wildfly:package") || slices.Contains(pl.Goals, "package") &&
			slices.ContainsFunc(goals, func(g string) bool { return g == "package" || g == "install" || g == "verify" || g == "deploy" })
	}
	return false
}
