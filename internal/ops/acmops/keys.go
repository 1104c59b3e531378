package acmops

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The files OpenKeys keeps in its directory (the data directory's "acm").
// Both keys are created once, 0600, and never rewritten: the CA's key signs
// every requested certificate, the sealing key decrypts every stored
// private key, so a backup of the data directory must keep them with the
// database.
const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca.key"
	sealFile   = "seal.key"
	sealKeyLen = 32 // AES-256
)

// ErrKeys reports key files that cannot be read, created or used.
var ErrKeys = errors.New("acm: key files")

// Keys are the local CA and the key that seals stored private keys.
type Keys struct {
	ca   *CA
	aead cipher.AEAD
}

// OpenKeys loads the CA and the sealing key from dir, creating what is
// missing (dir 0700, key files 0600, each written to a temporary file,
// synced and renamed into place, so a crash leaves either no file or a
// whole one).
func OpenKeys(dir string, now time.Time) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	ca, err := openCA(dir, now)
	if err != nil {
		return nil, err
	}
	seal, err := readOrCreate(filepath.Join(dir, sealFile), func() ([]byte, error) {
		k := make([]byte, sealKeyLen)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, err
	}
	if len(seal) != sealKeyLen {
		return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrKeys, filepath.Join(dir, sealFile), len(seal), sealKeyLen)
	}
	block, err := aes.NewCipher(seal)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	return &Keys{ca: ca, aead: aead}, nil
}

// seal encrypts a private key for storage; arn is bound in as additional
// data, so a sealed key copied into another record does not open.
func (k *Keys) seal(arn string, key []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, key, []byte(arn))
}

// open decrypts what seal sealed for arn.
func (k *Keys) open(arn string, sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, fmt.Errorf("%w: sealed private key of %s is truncated", ErrKeys, arn)
	}
	key, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(arn))
	if err != nil {
		return nil, fmt.Errorf("%w: the private key of %s does not open with %s (was the file replaced?): %w",
			ErrKeys, arn, sealFile, err)
	}
	return key, nil
}

// readOrCreate returns the file's content, creating it with make's bytes
// when it does not exist.
func readOrCreate(path string, make func() ([]byte, error)) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	if b, err = make(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	return b, writeFileAtomic(path, b, 0o600)
}

// writeFileAtomic writes data to path through a synced temporary file and
// a rename, then syncs the directory so that the rename is durable.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeys, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	err = writeSynced(tmp, data, mode)
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("%w: write %s: %w", ErrKeys, path, err)
	}
	return nil
}

func writeSynced(f *os.File, data []byte, mode os.FileMode) error {
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
