package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Authentication methods for users of a users file.
const (
	// AuthSCRAM is SCRAM-SHA-256 (with channel binding,
	// SCRAM-SHA-256-PLUS, over TLS): the password never crosses the wire.
	AuthSCRAM = "scram-sha-256"
	// AuthPassword is a cleartext password, accepted only over TLS, for
	// clients without SCRAM.
	AuthPassword = "password"
)

// scramIterations is the PBKDF2 iteration count of new verifiers, as
// PostgreSQL's scram_iterations default.
const scramIterations = 4096

// Users are the accounts a server accepts, from a users file:
//
//	users:
//	  alice:
//	    password: "SCRAM-SHA-256$4096:c2FsdA==$StoredKey:ServerKey"   # restsql serve --hash-password
//	    catalogs: [API1]                                             # optional: the catalogs alice may query
//	  etl:
//	    password: ${ETL_PASSWORD}                                    # a plain password from the environment
//
// A password is a SCRAM-SHA-256 verifier (as PostgreSQL stores them, and
// as HashPassword writes them) or a plain password, which is turned into
// a verifier when the file is read; either may be a ${NAME} placeholder
// resolved from the environment. Without catalogs, a user may query every
// catalog of the DSN.
type Users struct {
	users map[string]*User
}

// User is one account of a users file.
type User struct {
	Name string
	// Catalogs are the catalogs the user may query; empty means all.
	Catalogs []string
	verifier *scramVerifier
}

// usersFile is the YAML form of a users file.
type usersFile struct {
	Users map[string]struct {
		Password string   `yaml:"password"`
		Catalogs []string `yaml:"catalogs"`
	} `yaml:"users"`
}

// LoadUsers reads a users file.
func LoadUsers(path string) (*Users, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("server: users file: %w", err)
	}
	u, err := ParseUsers(data, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("server: users file %s: %w", path, err)
	}
	return u, nil
}

var placeholderRE = regexp.MustCompile(`^\$\{([A-Za-z0-9_.-]+)\}$`)

// ParseUsers reads the YAML of a users file. lookup resolves ${NAME}
// passwords (os.LookupEnv for a file).
func ParseUsers(data []byte, lookup func(string) (string, bool)) (*Users, error) {
	var f usersFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if len(f.Users) == 0 {
		return nil, errors.New("no users (want users: {name: {password: …}})")
	}
	u := &Users{users: map[string]*User{}}
	names := make([]string, 0, len(f.Users))
	for name := range f.Users {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e := f.Users[name]
		if name == "" {
			return nil, errors.New("a user has an empty name")
		}
		pw := e.Password
		if m := placeholderRE.FindStringSubmatch(pw); m != nil {
			v, ok := lookup(m[1])
			if !ok {
				return nil, fmt.Errorf("user %s: password: unresolved placeholder ${%s}", name, m[1])
			}
			pw = v
		}
		if pw == "" {
			return nil, fmt.Errorf("user %s: no password", name)
		}
		var v *scramVerifier
		if strings.HasPrefix(pw, "SCRAM-SHA-256$") {
			var err error
			if v, err = parseVerifier(pw); err != nil {
				return nil, fmt.Errorf("user %s: password: %w", name, err)
			}
		} else {
			var err error
			if v, err = newVerifier(pw, scramIterations); err != nil {
				return nil, fmt.Errorf("user %s: %w", name, err)
			}
		}
		u.users[name] = &User{Name: name, Catalogs: e.Catalogs, verifier: v}
	}
	return u, nil
}

// Lookup returns the user of that name.
func (u *Users) Lookup(name string) (*User, bool) {
	if u == nil {
		return nil, false
	}
	usr, ok := u.users[name]
	return usr, ok
}

// Names lists the users, sorted.
func (u *Users) Names() []string {
	names := make([]string, 0, len(u.users))
	for n := range u.users {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HashPassword returns a SCRAM-SHA-256 verifier of a password, in
// PostgreSQL's format, for the password field of a users file.
func HashPassword(password string) (string, error) {
	v, err := newVerifier(password, scramIterations)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// scramVerifier is what the server keeps of a password.
type scramVerifier struct {
	iterations int
	salt       []byte
	storedKey  []byte
	serverKey  []byte
}

func newVerifier(password string, iterations int) (*scramVerifier, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return verifierFor(password, salt, iterations)
}

func verifierFor(password string, salt []byte, iterations int) (*scramVerifier, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	return &scramVerifier{
		iterations: iterations,
		salt:       salt,
		storedKey:  stored[:],
		serverKey:  hmacSHA256(salted, []byte("Server Key")),
	}, nil
}

// String writes the verifier as PostgreSQL stores it:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
func (v *scramVerifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.iterations, b64(v.salt), b64(v.storedKey), b64(v.serverKey))
}

func parseVerifier(s string) (*scramVerifier, error) {
	bad := errors.New("not a SCRAM-SHA-256 verifier (want SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as restsql serve --hash-password writes)")
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, bad
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, bad
	}
	iterText, saltText, ok1 := strings.Cut(iterSalt, ":")
	storedText, serverText, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, bad
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 {
		return nil, bad
	}
	salt, err1 := base64.StdEncoding.DecodeString(saltText)
	stored, err2 := base64.StdEncoding.DecodeString(storedText)
	server, err3 := base64.StdEncoding.DecodeString(serverText)
	if err1 != nil || err2 != nil || err3 != nil || len(stored) != sha256.Size || len(server) != sha256.Size || len(salt) == 0 {
		return nil, bad
	}
	return &scramVerifier{iterations: iter, salt: salt, storedKey: stored, serverKey: server}, nil
}

// checkPassword verifies a cleartext password against the verifier.
func (v *scramVerifier) checkPassword(password string) bool {
	w, err := verifierFor(password, v.salt, v.iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(w.storedKey, v.storedKey) == 1 &&
		subtle.ConstantTimeCompare(w.serverKey, v.serverKey) == 1
}

// mockVerifier is used for an unknown user, so that the exchange looks
// the same as for a known one and only fails at the end (as PostgreSQL's
// "mock authentication"). Its salt is derived from the name and a
// per-server secret, so it is stable for a name.
func mockVerifier(secret []byte, user string) *scramVerifier {
	salt := hmacSHA256(secret, []byte("mock salt "+user))[:16]
	return &scramVerifier{iterations: scramIterations, salt: salt, storedKey: make([]byte, 32), serverKey: make([]byte, 32)}
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// scramServer is the server side of one SCRAM-SHA-256 exchange (RFC 5802,
// RFC 7677), with tls-server-end-point channel binding (RFC 5929) for
// SCRAM-SHA-256-PLUS.
type scramServer struct {
	verifier *scramVerifier
	// cbData is the channel binding data of the TLS connection (nil
	// without TLS); when set, the server offers SCRAM-SHA-256-PLUS.
	cbData []byte

	mechanism   string
	gs2Header   string
	clientFirst string // client-first-message-bare
	serverFirst string
	nonce       string
}

// mechanisms are the SASL mechanisms offered.
func (s *scramServer) mechanisms() []string {
	if s.cbData != nil {
		return []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}
	}
	return []string{"SCRAM-SHA-256"}
}

var errSCRAM = errors.New("malformed SCRAM message")

// first reads the client-first-message and returns the server-first-message.
func (s *scramServer) first(mechanism string, msg []byte) ([]byte, error) {
	switch mechanism {
	case "SCRAM-SHA-256":
	case "SCRAM-SHA-256-PLUS":
		if s.cbData == nil {
			return nil, errors.New("SCRAM-SHA-256-PLUS needs TLS")
		}
	default:
		return nil, fmt.Errorf("unsupported SASL mechanism %q", mechanism)
	}
	s.mechanism = mechanism
	text := string(msg)
	// gs2-header: cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(text, ",")
	if !ok {
		return nil, errSCRAM
	}
	authz, bare, ok := strings.Cut(rest, ",")
	if !ok || authz != "" {
		return nil, errSCRAM
	}
	switch {
	case flag == "n":
		if mechanism != "SCRAM-SHA-256" {
			return nil, errSCRAM
		}
	case flag == "y":
		// The client could bind but thinks the server cannot: with TLS
		// the server offered PLUS, so this is a downgrade.
		if s.cbData != nil || mechanism != "SCRAM-SHA-256" {
			return nil, errors.New("SCRAM channel binding was downgraded")
		}
	case flag == "p=tls-server-end-point":
		if mechanism != "SCRAM-SHA-256-PLUS" {
			return nil, errSCRAM
		}
	default:
		return nil, errors.New("unsupported SCRAM channel binding")
	}
	s.gs2Header = flag + "," + authz + ","
	s.clientFirst = bare
	var clientNonce string
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			clientNonce = v
		}
	}
	if clientNonce == "" || !strings.HasPrefix(bare, "n=") {
		return nil, errSCRAM
	}
	nonce := make([]byte, 18)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	s.nonce = clientNonce + base64.RawStdEncoding.EncodeToString(nonce)
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce, base64.StdEncoding.EncodeToString(s.verifier.salt), s.verifier.iterations)
	return []byte(s.serverFirst), nil
}

// final checks the client-final-message and returns the
// server-final-message; ok is false when the proof is wrong.
func (s *scramServer) final(msg []byte) (reply []byte, ok bool, err error) {
	text := string(msg)
	i := strings.LastIndex(text, ",p=")
	if i < 0 {
		return nil, false, errSCRAM
	}
	withoutProof, proofText := text[:i], text[i+3:]
	var channel, nonce string
	for _, attr := range strings.Split(withoutProof, ",") {
		switch {
		case strings.HasPrefix(attr, "c="):
			channel = attr[2:]
		case strings.HasPrefix(attr, "r="):
			nonce = attr[2:]
		}
	}
	wantChannel := []byte(s.gs2Header)
	if s.mechanism == "SCRAM-SHA-256-PLUS" {
		wantChannel = append(wantChannel, s.cbData...)
	}
	gotChannel, err := base64.StdEncoding.DecodeString(channel)
	if err != nil || subtle.ConstantTimeCompare(gotChannel, wantChannel) != 1 {
		return nil, false, errors.New("SCRAM channel binding does not match")
	}
	if nonce != s.nonce {
		return nil, false, errSCRAM
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil || len(proof) != sha256.Size {
		return nil, false, errSCRAM
	}
	authMessage := []byte(s.clientFirst + "," + s.serverFirst + "," + withoutProof)
	clientSignature := hmacSHA256(s.verifier.storedKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for k := range clientKey {
		clientKey[k] = proof[k] ^ clientSignature[k]
	}
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], s.verifier.storedKey) != 1 {
		return nil, false, nil
	}
	serverSignature := hmacSHA256(s.verifier.serverKey, authMessage)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSignature)), true, nil
}

// tlsServerEndPoint is the tls-server-end-point channel binding data of a
// TLS connection: the hash of the server's certificate, with the hash of
// its signature algorithm (SHA-256 for MD5 and SHA-1).
func tlsServerEndPoint(cert *tls.Certificate) []byte {
	var leaf *x509.Certificate
	if cert != nil {
		leaf = cert.Leaf
		if leaf == nil && len(cert.Certificate) > 0 {
			leaf, _ = x509.ParseCertificate(cert.Certificate[0])
		}
	}
	if leaf == nil {
		return nil
	}
	var h hash.Hash
	switch leaf.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h = sha512.New384()
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h = sha512.New()
	case x509.PureEd25519:
		// RFC 5929 defines no hash for Ed25519: no channel binding.
		return nil
	default:
		h = sha256.New()
	}
	h.Write(leaf.Raw)
	return h.Sum(nil)
}
