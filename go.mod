module github.com/restsql/restsql

go 1.26.8

require (
	github.com/stretchr/testify v1.12.1
	github.com/tidwall/gjson v1.20.2
	github.com/xwb1989/sqlparser v0.0.0-20180606152119-120387863bf2
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.3.0 // indirect
)
