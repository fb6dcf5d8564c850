package facts

import (
	"slices"
	"testing"
)

// TestMavenPluginJars checks the jar names the shade and assembly plugins
// write besides the main jar.
func TestMavenPluginJars(t *testing.T) {
	pom := `<project><artifactId>app</artifactId><version>1.2</version><build><plugins>
<plugin><artifactId>maven-shade-plugin</artifactId><configuration><shadedArtifactAttached>true</shadedArtifactAttached>
<shadedClassifierName>all</shadedClassifierName></configuration></plugin>
<plugin><artifactId>maven-assembly-plugin</artifactId><executions><execution><configuration>
<descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs></configuration></execution></executions></plugin>
<plugin><artifactId>maven-shade-plugin</artifactId><configuration><outputFile>${project.build.directory}/${other}.jar</outputFile></configuration></plugin>
</plugins></build></project>`
	got := mavenPluginJars([]byte(pom), "app-1.2")
	want := []string{"app-1.2-all.jar", "app-1.2-jar-with-dependencies.jar"}
	if !slices.Equal(got, want) {
		t.Errorf("mavenPluginJars = %q, want %q", got, want)
	}
	noID := `<project><artifactId>app</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId>
<configuration><appendAssemblyId>false</appendAssemblyId><descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs></configuration></plugin></plugins></build></project>`
	if got := mavenPluginJars([]byte(noID), "app-1"); len(got) != 0 {
		t.Errorf("appendAssemblyId false: mavenPluginJars = %q, want none", got)
	}
}
