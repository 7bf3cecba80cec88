package reports

// Exported for the external tests (package reports_test) that render the
// SARIF of real bundles through the scan pipeline.
var CheckGitHubSARIF = checkGitHubSARIF

type SARIFWant = sarifWant
