package catalog

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSecrets = map[string]string{
	"User":        "alice",
	"Password":    "s3cr3t-value",
	"api.key-2_x": "k",
	"Empty":       "",
	"Dollar":      "${User}", // values are not expanded again
}

func lookupTestSecret(name string) (string, bool) {
	v, ok := testSecrets[name]
	return v, ok
}

// expandTests also seed FuzzExpand.
var expandTests = []struct {
	in, want, err string
}{
	{in: "", want: ""},
	{in: "plain", want: "plain"},
	{in: "${User}", want: "alice"},
	{in: "Basic ${User}:${Password}!", want: "Basic alice:s3cr3t-value!"},
	{in: "${api.key-2_x}", want: "k"},
	{in: "a${Empty}b", want: "ab"},
	{in: "${Dollar}", want: "${User}"},
	{in: "$$", want: "$"},
	{in: "$${User}", want: "${User}"},
	{in: "$$$${User}", want: "$${User}"},
	{in: "$$${User}", want: "$alice"},
	{in: "$", want: "$"},
	{in: "a$b$", want: "a$b$"},
	{in: "$ {User}", want: "$ {User}"},
	{in: "{User}", want: "{User}"},
	{in: "é${User}é", want: "éaliceé"},
	{in: "${Nope}", err: "unresolved placeholder ${Nope}"},
	{in: "x${User}${Nope}", err: "unresolved placeholder ${Nope}"},
	{in: "${user}", err: "unresolved placeholder ${user}"},
	{in: "${", err: "invalid placeholder at offset 0: unterminated ${ (missing })"},
	{in: "abc${User", err: "invalid placeholder at offset 3: unterminated ${ (missing })"},
	{in: "$$${}", err: "invalid placeholder at offset 2: empty name in ${}"},
	{in: "${a b}", err: "invalid placeholder at offset 0: a name holds only letters, digits, _, - and dots"},
	{in: "${a${b}}", err: "invalid placeholder at offset 0: a name holds only letters, digits, _, - and dots"},
	{in: "${ä}", err: "invalid placeholder at offset 0: a name holds only letters, digits, _, - and dots"},
}

func TestExpand(t *testing.T) {
	for _, tc := range expandTests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Expand(tc.in, lookupTestSecret)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.Empty(t, got)
				var ue *UnresolvedError
				if strings.HasPrefix(tc.err, "unresolved") {
					require.ErrorAs(t, err, &ue)
				} else {
					require.ErrorIs(t, err, ErrPlaceholderSyntax)
					assert.False(t, errors.As(err, &ue))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExpandNilLookup(t *testing.T) {
	got, err := Expand("a$$b", nil)
	require.NoError(t, err)
	assert.Equal(t, "a$b", got)
	_, err = Expand("${X}", nil)
	var ue *UnresolvedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "X", ue.Name)
}

func TestExpandErrorsHoldNoValue(t *testing.T) {
	// A literal secret around a bad placeholder is never quoted.
	for _, s := range []string{"s3cr3t${", "s3cr3t${Nope}", "s3cr3t${}", "s3cr3t${a b}s3cr3t"} {
		_, err := Expand(s, lookupTestSecret)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cr3t")
	}
	// Nor is a resolved value when a later placeholder fails.
	_, err := Expand("${Password}${Nope}", lookupTestSecret)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecrets["Password"])
}

func TestHasPlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"":          false,
		"plain":     false,
		"$":         false,
		"$$":        false,
		"$${x}":     false,
		"$$$${x}":   false,
		"{x}":       false,
		"${x}":      true,
		"a${":       true,
		"$$${x}":    true,
		"$a${x}":    true,
		"${}":       true,
		"x$ {y}":    false,
		"http://h/": false,
	} {
		assert.Equal(t, want, HasPlaceholder(s), s)
	}
}

// placeholderTests also seed FuzzPlaceholders.
var placeholderTests = []struct {
	in       string
	names    []string
	problems []string
}{
	{in: "", names: nil},
	{in: "/posts", names: nil},
	{in: "/posts/{id}", names: []string{"id"}},
	{in: "/users/{userId}/posts/{id}?x={userId}", names: []string{"userId", "id"}},
	{in: "${Base}/{id}", names: []string{"id"}},
	{in: "$${id}", names: []string{"id"}},
	{in: "$$$${Secret}/{_a1}", names: []string{"Secret", "_a1"}},
	{in: "/a/{user id}/{1x}/{ok}", names: []string{"ok"}, problems: []string{
		"placeholder {user id} is not a valid name (want letters, digits and _, not starting with a digit)",
		"placeholder {1x} is not a valid name (want letters, digits and _, not starting with a digit)",
	}},
	{in: "/a/{id", problems: []string{"unterminated { (missing })"}},
	{in: "/a/{id}/${Secret", names: []string{"id"}, problems: []string{"unterminated ${ (missing })"}},
	{in: "/a}/{b}", names: []string{"b"}},
	{in: "/{é}", problems: []string{"placeholder {é} is not a valid name (want letters, digits and _, not starting with a digit)"}},
}

func TestPlaceholders(t *testing.T) {
	for _, tc := range placeholderTests {
		t.Run(tc.in, func(t *testing.T) {
			names, problems := scanPlaceholders(tc.in)
			assert.Equal(t, tc.names, names)
			assert.Equal(t, tc.problems, problems)
			assert.Equal(t, tc.names, Placeholders(tc.in))
		})
	}
}
