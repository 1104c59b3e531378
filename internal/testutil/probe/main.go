// Command probe is a small static program the Docker tests run in images
// built FROM scratch: a web server that reports what a container sees
// (environment, files, other addresses), and the misbehaviours tests need
// (exit codes, memory hogging).
//
//	probe serve        HTTP on :$PROBE_PORT (8080): /health, /env, /file?path=P,
//	                   /get?url=U (fetched from inside), /write?path=P&data=D
//	probe hog          allocate memory until killed
//	probe exit N       exit with code N
//	probe sleep        wait for SIGTERM, then exit 0
//	probe burn         keep one CPU busy until SIGTERM, then exit 0
//	probe print TEXT   write TEXT to stdout and stderr, then exit 0
//	probe lines N      write lines 1..N to stdout, one every 2 ms, then exit 0
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe serve|hog|exit N|sleep|print TEXT")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve()
	case "hog":
		hog()
	case "exit":
		code, _ := strconv.Atoi(arg(2))
		os.Exit(code)
	case "sleep":
		waitTerm()
	case "burn":
		go burn()
		waitTerm()
	case "print":
		fmt.Println(arg(2))
		fmt.Fprintln(os.Stderr, arg(2))
	case "lines":
		n, _ := strconv.Atoi(arg(2))
		for i := 1; i <= n; i++ {
			fmt.Println("line", i)
			time.Sleep(2 * time.Millisecond)
		}
	default:
		fmt.Fprintln(os.Stderr, "probe: unknown command", os.Args[1])
		os.Exit(2)
	}
}

func arg(i int) string {
	if len(os.Args) > i {
		return os.Args[i]
	}
	return ""
}

// burn spins forever (the runtime preempts it for the signal handler).
func burn() {
	for {
	}
}

func waitTerm() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	<-sigs
}

// hog allocates and touches memory in 1 MiB steps until the kernel kills it.
func hog() {
	var keep [][]byte
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i)
		}
		keep = append(keep, b)
		if len(keep)%64 == 0 {
			fmt.Println("allocated MiB:", len(keep))
		}
	}
}

func serve() {
	port := os.Getenv("PROBE_PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(os.Environ()) })
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(r.URL.Query().Get("path"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		_, _ = w.Write(b)
	})
	mux.HandleFunc("/write", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := os.WriteFile(q.Get("path"), []byte(q.Get("data")), 0o644); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		resp, err := client.Get(r.URL.Query().Get("url"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, io.LimitReader(resp.Body, 1<<20))
	})
	srv := &http.Server{Addr: os.Getenv("PROBE_HOST") + ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		waitTerm()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}
