package catalog

import (
	"strings"
	"testing"
)

func TestSlimImage(t *testing.T) {
	tests := []struct {
		kind               Kind
		builder, want, err string
	}{
		{KindPython, "python:3.12", "python:3.12-slim", ""},
		{KindPython, "python:3.12.1-slim", "python:3.12.1-slim", ""},
		{KindPython, "python:3.11-buster", "python:3.11-slim-buster", ""},
		{KindPython, "python:3.11.4-slim-buster", "python:3.11.4-slim-buster", ""},
		{KindPython, "python:3", "python:3-slim", ""},
		{KindPython, "python", "python:slim", ""},
		{KindPython, "python:bookworm", "python:slim-bookworm", ""},
		{KindPython, "public.ecr.aws/docker/library/python:3.12", "public.ecr.aws/docker/library/python:3.12-slim", ""},
		{KindPython, "python:3.9.2-alpine", "python:3.9.2-alpine", ""},
		{KindPython, "python:3.12-windowsservercore", "", "does not know the slim variant"},
		{KindPython, "tiangolo/uwsgi-nginx-flask:python3.6", "", "does not know the build image"},
		{KindNode, "node:16", "node:16-slim", ""},
		{KindNode, "node:14-buster", "node:14-buster-slim", ""},
		{KindNode, "node:16.13.2-stretch-slim", "node:16.13.2-stretch-slim", ""},
		{KindNode, "node:lts", "node:lts-slim", ""},
		{KindNode, "node:current-slim", "node:current-slim", ""},
		{KindNode, "node:14.17.3-alpine3.14", "node:14.17.3-alpine3.14", ""},
		{KindJava, "java:8-jre", "eclipse-temurin:8-jre", ""},
		{KindJava, "openjdk:8-jdk", "eclipse-temurin:8-jre", ""},
		{KindJava, "maven:3.5.3-jdk-8", "eclipse-temurin:8-jre", ""},
		{KindJava, "eclipse-temurin:17-jdk-jammy", "eclipse-temurin:17-jre-jammy", ""},
		{KindJava, "eclipse-temurin:17-jdk-alpine", "eclipse-temurin:17-jre-alpine", ""},
		{KindJava, "public.ecr.aws/docker/library/amazoncorretto:8u322-al2", "public.ecr.aws/docker/library/eclipse-temurin:8-jre", ""},
		{KindJava, "openjdk:9", "", "knows no eclipse-temurin JRE image for Java 9"},
		{KindGlibc, "golang:1.22-bookworm", "debian:bookworm-slim", ""},
		{KindCC, "rust:1.80", "debian:trixie-slim", ""},
		{KindGlibc, "golang:1.22-alpine", "", "not known to link against glibc"},
		{KindMusl, "golang:1.22-alpine3.19", "alpine:3.19", ""},
		{KindMusl, "golang:1.22-alpine", "alpine:3.22", ""},
		{KindMusl, "golang:1.22", "", "not known to be Alpine-based"},
	}
	for _, tt := range tests {
		img, err := SlimImage(tt.kind, tt.builder)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SlimImage(%s, %s) = %v, %v; want error %q", tt.kind, tt.builder, img, err, tt.err)
			}
		case err != nil:
			t.Errorf("SlimImage(%s, %s): %v", tt.kind, tt.builder, err)
		case img.Ref != tt.want || img.Flavor != SlimRung || !img.Shell:
			t.Errorf("SlimImage(%s, %s) = %s (%s), want %s", tt.kind, tt.builder, img.Ref, img.Flavor, tt.want)
		}
	}
}

func TestSlimImageRegistry(t *testing.T) {
	for builder, want := range map[string]string{
		"container-registry.oracle.com/java/openjdk:25.0.2": "eclipse-temurin:25-jre",
		"amd64/openjdk:17":                  "amd64/eclipse-temurin:17-jre",
		"mirror.gcr.io/library/python:3.12": "mirror.gcr.io/library/python:3.12-slim",
	} {
		kind := KindJava
		if strings.Contains(builder, "python") {
			kind = KindPython
		}
		img, err := SlimImage(kind, builder)
		if err != nil || img.Ref != want {
			t.Errorf("SlimImage(%s) = %v, %v; want %s", builder, img, err, want)
		}
	}
}

func TestFullImageHas(t *testing.T) {
	for _, tt := range []struct {
		ref, name string
		want      bool
	}{
		{"python:3.12", "curl", true},
		{"node:20-bookworm", "wget", true},
		{"golang:1.22", "curl", true},
		{"python:3.12-slim", "curl", false},
		{"node:20-alpine", "curl", false},
		{"golang:1.22-windowsservercore-ltsc2022", "curl", false},
		{"golang:1.22-nanoserver", "curl", false},
		{"ubuntu:22.04", "curl", false},
		{"python:3.12", "jq", false},
	} {
		if got := FullImageHas(tt.ref, tt.name); got != tt.want {
			t.Errorf("FullImageHas(%q, %q) = %v, want %v", tt.ref, tt.name, got, tt.want)
		}
	}
}
