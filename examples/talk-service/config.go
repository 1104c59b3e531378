package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrBadSetting marks an environment setting that cannot be parsed.
var ErrBadSetting = errors.New("bad setting")

// defaultMessage is the /talk message when TALK_MESSAGE is unset.
const defaultMessage = "Hello from the talk service!"

// maxShutdownWait caps the graceful shutdown when TALK_SHUTDOWN_DELAY is unset.
const maxShutdownWait = 30 * time.Second

// config holds the settings read from the environment (see README.md).
type config struct {
	host        string // empty: all interfaces
	port        string
	version     string
	message     string
	metadataURI string

	startupDelay time.Duration
	// failHealth makes /health fail at once; healthyFor, when > 0, after that long.
	failHealth bool
	healthyFor time.Duration

	crashAtStart bool
	crashAfter   int64
	errorRate    float64
	latency      time.Duration
	shutdownWait time.Duration
}

// loadConfig reads the settings through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		host:        getenv("HOST"),
		port:        orDefault(getenv("PORT"), "8080"),
		version:     orDefault(getenv("TALK_VERSION"), "v1"),
		message:     orDefault(getenv("TALK_MESSAGE"), defaultMessage),
		metadataURI: getenv("ECS_CONTAINER_METADATA_URI_V4"),
	}
	var errs []error
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"TALK_STARTUP_DELAY", &c.startupDelay, 0},
		{"TALK_LATENCY", &c.latency, 0},
		{"TALK_SHUTDOWN_DELAY", &c.shutdownWait, maxShutdownWait},
	}
	for _, d := range durations {
		v, err := parseDuration(d.name, getenv(d.name), d.def)
		*d.dst = v
		errs = append(errs, err)
	}
	var err error
	c.failHealth, c.healthyFor, err = parseFailHealth(getenv("TALK_FAIL_HEALTH"))
	errs = append(errs, err)
	c.crashAtStart, err = parseBool("TALK_CRASH_AT_START", getenv("TALK_CRASH_AT_START"))
	errs = append(errs, err)
	if v := getenv("TALK_CRASH_AFTER"); v != "" {
		c.crashAfter, err = strconv.ParseInt(v, 10, 64)
		if err != nil || c.crashAfter < 1 {
			errs = append(errs, fmt.Errorf("%w: TALK_CRASH_AFTER=%q: want a positive number of requests", ErrBadSetting, v))
		}
	}
	if v := getenv("TALK_ERROR_RATE"); v != "" {
		c.errorRate, err = strconv.ParseFloat(v, 64)
		if err != nil || c.errorRate < 0 || c.errorRate > 1 {
			errs = append(errs, fmt.Errorf("%w: TALK_ERROR_RATE=%q: want a number from 0 to 1", ErrBadSetting, v))
		}
	}
	if _, err := strconv.ParseUint(c.port, 10, 16); err != nil {
		errs = append(errs, fmt.Errorf("%w: PORT=%q: want a port number", ErrBadSetting, c.port))
	}
	return c, errors.Join(errs...)
}

// parseFailHealth reads TALK_FAIL_HEALTH: "true" fails at once, a duration fails
// after being healthy that long, "" or "false" never fails.
func parseFailHealth(v string) (bool, time.Duration, error) {
	if b, err := strconv.ParseBool(v); err == nil {
		return b, 0, nil
	}
	if v == "" {
		return false, 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return false, 0, fmt.Errorf("%w: TALK_FAIL_HEALTH=%q: want true, false or a duration like 10s", ErrBadSetting, v)
	}
	return false, d, nil
}

func parseDuration(name, v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return def, fmt.Errorf("%w: %s=%q: want a duration like 1s", ErrBadSetting, name, v)
	}
	return d, nil
}

func parseBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%w: %s=%q: want true or false", ErrBadSetting, name, v)
	}
	return b, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
