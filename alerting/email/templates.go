package email

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	texttemplate "text/template"

	"kuzot/alerting"
)

// HTMLTemplates is the html/template twin of alerting.Templates: it parses
// the embedded templates matching pattern, then the files of the same
// names in dir, which replace them. The functions are alerting.Funcs with
// funcs added; html/template escapes what they return unless it is
// template.HTML.
func HTMLTemplates(name string, embedded fs.FS, pattern, dir string, funcs htmltemplate.FuncMap) (*htmltemplate.Template, error) {
	fm := htmltemplate.FuncMap(alerting.Funcs())
	delete(fm, "html") // html/template escapes by itself and reserves the name
	maps.Copy(fm, funcs)
	t, err := htmltemplate.New(name).Funcs(fm).ParseFS(embedded, pattern)
	if err != nil {
		return nil, fmt.Errorf("email: templates of %s: %w", name, err)
	}
	err = overrides(embedded, pattern, dir, func(n, body string) error {
		_, err := t.New(n).Parse(body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("email: templates of %s: %w", name, err)
	}
	return t, nil
}

// TextTemplates is alerting.Templates with funcs added to the shared ones.
func TextTemplates(name string, embedded fs.FS, pattern, dir string, funcs texttemplate.FuncMap) (*texttemplate.Template, error) {
	fm := alerting.Funcs()
	maps.Copy(fm, funcs)
	t, err := texttemplate.New(name).Funcs(fm).ParseFS(embedded, pattern)
	if err != nil {
		return nil, fmt.Errorf("email: templates of %s: %w", name, err)
	}
	err = overrides(embedded, pattern, dir, func(n, body string) error {
		_, err := t.New(n).Parse(body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("email: templates of %s: %w", name, err)
	}
	return t, nil
}

// overrides parses, with parse, each file of dir named like an embedded
// template.
func overrides(embedded fs.FS, pattern, dir string, parse func(name, body string) error) error {
	if dir == "" {
		return nil
	}
	names, err := fs.Glob(embedded, pattern)
	if err != nil {
		return err
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.Base(n))
		body, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("template override %s: %w", p, err)
		}
		if err := parse(filepath.Base(n), string(body)); err != nil {
			return fmt.Errorf("template override %s: %w (fix it or remove it to use the built-in one)", p, err)
		}
	}
	return nil
}
