package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseType(t *testing.T) {
	for _, typ := range Types {
		got, ok := ParseType(string(typ))
		require.True(t, ok, typ)
		assert.Equal(t, typ, got)
	}
	got, ok := ParseType("DateTime")
	require.True(t, ok)
	assert.Equal(t, TypeDatetime, got)
	for _, bad := range []string{"", "integer", "money", "int "} {
		_, ok := ParseType(bad)
		assert.False(t, ok, bad)
	}
}

func TestSQLNames(t *testing.T) {
	want := map[Type]string{
		TypeString: "VARCHAR", TypeInt: "BIGINT", TypeFloat: "DOUBLE",
		TypeBool: "BOOLEAN", TypeDatetime: "DATETIME", TypeJSON: "JSON",
	}
	require.Len(t, want, len(Types))
	for _, typ := range Types {
		assert.Equal(t, want[typ], typ.SQLName(), typ)
		back, ok := TypeOfSQLName(typ.SQLName())
		require.True(t, ok, typ)
		assert.Equal(t, typ, back, "TypeOfSQLName(SQLName) round trip")
	}
	assert.Equal(t, "", Type("money").SQLName())
	assert.Equal(t, "", Type("").SQLName())
	for name, typ := range map[string]Type{"text": TypeString, "Integer": TypeInt, "REAL": TypeFloat, "bool": TypeBool, "timestamp": TypeDatetime} {
		got, ok := TypeOfSQLName(name)
		require.True(t, ok, name)
		assert.Equal(t, typ, got, name)
	}
	_, ok := TypeOfSQLName("BLOB")
	assert.False(t, ok)
}
