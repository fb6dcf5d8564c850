package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/internal/suggest"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/moby/patternmatcher"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// configName is the configuration file that dfslim looks for in a
// Dockerfile's directory and every directory above it.
const configName = ".dfslim.yaml"

// settings is one layer of configuration: a config file's top level, one of
// its overrides, or the command-line flags. Unset fields change nothing.
type settings struct {
	selectRules []string
	hasSelect   bool // select was given (an empty list selects no rule)
	ignoreRules []string
	base        string // "" when unset
	debug       *bool
	fallback    *bool
	unsafe      *bool
	static      *bool
	imageSettings
}

// override is a settings layer for the Dockerfiles that its patterns match.
type override struct {
	settings
	patterns []string
	matcher  *patternmatcher.PatternMatcher
}

// configFile is a loaded .dfslim.yaml.
type configFile struct {
	path      string // as shown in messages
	dir       string // absolute; override patterns are relative to it
	top       settings
	overrides []override
	mu        sync.Mutex // patternmatcher matchers are not safe for concurrent use
}

// layers returns the settings that apply to the Dockerfile at abs, in the
// order they apply: the top level, then each matching override in file order.
func (c *configFile) layers(abs string) ([]settings, error) {
	out := []settings{c.top}
	rel, err := filepath.Rel(c.dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return out, nil // outside the config's tree: no override applies
	}
	rel = filepath.ToSlash(rel)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.overrides {
		ok, err := o.matcher.MatchesOrParentMatches(rel)
		if err != nil {
			return nil, fmt.Errorf("%s: overrides: %v", c.path, err)
		}
		if ok {
			out = append(out, o.settings)
		}
	}
	return out, nil
}

// configs finds and loads configuration files, once each, for many
// Dockerfiles processed in parallel.
type configs struct {
	explicit string // --config FILE: used for every Dockerfile
	mu       sync.Mutex
	found    map[string]string // directory -> config path ("" for none)
	loaded   map[string]*loadResult
}

type loadResult struct {
	cfg *configFile
	err error
}

// forDockerfile returns the configuration of the Dockerfile at path ("-" for
// standard input, configured from the working directory), or nil for none.
func (cs *configs) forDockerfile(path string) (*configFile, error) {
	file := cs.explicit
	if file == "" {
		dir := "."
		if path != "-" {
			dir = filepath.Dir(path)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		if file, err = cs.find(abs); err != nil || file == "" {
			return nil, err
		}
	}
	return cs.load(file)
}

// find walks up from the absolute directory dir to the first configName.
func (cs *configs) find(dir string) (string, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.found == nil {
		cs.found = map[string]string{}
	}
	var walked []string
	result := ""
	for d := dir; ; d = filepath.Dir(d) {
		if p, ok := cs.found[d]; ok {
			result = p
			break
		}
		walked = append(walked, d)
		p := filepath.Join(d, configName)
		fi, err := os.Stat(p)
		if err == nil && !fi.IsDir() {
			result = p
			break
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", pathError(displayConfigPath(p), err)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range walked {
		cs.found[d] = result
	}
	return result, nil
}

// load reads and checks the configuration file at path, once.
func (cs *configs) load(path string) (*configFile, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.loaded == nil {
		cs.loaded = map[string]*loadResult{}
	}
	if r, ok := cs.loaded[path]; ok {
		return r.cfg, r.err
	}
	cfg, err := loadConfig(path)
	cs.loaded[path] = &loadResult{cfg, err}
	return cfg, err
}

// displayConfigPath shows an absolute path found by walking up relative to
// the working directory when that is shorter.
func displayConfigPath(p string) string {
	if wd, err := os.Getwd(); err == nil && filepath.IsAbs(p) {
		if rel, err := filepath.Rel(wd, p); err == nil && len(rel) < len(p) {
			return rel
		}
	}
	return p
}

// loadConfig reads a configuration file. Every problem is an error that
// names the file and line.
func loadConfig(path string) (*configFile, error) {
	shown := displayConfigPath(path)
	src, err := readRegular(path)
	if err != nil {
		return nil, pathError(shown, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c := &configFile{path: shown, dir: filepath.Dir(abs)}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, yamlError(shown, err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case err == nil:
		// A second document would be ignored silently: refuse it.
		return nil, fmt.Errorf("%s:%d: a second YAML document; the configuration is one document (remove the ---)", shown, more.Line)
	case err != io.EOF:
		return nil, yamlError(shown, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil // only comments
	}
	l := &configLoader{file: shown}
	keys := append(slices.Clone(settingKeys), "overrides")
	err = l.mapping(root, "the configuration", keys, func(key string, v *yaml.Node) error {
		if key != "overrides" {
			return l.setting(&c.top, key, v)
		}
		if v.Kind != yaml.SequenceNode {
			return l.errorf(v, "overrides: want a list of {paths: [...], ...} entries")
		}
		for _, item := range v.Content {
			o, err := l.override(item)
			if err != nil {
				return err
			}
			c.overrides = append(c.overrides, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// yamlError puts the line of a YAML syntax error where dfslim's errors have it:
// "file:line: message".
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil && line > 0 {
		_, rest, _ := strings.Cut(msg, ":")
		return &rewrite.Error{File: file, Line: line, Err: errors.New(strings.TrimSpace(rest))}
	}
	return fmt.Errorf("%s: %s", file, msg)
}

// settingKeys are the keys of a settings layer, at the top level and in overrides.
var settingKeys = append([]string{"select", "ignore", "base", "debug", "fallback", "unsafe", "static"}, imageKeys...)

// configLoader turns YAML nodes into settings, with errors at their lines.
type configLoader struct{ file string }

func (l *configLoader) errorf(n *yaml.Node, format string, args ...any) error {
	return &rewrite.Error{File: l.file, Line: n.Line, Err: fmt.Errorf(format, args...)}
}

// mapping calls fn for each key of the mapping n, refusing unknown and
// repeated keys.
func (l *configLoader) mapping(n *yaml.Node, what string, keys []string, fn func(key string, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return l.errorf(n, "%s must be a mapping of keys to values", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || !slices.Contains(keys, k.Value) {
			return l.errorf(k, "unknown key %q in %s%s (valid: %s)", k.Value, what, suggest.Hint(k.Value, keys), strings.Join(keys, ", "))
		}
		if seen[k.Value] {
			return l.errorf(k, "%s is set twice", k.Value)
		}
		seen[k.Value] = true
		if err := fn(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func (l *configLoader) override(n *yaml.Node) (override, error) {
	var o override
	keys := append([]string{"paths"}, settingKeys...)
	err := l.mapping(n, "an override", keys, func(key string, v *yaml.Node) error {
		if key != "paths" {
			return l.setting(&o.settings, key, v)
		}
		paths, err := l.strings(v, "paths", "a list of path patterns, as [services/*/Dockerfile, legacy]")
		if err != nil {
			return err
		}
		if len(paths) == 0 {
			return l.errorf(v, "paths: the list is empty")
		}
		o.patterns = paths
		if o.matcher, err = patternmatcher.New(paths); err != nil {
			return l.errorf(v, "paths: %v", err)
		}
		return nil
	})
	if err == nil && o.matcher == nil {
		err = l.errorf(n, "an override needs paths: the Dockerfiles it applies to")
	}
	return o, err
}

func (l *configLoader) setting(s *settings, key string, v *yaml.Node) error {
	var err error
	switch key {
	case "select", "ignore":
		var names []string
		if names, err = l.strings(v, key, "a list of rule names, as [exec-form, apt-hygiene]"); err != nil {
			return err
		}
		for i, name := range names {
			if rules.Lookup(name) == nil {
				return l.errorf(v.Content[i], "%s: unknown rule %q%s (valid: %s)", key, name, suggest.Hint(name, rules.Names()), strings.Join(rules.Names(), ", "))
			}
		}
		if key == "select" {
			s.selectRules, s.hasSelect = names, true
		} else {
			s.ignoreRules = names
		}
	case "base":
		if v.Kind != yaml.ScalarNode || !catalog.IsBaseFlavor(v.Value) {
			return l.errorf(v, "base: want distroless, chainguard, scratch or alpine, not %s", describe(v))
		}
		s.base = v.Value
	case "debug":
		s.debug, err = l.bool(v, key)
	case "fallback":
		s.fallback, err = l.bool(v, key)
	case "unsafe":
		s.unsafe, err = l.bool(v, key)
	case "static":
		s.static, err = l.bool(v, key)
	default:
		err = l.imageSetting(s, key, v)
	}
	return err
}

func (l *configLoader) strings(v *yaml.Node, key, want string) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, l.errorf(v, "%s: want %s, not %s", key, want, describe(v))
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode || item.Tag != "!!str" || item.Value == "" {
			return nil, l.errorf(item, "%s: want %s; this item is %s", key, want, describe(item))
		}
		out = append(out, item.Value)
	}
	return out, nil
}

func (l *configLoader) bool(v *yaml.Node, key string) (*bool, error) {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
		return nil, l.errorf(v, "%s: want true or false, not %s", key, describe(v))
	}
	return &b, nil
}

// describe names a YAML value for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "empty"
	}
	return fmt.Sprintf("%q", n.Value)
}

// flagSettings is the layer of settings that the command line gives: only
// the flags the user set.
func (o *options) flagSettings() settings {
	var s settings
	if o.flags == nil {
		return s
	}
	if o.flags.Changed("select") {
		s.selectRules, s.hasSelect = o.selectRules, true
	}
	if o.flags.Changed("ignore") {
		s.ignoreRules = o.ignoreRules
	}
	if o.flags.Changed("base") {
		s.base = o.base
	}
	if o.flags.Changed("debug") {
		s.debug = &o.debug
	}
	if o.flags.Changed("fallback") {
		s.fallback = &o.fallback
	}
	if o.flags.Changed("unsafe") {
		s.unsafe = &o.unsafe
	}
	if o.flags.Changed("static") {
		s.static = &o.static
	}
	o.imageFlagSettings(&s)
	return s
}

// resolve combines settings layers, each over the ones before it: select
// replaces the set of rules that run, ignore takes rules out of it, and
// base, debug and unsafe replace the earlier value.
func resolve(layers []settings) (rs []*rules.Rule, cfg rules.Config, unsafe bool) {
	enabled := map[string]bool{}
	for _, name := range rules.Names() {
		enabled[name] = true
	}
	cfg.Base = string(catalog.Distroless)
	for _, l := range layers {
		if l.hasSelect {
			clear(enabled)
			for _, name := range l.selectRules {
				enabled[name] = true
			}
		}
		for _, name := range l.ignoreRules {
			delete(enabled, name)
		}
		if l.base != "" {
			cfg.Base = l.base
		}
		if l.debug != nil {
			cfg.Debug = *l.debug
		}
		if l.fallback != nil {
			cfg.NoFallback = !*l.fallback
		}
		if l.unsafe != nil {
			unsafe = *l.unsafe
		}
		if l.static != nil {
			cfg.Static = *l.static
		}
		l.applyImages(&cfg.Images)
	}
	rs = []*rules.Rule{} // not nil: nil means every rule to the driver
	for _, r := range rules.All() {
		if enabled[r.Name] {
			rs = append(rs, r)
		}
	}
	return rs, cfg, unsafe
}

// driverOptions returns the driver's options for the Dockerfile at path
// ("-" for standard input), whose slash path in the build context is rel:
// the configuration file's settings, its overrides that match path, then
// the flags.
func (o *options) driverOptions(path, rel string) (rules.Options, error) {
	var layers []settings
	if !o.noConfig {
		cfg, err := o.configs.forDockerfile(path)
		if err != nil {
			return rules.Options{}, err
		}
		switch {
		case cfg == nil:
		case path == "-": // standard input has no path for overrides to match
			layers = []settings{cfg.top}
		default:
			abs, err := filepath.Abs(path)
			if err != nil {
				return rules.Options{}, err
			}
			if layers, err = cfg.layers(abs); err != nil {
				return rules.Options{}, err
			}
		}
	}
	layers = append(layers, o.flagSettings())
	rs, cfg, unsafe := resolve(layers)
	return rules.Options{Rules: rs, Config: cfg, Unsafe: unsafe, DockerfilePath: rel}, nil
}

// ecosystem holds the options of the configuration file and the output
// formats; it is part of [options].
type ecosystem struct {
	flags    *pflag.FlagSet
	configs  configs
	noConfig bool
	color    string // --color: auto, always or never
	exitPolicy
	stdinOptions
	images imageFlags
}

// addConfigFlags adds --config and --no-config, and remembers the flag set
// so that only flags the user set override the configuration file.
func (o *options) addConfigFlags(f *pflag.FlagSet) {
	o.flags = f
	f.StringVar(&o.configs.explicit, "config", "", "configuration file (default: "+configName+" in the Dockerfile's directory or above)")
	f.BoolVar(&o.noConfig, "no-config", false, "do not read any configuration file")
}

// prepareConfig loads the --config file, so that a broken one stops the
// command before any Dockerfile is read.
func (o *options) prepareConfig() error {
	if o.configs.explicit == "" {
		return nil
	}
	if o.noConfig {
		return fmt.Errorf("--config and --no-config cannot be used together")
	}
	_, err := o.configs.load(o.configs.explicit)
	return err
}
