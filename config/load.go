package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrNotFound is returned by Find when no configuration file exists.
var ErrNotFound = errors.New("config: no configuration file")

// Find picks the configuration file: the explicit path when given, then
// ./config.yaml, then $KUZOT_CONFIG.
func Find(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if _, err := os.Stat("config.yaml"); err == nil {
		return "config.yaml", nil
	}
	if p := os.Getenv("KUZOT_CONFIG"); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("%w: no ./config.yaml and $KUZOT_CONFIG is not set (run from the repository root or pass --config FILE)", ErrNotFound)
}

// LoadFile reads, expands, decodes and validates the file at path.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Load(path, data, os.LookupEnv)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Load decodes data (named name in errors) over the defaults and validates
// it. ${NAME} is replaced by the environment variable NAME before decoding,
// so secrets stay out of the file; an unset variable becomes empty and the
// field that needs it fails validation by name.
func Load(name string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	var expandErr error
	expanded := envRef.ReplaceAllFunc(data, func(ref []byte) []byte {
		key := string(envRef.FindSubmatch(ref)[1])
		v, _ := lookup(key)
		if strings.ContainsAny(v, "\r\n") && expandErr == nil {
			// A multi-line value would shift every line number after it.
			expandErr = fmt.Errorf("config: %s: ${%s} holds a line break; put it in a single line", name, key)
		}
		return []byte(v)
	})
	if expandErr != nil {
		return nil, expandErr
	}

	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, decodeError(name, err)
	}
	// The node tree only serves to put line numbers on validation errors.
	var root yaml.Node
	_ = yaml.Unmarshal(expanded, &root)

	if err := cfg.Validate(); err != nil {
		var fe FieldErrors
		if errors.As(err, &fe) {
			return nil, fe.withLines(name, &root)
		}
		return nil, fmt.Errorf("config: %s: %w", name, err)
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// decodeError turns yaml.v3's messages into "file:line: message" lines with a
// hint for the usual mistakes.
func decodeError(name string, err error) error {
	if err.Error() == "EOF" {
		return fmt.Errorf("config: %s: the file is empty (copy the repository's config.yaml to start from)", name)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		lines := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			lines = append(lines, formatYAMLMessage(name, e))
		}
		return fmt.Errorf("config: %s", strings.Join(lines, "\n"))
	}
	return fmt.Errorf("config: %s", formatYAMLMessage(name, strings.TrimPrefix(err.Error(), "yaml: ")))
}

func formatYAMLMessage(name, msg string) string {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return name + ": " + msg
	}
	text := m[2]
	if strings.HasPrefix(text, "field ") && strings.Contains(text, " not found in type") {
		field := strings.TrimSuffix(strings.TrimPrefix(text, "field "), text[strings.Index(text, " not found"):])
		text = fmt.Sprintf("unknown key %q (check its spelling and indentation against the repository's config.yaml)", field)
	}
	return name + ":" + m[1] + ": " + text
}

// FieldError is one invalid field: Path is like "sources[3].interval".
type FieldError struct {
	Path string
	Msg  string
}

// FieldErrors is every invalid field found by Validate.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	lines := make([]string, len(fe))
	for i, e := range fe {
		lines[i] = e.Path + ": " + e.Msg
	}
	return "config: " + strings.Join(lines, "\n")
}

func (fe FieldErrors) withLines(name string, root *yaml.Node) error {
	lines := make([]string, len(fe))
	for i, e := range fe {
		loc := name
		if n := lookupNode(root, e.Path); n != nil {
			loc += ":" + strconv.Itoa(n.Line)
		}
		lines[i] = loc + ": " + e.Path + ": " + e.Msg
	}
	return fmt.Errorf("config: %s", strings.Join(lines, "\nconfig: "))
}

// lookupNode finds the YAML node of a path like "sources[3].selectors.body",
// falling back to the nearest ancestor present in the file (a missing field
// is reported at the line of the mapping that lacks it).
func lookupNode(root *yaml.Node, path string) *yaml.Node {
	n := root
	if n == nil || n.Kind == 0 {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := mappingValue(n, key)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
