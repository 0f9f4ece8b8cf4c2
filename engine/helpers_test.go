package engine

import "os"

// validYAML is the configuration package config's tests vary too.
var validYAML = func() string {
	b, err := os.ReadFile("config/testdata/valid.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()
