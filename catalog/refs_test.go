package catalog

import "testing"

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestUnmirror(t *testing.T) {
	for ref, want := range map[string]string{
		"mirror.corp/proxy/gcr.io/distroless/static:nonroot":           "gcr.io/distroless/static:nonroot",
		"harbor.corp/docker.io/docker.io/library/python:3.12":          "docker.io/library/python:3.12",
		"localhost:5000/cgr.dev/chainguard/static:latest":              "cgr.dev/chainguard/static:latest",
		"gcr.io/distroless/static:nonroot":                             "gcr.io/distroless/static:nonroot",
		"python:3.12":                                                  "python:3.12",
		"myorg/gcr.io":                                                 "myorg/gcr.io",
		"registry.corp/team/app:1":                                     "registry.corp/team/app:1",
		"mirror.corp/public.ecr.aws/lambda/provided:al2@" + testDigest: "public.ecr.aws/lambda/provided:al2@" + testDigest,
	} {
		if got := Unmirror(ref); got != want {
			t.Errorf("Unmirror(%q) = %q, want %q", ref, got, want)
		}
	}
	if b := ClassifyBase("mirror.corp/gcr.io/distroless/static-debian13:nonroot"); b.Family != FamilyDistroless {
		t.Errorf("a mirrored distroless image classifies as %q", b.Family)
	}
}

func TestIsWindows(t *testing.T) {
	for ref, want := range map[string]bool{
		"mcr.microsoft.com/windows/servercore:ltsc2022":           true,
		"mcr.microsoft.com/windows/nanoserver:1809":               true,
		"mcr.microsoft.com/powershell:lts-nanoserver-1809":        true,
		"golang:1.22-windowsservercore-ltsc2022":                  true,
		"mcr.microsoft.com/dotnet/framework/sdk:4.8-ltsc2019":     true,
		"stefanscherer/node-windows:10":                           true,
		"mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022": true,
		"MCR.MICROSOFT.COM/WINDOWS/SERVERCORE":                    true,
		"mcr.microsoft.com/dotnet/aspnet:8.0":                     false,
		"golang:1.22":                                             false,
		"${BASE}":                                                 false,
	} {
		if got := IsWindows(ref); got != want {
			t.Errorf("IsWindows(%q) = %v, want %v", ref, got, want)
		}
		if got := ClassifyBase(ref).Windows; got != want {
			t.Errorf("ClassifyBase(%q).Windows = %v, want %v", ref, got, want)
		}
	}
}

func TestSameImage(t *testing.T) {
	for _, tt := range []struct {
		ref, want string
		same      bool
	}{
		{"alpine:3.22", "alpine:3.22", true},
		{"docker.io/library/alpine:3.22", "alpine:3.22", true},
		{"mirror.corp/proxy/docker.io/library/alpine:3.22@" + testDigest, "alpine:3.22", true},
		{"alpine:3.21", "alpine:3.22", false},
		{"alpine", "alpine:latest", true},
		{"Not A Ref", "Not A Ref", true},
	} {
		if got := SameImage(tt.ref, tt.want); got != tt.same {
			t.Errorf("SameImage(%q, %q) = %v, want %v", tt.ref, tt.want, got, tt.same)
		}
	}
}

func TestDefaultUser(t *testing.T) {
	for ref, want := range map[string]string{
		"gcr.io/distroless/static-debian13:nonroot": "65532",
		"gcr.io/distroless/static-debian12:latest":  "0",
		"gcr.io/distroless/base-debian12:debug":     "0",
		"cgr.dev/chainguard/static:latest":          "65532",
		"cgr.dev/chainguard/python:latest-dev":      "65532", // the catalog's debug variant
		"cgr.dev/chainguard/go:latest-dev":          "",
		"debian:bookworm-slim":                      "",
		"mirror.corp/gcr.io/distroless/cc:nonroot":  "65532",
	} {
		got, ok := DefaultUser(ref)
		if got != want || ok != (want != "") {
			t.Errorf("DefaultUser(%q) = %q, %v; want %q", ref, got, ok, want)
		}
	}
}

func TestDistroHas(t *testing.T) {
	for _, tt := range []struct {
		distro, name string
		want         bool
	}{
		{"debian12", "bash", true},
		{"debian12", "curl", false},
		{"alpine", "sh", true},
	} {
		if got := DistroHas(tt.distro, tt.name); got != tt.want {
			t.Errorf("DistroHas(%q, %q) = %v, want %v", tt.distro, tt.name, got, tt.want)
		}
	}
	if !SlimLanguageHas(KindNode, "npm") || SlimLanguageHas(KindStatic, "npm") || !SlimBaseHas("sh") || SlimBaseHas("curl") {
		t.Error("SlimLanguageHas/SlimBaseHas disagree with the slim images' programs")
	}
}
