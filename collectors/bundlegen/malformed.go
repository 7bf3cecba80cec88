package bundlegen

type malformedInput struct {
	name  string
	write func(path string) error
}

// malformed lists the inputs of testdata/malformed.
func malformed() []malformedInput {
	return nil
}
