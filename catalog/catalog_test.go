package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/google/go-cmp/cmp"
)

func TestCatalogWellFormed(t *testing.T) {
	kinds := []Kind{KindStatic, KindGlibc, KindCC, KindPython, KindNode, KindJava}
	seen := map[string]bool{}
	for _, ci := range catalog().Images {
		t.Run(ci.Ref, func(t *testing.T) {
			if seen[ci.Ref] {
				t.Errorf("duplicate ref")
			}
			seen[ci.Ref] = true
			n, err := reference.ParseNormalizedNamed(ci.Ref)
			if err != nil {
				t.Fatalf("ref does not parse: %v", err)
			}
			tagged, ok := n.(reference.Tagged)
			if !ok {
				t.Fatalf("ref has no explicit tag")
			}
			d, err := reference.ParseNormalizedNamed(ci.DebugRef)
			if err != nil {
				t.Fatalf("debug ref does not parse: %v", err)
			}
			dtagged, ok := d.(reference.Tagged)
			if !ok || d.Name() != n.Name() {
				t.Fatalf("debug ref %s is not a tag of %s", ci.DebugRef, n.Name())
			}
			switch ci.Flavor {
			case Distroless:
				// The tag grammar of distroless's BUILD: latest, nonroot, debug, debug-nonroot.
				if tagged.Tag() != "nonroot" || dtagged.Tag() != "debug-nonroot" {
					t.Errorf("tags %s, %s: want nonroot, debug-nonroot", tagged.Tag(), dtagged.Tag())
				}
				if !strings.HasSuffix(n.Name(), "-"+ci.Distro) || !strings.HasPrefix(ci.Distro, "debian") {
					t.Errorf("name %s does not end in its distro %q", n.Name(), ci.Distro)
				}
			case Chainguard:
				if tagged.Tag() != "latest" || dtagged.Tag() != "latest-dev" {
					t.Errorf("tags %s, %s: want latest, latest-dev", tagged.Tag(), dtagged.Tag())
				}
			default:
				t.Errorf("unknown flavor %q", ci.Flavor)
			}
			if !slices.Contains(kinds, ci.Kind) {
				t.Errorf("unknown kind %q", ci.Kind)
			}
			if (ci.Kind == KindStatic) != (ci.Libc == "none") || (ci.Libc != "none" && ci.Libc != "glibc") {
				t.Errorf("kind %s with libc %q", ci.Kind, ci.Libc)
			}
			if ci.Language != "" && (LanguageKind(ci.Language) != ci.Kind || ci.Version == "") {
				t.Errorf("language %q, version %q on a %s image", ci.Language, ci.Version, ci.Kind)
			}
			if ci.Language == "" && (ci.Version != "" || LanguageKind(string(ci.Kind)) != "") {
				t.Errorf("kind %s with no language, version %q", ci.Kind, ci.Version)
			}
			if ci.User != "65532" {
				t.Errorf("user %q, want the numeric 65532", ci.User)
			}
			if ci.Language != "" && len(ci.Entrypoint) == 0 {
				t.Errorf("language image without an entrypoint")
			}
			if ci.Language == "" && len(ci.Entrypoint) != 0 {
				t.Errorf("static/glibc/cc image with entrypoint %q", ci.Entrypoint)
			}
			if !strings.HasPrefix(ci.Workdir, "/") || len(ci.Provides) == 0 || !slices.Contains(ci.Provides, "ca-certificates") {
				t.Errorf("workdir %q, provides %q: want an absolute workdir and at least ca-certificates", ci.Workdir, ci.Provides)
			}
			if ci.SizeMB <= 0 {
				t.Errorf("no size")
			}
			if ci.Entrypoint == nil || ci.DebugEntrypoint == nil {
				t.Errorf("entrypoint and debugEntrypoint must be given, even when empty")
			}
			// Lookup finds both variants again.
			if img := Lookup(ci.Ref); img == nil || img.Shell {
				t.Errorf("Lookup(%s) = %+v", ci.Ref, img)
			}
			if img := Lookup(ci.DebugRef); img == nil || !img.Shell || img.Ref != ci.DebugRef {
				t.Errorf("Lookup(%s) = %+v", ci.DebugRef, img)
			}
			// ClassifyBase knows every catalog image as a runtime.
			if b := ClassifyBase(ci.Ref); !b.Runtime || string(b.Family) != string(ci.Flavor) || b.Version != ci.Version {
				t.Errorf("ClassifyBase(%s) = %+v", ci.Ref, b)
			}
		})
	}
}

func TestRuntimeImage(t *testing.T) {
	tests := []struct {
		flavor  Flavor
		kind    Kind
		version string
		debug   bool
		want    string // ref, or "error: substring"
	}{
		{"", KindStatic, "", false, "gcr.io/distroless/static-debian13:nonroot"},
		{"distroless", KindStatic, "", true, "gcr.io/distroless/static-debian13:debug-nonroot"},
		{"distroless", KindStatic, "bookworm", false, "gcr.io/distroless/static-debian12:nonroot"},
		{"distroless", KindStatic, "trixie", false, "gcr.io/distroless/static-debian13:nonroot"},
		{"distroless", KindGlibc, "bookworm", false, "gcr.io/distroless/base-debian12:nonroot"},
		{"distroless", KindCC, "debian13", false, "gcr.io/distroless/cc-debian13:nonroot"},
		{"distroless", KindCC, "alpine", false, "gcr.io/distroless/cc-debian13:nonroot"},
		{"chainguard", KindStatic, "", false, "cgr.dev/chainguard/static:latest"},
		{"chainguard", KindStatic, "", true, "cgr.dev/chainguard/static:latest-dev"},
		{"chainguard", KindCC, "", false, "cgr.dev/chainguard/glibc-dynamic:latest"},
		{"chainguard", KindGlibc, "", false, "cgr.dev/chainguard/glibc-dynamic:latest"},
		{"distroless", KindNode, "20", false, "gcr.io/distroless/nodejs20-debian12:nonroot"},
		{"distroless", KindNode, "20.11.1", false, "gcr.io/distroless/nodejs20-debian12:nonroot"},
		{"distroless", KindNode, "26", false, "gcr.io/distroless/nodejs26-debian13:nonroot"},
		{"distroless", KindNode, "19", false, "error: distroless has no Node.js 19 image (it has 18, 20, 22, 24, 26)"},
		{"distroless", KindNode, "", false, "error: Node.js version of the build is unknown"},
		{"distroless", KindPython, "3.11", false, "gcr.io/distroless/python3-debian12:nonroot"},
		{"distroless", KindPython, "3.13.2", false, "gcr.io/distroless/python3-debian13:nonroot"},
		{"distroless", KindPython, "3.12", false, "error: distroless has no Python 3.12 image (it has 3.11, 3.13)"},
		{"distroless", KindPython, "3", false, "error: not precise enough"},
		{"chainguard", KindPython, "3.14", false, "cgr.dev/chainguard/python:latest"},
		{"chainguard", KindPython, "3.11", false, "error: chainguard has no Python 3.11 image (it has 3.14)"},
		{"distroless", KindJava, "17", false, "gcr.io/distroless/java17-debian13:nonroot"},
		{"distroless", KindJava, "25", true, "gcr.io/distroless/java25-debian13:debug-nonroot"},
		{"distroless", KindJava, "11", false, "error: distroless has no Java 11 image"},
		{"chainguard", KindJava, "26", false, "cgr.dev/chainguard/jre:latest"},
		{"scratch", KindStatic, "", false, "scratch"},
		{"scratch", KindCC, "", false, "error: scratch runs only static binaries"},
		{"scratch", KindStatic, "", true, "error: scratch has no variant with a shell"},
		{"alpine", KindStatic, "", false, "alpine:3.22"},
		{"alpine", KindGlibc, "", false, "error: --base alpine runs only static binaries"},
		{"ubuntu", KindStatic, "", false, "error: unknown runtime image family"},
		{"distroless", "ruby", "", false, "error: distroless has no ruby runtime image"},
	}
	for _, tt := range tests {
		img, err := RuntimeImage(tt.flavor, tt.kind, tt.version, tt.debug)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
			if strings.HasPrefix(tt.want, "error: ") && strings.Contains(got, strings.TrimPrefix(tt.want, "error: ")) {
				continue
			}
		} else {
			got = img.Ref
		}
		if got != tt.want {
			t.Errorf("RuntimeImage(%q, %q, %q, %v) = %s, want %s", tt.flavor, tt.kind, tt.version, tt.debug, got, tt.want)
		}
	}
}

func TestRuntimeImageOn(t *testing.T) {
	img, err := RuntimeImageOn(Distroless, KindNode, "22", "trixie", false)
	if err != nil || img.Ref != "gcr.io/distroless/nodejs22-debian13:nonroot" {
		t.Errorf("node 22 on trixie: %v, %v", img, err)
	}
	img, err = RuntimeImageOn(Distroless, KindNode, "22", "", false)
	if err != nil || img.Ref != "gcr.io/distroless/nodejs22-debian13:nonroot" {
		t.Errorf("node 22 on unknown: %v, %v", img, err)
	}
	img, err = RuntimeImageOn(Distroless, KindStatic, "", "debian13", true)
	if err != nil || img.Ref != "gcr.io/distroless/static-debian13:debug-nonroot" || !img.Shell || img.Entrypoint[0] != "/busybox/sh" {
		t.Errorf("static debug on debian13: %+v, %v", img, err)
	}
}

func TestClassifyBase(t *testing.T) {
	tests := []struct {
		ref  string
		want BaseInfo
	}{
		{"golang:1.22", BaseInfo{Family: "golang", Language: "go", Version: "1.22", Libc: "glibc"}},
		{"golang:1.22.3-alpine3.19", BaseInfo{Family: "golang", Language: "go", Version: "1.22", Libc: "musl", Distro: "alpine"}},
		{"docker.io/library/golang:1.23-bookworm", BaseInfo{Family: "golang", Language: "go", Version: "1.23", Libc: "glibc", Distro: "debian12"}},
		{"public.ecr.aws/docker/library/golang:1.21", BaseInfo{Family: "golang", Language: "go", Version: "1.21", Libc: "glibc"}},
		{"golang", BaseInfo{Family: "golang", Language: "go", Libc: "glibc"}},
		{"golang:1.22-windowsservercore-ltsc2022", BaseInfo{Family: "golang", Language: "go", Version: "1.22", Distro: "windows", Windows: true}},
		{"mcr.microsoft.com/windows/nanoserver:ltsc2022", BaseInfo{Family: Unknown, Windows: true}},
		{"${BASE}-nanoserver", BaseInfo{Family: Unknown, Windows: true}},
		{"rust:1.84-bullseye", BaseInfo{Family: "rust", Language: "rust", Version: "1.84", Libc: "glibc", Distro: "debian11"}},
		{"rust:alpine", BaseInfo{Family: "rust", Language: "rust", Libc: "musl", Distro: "alpine"}},
		{"node:20-alpine", BaseInfo{Family: "node", Language: "node", Version: "20", Libc: "musl", Distro: "alpine"}},
		{"node:20.11.1-bookworm-slim", BaseInfo{Family: "node", Language: "node", Version: "20", Libc: "glibc", Distro: "debian12"}},
		{"node:lts", BaseInfo{Family: "node", Language: "node", Libc: "glibc"}},
		{"node:iron-slim", BaseInfo{Family: "node", Language: "node", Version: "20", Libc: "glibc"}},
		{"python:3.11-slim", BaseInfo{Family: "python", Language: "python", Version: "3.11", Libc: "glibc"}},
		{"python:3.13.1-slim-trixie", BaseInfo{Family: "python", Language: "python", Version: "3.13", Libc: "glibc", Distro: "debian13"}},
		{"python:3", BaseInfo{Family: "python", Language: "python", Version: "3", Libc: "glibc"}},
		{"eclipse-temurin:17-jdk-jammy", BaseInfo{Family: "java", Language: "java", Version: "17", Libc: "glibc", Distro: "ubuntu"}},
		{"eclipse-temurin:21.0.2_13-jre-alpine", BaseInfo{Family: "java", Language: "java", Version: "21", Libc: "musl", Distro: "alpine"}},
		{"openjdk:8u342-jdk", BaseInfo{Family: "java", Language: "java", Version: "8", Libc: "glibc"}},
		{"java:8-jre", BaseInfo{Family: "java", Language: "java", Version: "8", Libc: "glibc"}}, // the deprecated official image
		{"maven:3.9.6-eclipse-temurin-17", BaseInfo{Family: "java", Language: "java", Version: "17", Libc: "glibc"}},
		{"maven:3-openjdk-11-slim", BaseInfo{Family: "java", Language: "java", Version: "11", Libc: "glibc"}},
		{"maven:3.8", BaseInfo{Family: "java", Language: "java", Libc: "glibc"}},
		{"gradle:8.5-jdk17", BaseInfo{Family: "java", Language: "java", Version: "17", Libc: "glibc"}},
		{"amazoncorretto:17", BaseInfo{Family: "java", Language: "java", Version: "17", Libc: "glibc"}},
		{"debian:bookworm-slim", BaseInfo{Family: "debian", Libc: "glibc", Distro: "debian12"}},
		{"debian:13", BaseInfo{Family: "debian", Libc: "glibc", Distro: "debian13"}},
		{"ubuntu:22.04", BaseInfo{Family: "ubuntu", Libc: "glibc", Distro: "ubuntu"}},
		{"alpine:3.19", BaseInfo{Family: "alpine", Libc: "musl", Distro: "alpine"}},
		{"amazonlinux:2023", BaseInfo{Family: "amazonlinux", Libc: "glibc", Distro: "amazonlinux"}},
		{"public.ecr.aws/lambda/provided:al2", BaseInfo{Family: "lambda-provided", Version: "al2", Libc: "glibc", Distro: "al2"}},
		{"public.ecr.aws/lambda/provided:al2023-arm64", BaseInfo{Family: "lambda-provided", Version: "al2023", Libc: "glibc", Distro: "al2023"}},
		{"public.ecr.aws/lambda/provided:latest", BaseInfo{Family: "lambda-provided", Libc: "glibc"}},
		{"public.ecr.aws/lambda/python:3.12", BaseInfo{Family: "lambda-language", Language: "python", Version: "3.12", Libc: "glibc"}},
		{"amazon/aws-lambda-provided:al2.2024.01.01", BaseInfo{Family: "lambda-provided", Version: "al2", Libc: "glibc", Distro: "al2"}},
		{"amazon/aws-lambda-python:3.11", BaseInfo{Family: "lambda-language", Language: "python", Version: "3.11", Libc: "glibc"}},
		{"public.ecr.aws/lambda/nodejs:20", BaseInfo{Family: "lambda-language", Language: "node", Version: "20", Libc: "glibc"}},
		{"gcr.io/distroless/static-debian12", BaseInfo{Family: "distroless", Libc: "none", Distro: "debian12", Runtime: true}},
		{"gcr.io/distroless/cc:latest-amd64", BaseInfo{Family: "distroless", Libc: "glibc", Runtime: true}},
		{"gcr.io/distroless/nodejs20-debian12:debug", BaseInfo{Family: "distroless", Language: "node", Version: "20", Libc: "glibc", Distro: "debian12", Runtime: true}},
		{"gcr.io/distroless/python3-debian12", BaseInfo{Family: "distroless", Language: "python", Version: "3.11", Libc: "glibc", Distro: "debian12", Runtime: true}},
		{"gcr.io/distroless/java17-debian12:nonroot", BaseInfo{Family: "distroless", Language: "java", Version: "17", Libc: "glibc", Distro: "debian12", Runtime: true}},
		{"cgr.dev/chainguard/static:latest", BaseInfo{Family: "chainguard", Libc: "none", Distro: "wolfi", Runtime: true}},
		{"cgr.dev/chainguard/python:latest-dev", BaseInfo{Family: "chainguard", Language: "python", Version: "3.14", Libc: "glibc", Distro: "wolfi"}},
		{"cgr.dev/chainguard/rust", BaseInfo{Family: "chainguard", Language: "rust", Libc: "glibc", Distro: "wolfi"}},
		{"scratch", BaseInfo{Family: "scratch", Libc: "none", Runtime: true}},
		{"${BASE}", BaseInfo{Family: Unknown}},
		{"golang:${GO_VERSION}", BaseInfo{Family: Unknown}},
		{"registry.example.com:5000/team/app:1", BaseInfo{Family: Unknown}},
		{"Not A Ref", BaseInfo{Family: Unknown}},
	}
	for _, tt := range tests {
		got := ClassifyBase(tt.ref)
		got.Name, got.Tag = "", ""
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ClassifyBase(%q) (-want +got):\n%s", tt.ref, diff)
		}
	}
}

func TestCatalogLoadsOnce(t *testing.T) {
	if catalog() != catalog() {
		t.Fatal("catalog loaded twice")
	}
}
