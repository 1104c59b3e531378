// Package certfile reads the PEM files that a listener's file:// certificate
// names (see model.CertificateFiles): each must be a regular file of at most
// MaxFileBytes, checked before it is opened and again on the open file, so a
// device (/dev/zero), a FIFO or a directory is refused without being read.
// A Cache reads each file once and again only when it changes.
//
// Every refusal is the same ErrUnusable to whoever asked through the API:
// whether a path exists, is a directory or is unreadable is not theirs to
// learn. The wrapped error says what is wrong, for the operator's log.
package certfile

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/slipway-dev/slipway/internal/model"
)

// MaxFileBytes bounds a certificate chain or key file.
const MaxFileBytes = 1 << 20

// ErrUnusable marks every failure to load a certificate.
var ErrUnusable = errors.New("certificate unusable")

// Pair is a certificate chain and its private key as PEM, checked to form a
// key pair.
type Pair struct {
	CertPEM, KeyPEM []byte
}

// UserMessage is what the API says of any certificate that does not load.
func UserMessage(arn string) string {
	return fmt.Sprintf("Certificate '%s' not found: use file:///ABSOLUTE/cert.pem (key beside it as cert.key) or "+
		"file:///ABSOLUTE/cert.pem#/ABSOLUTE/key.pem, naming readable regular files of at most 1 MiB that hold a "+
		"PEM certificate chain and its private key", arn)
}

// Load reads and checks the pair a file:// certificate ARN names.
func Load(arn string) (Pair, error) {
	certFile, keyFile, err := model.CertificateFiles(arn)
	if err != nil {
		return Pair{}, fmt.Errorf("%w: %s: %w", ErrUnusable, arn, err)
	}
	cert, _, err := readFile(certFile)
	if err != nil {
		return Pair{}, err
	}
	key, _, err := readFile(keyFile)
	if err != nil {
		return Pair{}, err
	}
	return check(arn, cert, key)
}

func check(arn string, cert, key []byte) (Pair, error) {
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return Pair{}, fmt.Errorf("%w: %s: %w", ErrUnusable, arn, err)
	}
	return Pair{CertPEM: cert, KeyPEM: key}, nil
}

// readFile reads path if it is a regular file of at most MaxFileBytes and
// returns what it read with the file's identity (see unchanged).
func readFile(path string) ([]byte, os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err := usable(path, fi); err != nil {
		return nil, nil, err
	}
	// O_NONBLOCK: a FIFO put in the file's place since the Stat must not
	// block the open; the open file is checked again below.
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err := usable(path, fi); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrUnusable, path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, nil, fmt.Errorf("%w: %s grew beyond %d bytes while it was read", ErrUnusable, path, MaxFileBytes)
	}
	return data, fi, nil
}

func usable(path string, fi os.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file (%s)", ErrUnusable, path, fi.Mode().Type())
	case fi.Size() > MaxFileBytes:
		return fmt.Errorf("%w: %s has %d bytes, more than %d", ErrUnusable, path, fi.Size(), MaxFileBytes)
	}
	return nil
}

// unchanged reports whether two observations are of the same, unmodified
// file: the same file (device and inode), size and modification time.
// Certificate tools replace files (certbot swaps symlinks to new files) or
// rewrite them, and either changes one of these.
func unchanged(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
