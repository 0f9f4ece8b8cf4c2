package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as indented JSON (the Report struct).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Formats are the renderers by name, as --format takes them.
var Formats = map[string]func(io.Writer, *Report) error{
	"md":   WriteMarkdown,
	"html": WriteHTML,
	"json": WriteJSON,
}
