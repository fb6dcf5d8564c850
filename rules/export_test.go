package rules

// PathTests returns how many context paths the dockerignore rule has matched
// patterns against so far.
func PathTests() int64 { return pathTests.Load() }
