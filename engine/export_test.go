package engine

// SetTracerCgroup makes sessions create their cgroups under dir (or fail
// with err) until the returned function restores the real place.
func SetTracerCgroup(dir string, err error) (restore func()) {
	saved := tracerCgroup
	tracerCgroup = func() (string, error) { return dir, err }
	return func() { tracerCgroup = saved }
}

// LoadError is loadError, for the tests of its wording.
var LoadError = loadError
