package catalog

import "testing"

func TestSlimJRE(t *testing.T) {
	for ref, want := range map[string]bool{
		"openjdk:11-jre-slim":                      true,
		"openjdk:8-jre-alpine":                     true,
		"java:8-jre-alpine":                        true,
		"amazoncorretto:11-alpine-jre":             true,
		"eclipse-temurin:8-jre-alpine":             true,
		"bellsoft/liberica-openjre-debian:17-slim": true,  // a JRE-only repository
		"openjdk:8-jre":                            false, // buildpack-deps' curl variant: curl, wget, gnupg
		"java:8-jre":                               false,
		"openjdk:17-jdk-slim":                      false, // a JDK: javac, jlink, jar
		"eclipse-temurin:17-jre-focal":             false,
		"maven:3.9-eclipse-temurin-17-alpine":      false,
		"node:20-slim":                             false,
	} {
		if got := SlimJRE(ref); got != want {
			t.Errorf("SlimJRE(%q) = %v, want %v", ref, got, want)
		}
	}
}
