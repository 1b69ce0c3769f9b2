package report

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"podperf/manifests"
)

// SchemaFile is the JSON Schema of results.json in manifests/.
const SchemaFile = "results.schema.json"

// resultsSchema compiles manifests/results.schema.json once.
var resultsSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	b, err := manifests.FS.ReadFile(SchemaFile)
	if err != nil {
		return nil, fmt.Errorf("read the results schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("results schema %s is not JSON: %w", SchemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SchemaFile, doc); err != nil {
		return nil, fmt.Errorf("results schema %s: %w", SchemaFile, err)
	}
	s, err := c.Compile(SchemaFile)
	if err != nil {
		return nil, fmt.Errorf("compile the results schema: %w", err)
	}
	return s, nil
})

// SchemaError lists where a document breaks the results schema.
type SchemaError struct {
	// Violations are "instance location: what is wrong", deepest first.
	Violations []string
}

func (e *SchemaError) Error() string {
	const shown = 3
	v := e.Violations
	more := ""
	if len(v) > shown {
		more = fmt.Sprintf("; and %d more", len(v)-shown)
		v = v[:shown]
	}
	return "does not follow the results schema (" + SchemaFile + "): " + strings.Join(v, "; ") + more
}

// ValidateResults checks a results.json document against the published
// JSON Schema. A document that is not JSON is an error too.
func ValidateResults(b []byte) error {
	s, err := resultsSchema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	err = s.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err
	}
	se := &SchemaError{}
	p := message.NewPrinter(language.English)
	leaves(ve, nil, func(l *jsonschema.ValidationError, at []string) {
		se.Violations = append(se.Violations, "/"+strings.Join(at, "/")+": "+l.ErrorKind.LocalizedString(p))
	})
	if len(se.Violations) == 0 {
		se.Violations = []string{strings.Join(strings.Fields(ve.Error()), " ")}
	}
	return se
}

// leaves calls f on the errors that have no causes, the actual violations
// rather than the "properties do not match" above them, with their place in
// the document. An error about a property's name (propertyNames) is placed
// at the object that holds it.
func leaves(e *jsonschema.ValidationError, parent []string, f func(*jsonschema.ValidationError, []string)) {
	at := e.InstanceLocation
	if len(at) < len(parent) {
		at = parent
	}
	if len(e.Causes) == 0 {
		f(e, at)
		return
	}
	for _, c := range e.Causes {
		leaves(c, at, f)
	}
}
