package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
)

// This file holds what the split knows about native extensions that load
// system libraries at run time: Python distributions that pip builds from
// source (or that load a library with ctypes/cffi), Node.js addons that
// node-gyp builds against a system library, and the runtime package that
// holds the library of each development package.
//
// Sources: PyPI's file lists of each distribution (which publish manylinux
// wheels, which bundle their libraries, and since which version), the
// packages' install documentation, packages.debian.org (bullseye, bookworm,
// trixie; trixie renamed some libraries for 64-bit time_t: libcurl4t64) and
// pkgs.alpinelinux.org.

// A nativeDist is a Python distribution whose installed files need a
// system library at run time.
type nativeDist struct {
	dev []string // the Debian development packages it builds against (keys of runtimeLibPackages)
	so  string   // the library it loads, for messages
	// loads is set on a distribution that loads the library itself (ctypes,
	// cffi, dlopen) rather than being built from source against it.
	loads bool
	// wheelsSince is the first version whose manylinux wheels bundle the
	// library; "" when no Linux wheel does.
	wheelsSince string
	// unless is an extra that installs a self-contained build instead.
	unless string
	// wheelsFor is, per Python minor, the first version with manylinux
	// wheels for it (which bundle the library): an older pin has none, so
	// pip builds it from source against the build image's library. A
	// Python minor it does not name is served by wheels.
	wheelsFor map[string]string
}

// nativePythonDists maps a normalized distribution name to what it needs.
var nativePythonDists = map[string]nativeDist{
	"psycopg2": {dev: []string{"libpq-dev"}, so: "libpq.so.5"},
	// psycopg2's release notes (psycopg.org/docs/news.html): "Add support
	// for Python 3.11" in 2.9.5, 3.12 in 2.9.9, 3.13 in 2.9.10, 3.14 in
	// 2.9.11; "preliminary support for Python 3.10" in 2.9.2.
	"psycopg2-binary": {dev: []string{"libpq-dev"}, so: "libpq.so.5", wheelsFor: map[string]string{
		"3.10": "2.9.2", "3.11": "2.9.5", "3.12": "2.9.9", "3.13": "2.9.10", "3.14": "2.9.11"}},
	"psycopg":          {dev: []string{"libpq-dev"}, so: "libpq.so.5", loads: true, unless: "binary"},
	"mysqlclient":      {dev: []string{"default-libmysqlclient-dev"}, so: "libmariadb.so.3"},
	"pycurl":           {dev: []string{"libcurl4-openssl-dev"}, so: "libcurl.so.4", wheelsSince: "7.45.3"},
	"python-ldap":      {dev: []string{"libldap2-dev", "libsasl2-dev"}, so: "libldap.so"},
	"pyodbc":           {dev: []string{"unixodbc-dev"}, so: "libodbc.so.2"},
	"uwsgi":            {dev: []string{"libxml2-dev", "libyaml-dev"}, so: "the libraries its build found (libxml2 on the full image)"},
	"wand":             {dev: []string{"libmagickwand-dev"}, so: "libMagickWand", loads: true},
	"gssapi":           {dev: []string{"libkrb5-dev"}, so: "libgssapi_krb5.so.2"},
	"pykerberos":       {dev: []string{"libkrb5-dev"}, so: "libgssapi_krb5.so.2"},
	"kerberos":         {dev: []string{"libkrb5-dev"}, so: "libgssapi_krb5.so.2"},
	"mod-wsgi":         {dev: []string{"apache2-dev"}, so: "Apache httpd and libpython"},
	"cx-oracle":        {dev: []string{"oracle-instantclient"}, so: "libclntsh.so (Oracle Instant Client)", loads: true},
	"pygraphviz":       {dev: []string{"libgraphviz-dev"}, so: "libcgraph.so.6"},
	"python-magic":     {dev: []string{"libmagic-dev"}, so: "libmagic.so.1", loads: true},
	"pyaudio":          {dev: []string{"portaudio19-dev"}, so: "libportaudio.so.2"},
	"pylibmc":          {dev: []string{"libmemcached-dev"}, so: "libmemcached.so.11"},
	"weasyprint":       {dev: []string{"libpango1.0-dev"}, so: "libpango-1.0.so.0", loads: true},
	"cairocffi":        {dev: []string{"libcairo2-dev"}, so: "libcairo.so.2", loads: true},
	"pycairo":          {dev: []string{"libcairo2-dev"}, so: "libcairo.so.2"},
	"python-geoip":     {dev: []string{"libgeoip-dev"}, so: "libGeoIP.so.1"},
	"python-libmagic":  {dev: []string{"libmagic-dev"}, so: "libmagic.so.1", loads: true},
	"dbus-python":      {dev: []string{"libdbus-1-dev"}, so: "libdbus-1.so.3"},
	"pygobject":        {dev: []string{"libgirepository1.0-dev"}, so: "libgirepository-1.0.so.1"},
	"python-snappy":    {dev: []string{"libsnappy-dev"}, so: "libsnappy.so.1", wheelsSince: "0.7.0"},
	"pysqlcipher3":     {dev: []string{"libsqlcipher-dev"}, so: "libsqlcipher.so.0"},
	"python-pam":       {dev: []string{"libpam0g-dev"}, so: "libpam.so.0", loads: true},
	"ldap3-gssapi-ext": {dev: []string{"libkrb5-dev"}, so: "libgssapi_krb5.so.2"},
}

// nativeNodeAddons maps an npm package to the development packages its
// node-gyp build links (it has no prebuilt binary bundling them).
var nativeNodeAddons = map[string][]string{
	"libpq":    {"libpq-dev"},    // pg-native's binding
	"kerberos": {"libkrb5-dev"},  // the MongoDB driver's Kerberos support
	"odbc":     {"unixodbc-dev"}, // links libodbc
}

// runtimeLibPackages maps a development package (Debian or Alpine name) to
// the package that holds its shared library: per distribution ("debian11",
// "debian12", "debian13", "alpine"), or "debian" for every Debian release.
var runtimeLibPackages = map[string]map[string]string{
	"libpq-dev":                  {"debian": "libpq5", "alpine": "libpq"},
	"postgresql-dev":             {"alpine": "libpq"},
	"libpq":                      {"alpine": "libpq"},
	"default-libmysqlclient-dev": {"debian": "libmariadb3", "alpine": "mariadb-connector-c"},
	"libmariadb-dev":             {"debian": "libmariadb3"},
	"libmariadb-dev-compat":      {"debian": "libmariadb3"},
	"libmariadbclient-dev":       {"debian": "libmariadb3"},
	"mariadb-dev":                {"alpine": "mariadb-connector-c"},
	"mariadb-connector-c-dev":    {"alpine": "mariadb-connector-c"},
	"libxml2-dev":                {"debian": "libxml2", "alpine": "libxml2"},
	"libxslt1-dev":               {"debian": "libxslt1.1"},
	"libxslt-dev":                {"alpine": "libxslt"},
	"libcurl4-openssl-dev":       {"debian11": "libcurl4", "debian12": "libcurl4", "debian13": "libcurl4t64"},
	"curl-dev":                   {"alpine": "libcurl"},
	"libldap2-dev":               {"debian11": "libldap-2.4-2", "debian12": "libldap-2.5-0", "debian13": "libldap2"},
	"libldap-dev":                {"debian12": "libldap-2.5-0", "debian13": "libldap2"},
	"openldap-dev":               {"alpine": "libldap"},
	"libsasl2-dev":               {"debian": "libsasl2-2"},
	"cyrus-sasl-dev":             {"alpine": "libsasl"},
	"unixodbc-dev":               {"debian11": "libodbc1", "debian12": "libodbc2", "debian13": "libodbc2", "alpine": "unixodbc"},
	"libkrb5-dev":                {"debian": "libgssapi-krb5-2"},
	"krb5-dev":                   {"alpine": "krb5-libs"},
	"libmagic-dev":               {"debian11": "libmagic1", "debian12": "libmagic1", "debian13": "libmagic1t64"},
	"file-dev":                   {"alpine": "libmagic"},
	"portaudio19-dev":            {"debian": "libportaudio2"},
	"portaudio-dev":              {"alpine": "portaudio"},
	"libffi-dev":                 {"debian11": "libffi7", "debian12": "libffi8", "debian13": "libffi8", "alpine": "libffi"},
	"libssl-dev":                 {"debian11": "libssl1.1", "debian12": "libssl3", "debian13": "libssl3t64"},
	"openssl-dev":                {"alpine": "libssl3"},
	"zlib1g-dev":                 {"debian": "zlib1g"},
	"zlib-dev":                   {"alpine": "zlib"},
	"libjpeg-dev":                {"debian": "libjpeg62-turbo"},
	"libjpeg62-turbo-dev":        {"debian": "libjpeg62-turbo"},
	"jpeg-dev":                   {"alpine": "libjpeg-turbo"},
	"libjpeg-turbo-dev":          {"alpine": "libjpeg-turbo"},
	"libyaml-dev":                {"debian": "libyaml-0-2", "alpine": "yaml"},
	"yaml-dev":                   {"alpine": "yaml"},
	"libpcre2-dev":               {"debian": "libpcre2-8-0"},
	"libsqlite3-dev":             {"debian": "libsqlite3-0"},
	"sqlite-dev":                 {"alpine": "sqlite-libs"},
	"libmagickwand-dev":          {"debian11": "libmagickwand-6.q16-6", "debian12": "libmagickwand-6.q16-6"},
	"libcairo2-dev":              {"debian": "libcairo2"},
	"cairo-dev":                  {"alpine": "cairo"},
	"libdbus-1-dev":              {"debian": "libdbus-1-3"},
	"libsnappy-dev":              {"debian": "libsnappy1v5"},
	"libpam0g-dev":               {"debian": "libpam0g"},
	"libgraphviz-dev":            {"debian": "libgvc6"}, // depends on libcgraph6
	"libmemcached-dev":           {"debian11": "libmemcached11", "debian12": "libmemcached11", "debian13": "libmemcached11t64"},
}

// runtimeLibPackage returns the package holding the library of the
// development package dev on distribution distro, or "".
func runtimeLibPackage(dev, distro string) string {
	m := runtimeLibPackages[dev]
	if pk := m[distro]; pk != "" && distro != "" {
		return pk
	}
	if strings.HasPrefix(distro, "debian") || distro == "" {
		return m["debian"] // "": a Debian tag that names no release
	}
	return ""
}

// nativeRequirements returns the requirements of the Python install that
// need a system library at run time, with the distribution's entry.
func (sp *split) nativeRequirements() ([]facts.Requirement, []nativeDist) {
	var reqs []facts.Requirement
	var dists []nativeDist
	if sp.art == nil || sp.art.Kind != facts.KindPythonApp {
		return nil, nil
	}
	binary := map[string]bool{}
	for _, r := range sp.art.Requires {
		binary[r.Name] = true
	}
	for _, r := range sp.art.Requires {
		d, ok := nativePythonDists[r.Name]
		if !ok || (d.wheelsSince != "" && r.AtLeast(d.wheelsSince)) {
			continue
		}
		if d.wheelsFor != nil {
			if min, known := d.wheelsFor[sp.version]; !known || !r.Excludes(min) {
				continue // wheels for this Python
			}
		}
		if d.unless != "" && (slices.Contains(r.Extras, d.unless) || binary[r.Name+"-"+d.unless]) {
			continue
		}
		reqs, dists = append(reqs, r), append(dists, d)
	}
	return reqs, dists
}

// nativeNodePackages returns the installed npm packages (from the lockfile,
// else package.json) whose addon links a system library.
func (sp *split) nativeNodePackages() []string {
	var names []string
	if ctx, ok := sp.a.ContextFile(sp.appDir + "/package-lock.json"); ok {
		data, _ := sp.p.Facts().ReadContext(ctx)
		var lock struct {
			Packages map[string]json.RawMessage `json:"packages"`
		}
		if json.Unmarshal(data, &lock) == nil {
			for name := range lock.Packages {
				i := strings.LastIndex(name, "node_modules/")
				if i < 0 {
					continue
				}
				base := name[i+len("node_modules/"):]
				if len(nativeNodeAddons[base]) > 0 && !slices.Contains(names, base) {
					names = append(names, base)
				}
			}
		}
	}
	if ctx, ok := sp.a.ContextFile(sp.appDir + "/package.json"); ok && len(names) == 0 {
		data, _ := sp.p.Facts().ReadContext(ctx)
		var pj struct {
			Dependencies map[string]string `json:"dependencies"`
		}
		if json.Unmarshal(data, &pj) == nil {
			for name := range pj.Dependencies {
				if len(nativeNodeAddons[name]) > 0 {
					names = append(names, name)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// checkNativeLibs closes the gap between a build image that has a system
// library and a runtime image that does not: the Python distributions and
// Node.js addons that load one are refused on the first rung (distroless,
// Chainguard: no package manager), and on the slim rung get the package
// that holds the library installed in the runtime stage.
func (sp *split) checkNativeLibs() {
	type need struct {
		what, where, how, so string
		dev                  []string
	}
	var needs []need
	switch sp.language {
	case "python":
		reqs, dists := sp.nativeRequirements()
		for i, r := range reqs {
			how := "is built from source against " + strings.Join(dists[i].dev, ", ") + " and loads " + dists[i].so
			if min := dists[i].wheelsFor[sp.version]; min != "" {
				how = fmt.Sprintf("%s has no wheel for Python %s before %s, so pip builds it from source against %s and it loads %s",
					r.Spec, sp.version, min, strings.Join(dists[i].dev, ", "), dists[i].so)
			}
			if dists[i].loads {
				how = "loads " + dists[i].so + " (" + strings.Join(dists[i].dev, ", ") + ")"
			}
			needs = append(needs, need{what: r.Name, where: r.At, how: how, so: dists[i].so, dev: dists[i].dev})
		}
	case "node":
		if sp.art == nil {
			return
		}
		for _, name := range sp.nativeNodePackages() {
			needs = append(needs, need{what: "npm package " + name, how: "builds a native addon against " + strings.Join(nativeNodeAddons[name], ", ") + " and loads its library", so: "its library", dev: nativeNodeAddons[name]})
		}
	}
	if len(needs) == 0 {
		return
	}
	in := sp.from
	if sp.art != nil {
		in = sp.art.Instr(sp.f)
	}
	if sp.slim && len(sp.runtimePkgs) == 0 {
		sp.noRecommends = true // only libraries: their recommends are not needed
	}
	for _, n := range needs {
		if n.where != "" {
			n.what += " (" + n.where + ")"
		}
		if !sp.slim {
			sp.blockRung(in, "%s %s at run time, which %s does not have", n.what, n.how, sp.image.Ref)
			continue
		}
		for _, dev := range n.dev {
			pk := runtimeLibPackage(dev, sp.image.Distro)
			if pk == "" {
				sp.block(in, "%s %s at run time, and dfslim does not know which package of %s holds the library of %s", n.what, n.how, sp.image.Ref, dev)
				return
			}
			if !slices.Contains(sp.runtimePkgs, pk) {
				sp.runtimePkgs = append(sp.runtimePkgs, pk)
			}
		}
	}
	if sp.slim && sp.image.PackageManager != "apt" && sp.image.PackageManager != "apk" {
		sp.block(in, "%s needs %s at run time, and %s has no package manager to install it", needs[0].what, needs[0].so, sp.image.Ref)
	}
}
